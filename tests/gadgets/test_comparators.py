"""Comparators agree with Python on n-bit values and cannot be talked into another answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import CircuitError
from paraloom.gadgets.comparators import (
    MAX_COMPARE_BITS,
    is_equal,
    is_zero,
    less_or_equal,
    less_than,
)
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import CircuitBuilder, build_shape
from paraloom.zk.expressions import Expr

from .circuits import holds, n_constraints, solve, tampered

elements = st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))


@st.composite
def pairs(draw: st.DrawFn) -> tuple[int, int, int]:
    """(n, a, b) with a, b < 2^n, often equal or at the ends."""
    n = draw(st.integers(1, MAX_COMPARE_BITS))
    value = st.one_of(st.sampled_from([0, (1 << n) - 1]), st.integers(0, (1 << n) - 1))
    a = draw(value)
    b = draw(st.one_of(st.just(a), value))
    return n, a, b


@pytest.mark.parametrize(
    ("gadget", "expected"),
    [(less_than, lambda a, b: a < b), (less_or_equal, lambda a, b: a <= b)],
)
@given(case=pairs())
def test_order_comparisons_match_python(
    gadget: Callable[[CircuitBuilder, Expr, Expr, int], Expr],
    expected: Callable[[int, int], bool],
    case: tuple[int, int, int],
) -> None:
    n, a, b = case
    cs, out, assignment = solve(lambda cs, xs: gadget(cs, xs[0], xs[1], n), {"a": a, "b": b})
    assert cs.value(out) == int(expected(a, b))
    assert holds(assignment)
    assert n_constraints(assignment) == n + 1


@given(pairs(), st.data())
def test_less_than_cannot_be_tampered_into_another_answer(
    case: tuple[int, int, int], data: st.DataObject
) -> None:
    n, a, b = case
    _, _, assignment = solve(lambda cs, xs: less_than(cs, xs[0], xs[1], n), {"a": a, "b": b})
    wire = data.draw(st.integers(3, assignment.shape.system.n_wires - 1), label="bit wire")
    delta = data.draw(st.integers(1, FR_MODULUS - 1), label="delta")
    assert not holds(assignment, tampered(assignment, wire, delta))


def test_less_than_with_a_constant_bound() -> None:
    cs, out, assignment = solve(lambda cs, xs: less_than(cs, xs[0], 100, 8), {"a": 99})
    assert cs.value(out) == 1
    assert holds(assignment)


@pytest.mark.parametrize("n", [0, MAX_COMPARE_BITS + 1])
def test_comparison_widths_outside_1_to_252_are_refused(n: int) -> None:
    def circuit(cs: CircuitBuilder) -> None:
        less_than(cs, cs.private_input("a"), cs.private_input("b"), n)

    with pytest.raises(CircuitError, match=r"not an integer in 1\.\.252"):
        build_shape(circuit)


@given(st.one_of(st.just(0), elements))
def test_is_zero_matches_and_costs_two_constraints(x: int) -> None:
    cs, out, assignment = solve(lambda cs, xs: is_zero(cs, xs[0]), {"x": x})
    assert cs.value(out) == int(x == 0)
    assert holds(assignment)
    assert n_constraints(assignment) == 2


@given(elements, st.integers(1, FR_MODULUS - 1), st.sampled_from([2, 3]))
def test_is_zero_cannot_be_tampered(x: int, delta: int, wire: int) -> None:
    """Wire 2 is the inverse hint, wire 3 the output: no change to either keeps it satisfied,
    except the hint of x = 0, which the output does not depend on."""
    _, _, assignment = solve(lambda cs, xs: is_zero(cs, xs[0]), {"x": x})
    still_holds = holds(assignment, tampered(assignment, wire, delta))
    assert still_holds is (x == 0 and wire == 2)


@given(elements, st.one_of(elements, st.just(None)))
def test_is_equal_matches(a: int, b: int | None) -> None:
    b = a if b is None else b
    cs, out, assignment = solve(lambda cs, xs: is_equal(cs, xs[0], xs[1]), {"a": a, "b": b})
    assert cs.value(out) == int(a == b)
    assert holds(assignment)


def test_constant_operands_compare_for_free() -> None:
    cs = CircuitBuilder()
    assert is_zero(cs, 0).constant_value() == 1
    assert is_equal(cs, 3, 4).constant_value() == 0
    assert less_than(cs, 3, 4, 8).constant_value() == 1
    assert len(cs.shape().system.constraints) == 0
