"""Booleans, bit decomposition and packing: right values, n constraints, and no way to cheat."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import CircuitError
from paraloom.gadgets.bits import MAX_BITS, assert_boolean, from_bits, to_bits
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import CircuitBuilder, build_shape

from .circuits import holds, n_constraints, solve


@st.composite
def fitting(draw: st.DrawFn) -> tuple[int, int]:
    """(n, x) with x < 2^n, boundaries included."""
    n = draw(st.integers(1, MAX_BITS))
    x = draw(st.one_of(st.sampled_from([0, 1, (1 << n) - 1]), st.integers(0, (1 << n) - 1)))
    return n, x


@given(fitting())
def test_to_bits_gives_the_little_endian_bits_in_n_constraints(case: tuple[int, int]) -> None:
    n, x = case
    cs, bits, assignment = solve(lambda cs, xs: to_bits(cs, xs[0], n), {"x": x})
    assert isinstance(bits, list)
    assert [cs.value(bit) for bit in bits] == [x >> i & 1 for i in range(n)]
    assert holds(assignment)
    assert n_constraints(assignment) == n


@given(
    st.integers(1, MAX_BITS).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(1 << n, FR_MODULUS - 1))
    )
)
def test_values_that_do_not_fit_leave_no_satisfying_witness(case: tuple[int, int]) -> None:
    n, x = case
    _, _, assignment = solve(lambda cs, xs: to_bits(cs, xs[0], n), {"x": x})
    assert not holds(assignment)


def test_no_witness_of_a_3_bit_decomposition_cheats() -> None:
    """Every witness over a spread of values: only x < 8 with its true bits satisfies."""
    _, _, assignment = solve(lambda cs, xs: to_bits(cs, xs[0], 3), {"x": 0})
    assert assignment.shape.system.n_wires == 4  # one, x, bit 0, bit 1 (bit 2 is linear)
    candidates = [0, 1, 2, 3, FR_MODULUS - 1, (FR_MODULUS + 1) // 2]
    for x in [*range(20), FR_MODULUS - 1, FR_MODULUS - 8]:
        for b0, b1 in itertools.product(candidates, repeat=2):
            honest = x < 8 and (b0, b1) == (x & 1, x >> 1 & 1)
            assert holds(assignment, [1, x, b0, b1]) == honest, (x, b0, b1)


@given(st.lists(st.integers(0, 1), min_size=1, max_size=40))
def test_from_bits_packs_without_constraints(bits: list[int]) -> None:
    cs = CircuitBuilder({})
    packed = from_bits(cs, bits)
    assert packed.constant_value() == sum(bit << i for i, bit in enumerate(bits))
    assert n_constraints(cs.assignment()) == 0


@pytest.mark.parametrize(
    ("value", "ok"), [(0, True), (1, True), (2, False), (FR_MODULUS - 1, False)]
)
def test_assert_boolean_admits_only_0_and_1(value: int, ok: bool) -> None:
    _, _, assignment = solve(lambda cs, xs: assert_boolean(cs, xs[0]), {"b": value})
    assert holds(assignment) is ok
    assert n_constraints(assignment) == 1


def test_constants_decompose_for_free_and_must_fit() -> None:
    cs = CircuitBuilder()
    assert [bit.constant_value() for bit in to_bits(cs, 6, 3)] == [0, 1, 1]
    assert n_constraints_of_shape(cs) == 0
    with pytest.raises(CircuitError, match="the constant 8 does not fit in 3 bits"):
        to_bits(cs, 8, 3)


def n_constraints_of_shape(cs: CircuitBuilder) -> int:
    return len(cs.shape().system.constraints)


@pytest.mark.parametrize("n", [0, MAX_BITS + 1, -3, True, 2.0])
def test_bit_counts_outside_1_to_253_are_refused(n: object) -> None:
    def circuit(cs: CircuitBuilder) -> None:
        to_bits(cs, cs.private_input("x"), n)  # type: ignore[arg-type]

    with pytest.raises(CircuitError, match=r"bit count .* is not an integer in 1\.\.253"):
        build_shape(circuit)
