"""Selection and swapping by a bit, and why the bit must be boolean."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from paraloom.gadgets.select import conditional_swap, select
from paraloom.math.fields import FR_MODULUS

from .circuits import holds, n_constraints, solve

elements = st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))


@given(st.integers(0, 1), elements, elements)
def test_select_picks_by_the_bit(bit: int, a: int, b: int) -> None:
    cs, out, assignment = solve(
        lambda cs, xs: select(cs, xs[0], xs[1], xs[2]), {"bit": bit, "a": a, "b": b}
    )
    assert cs.value(out) == (a if bit else b)
    assert holds(assignment)
    assert n_constraints(assignment) == 2


@given(st.integers(0, 1), elements, elements)
def test_conditional_swap_swaps_on_1(bit: int, a: int, b: int) -> None:
    cs, out, assignment = solve(
        lambda cs, xs: conditional_swap(cs, xs[0], xs[1], xs[2]), {"bit": bit, "a": a, "b": b}
    )
    assert isinstance(out, tuple)
    assert (cs.value(out[0]), cs.value(out[1])) == ((b, a) if bit else (a, b))
    assert holds(assignment)
    assert n_constraints(assignment) == 2


@given(st.integers(2, FR_MODULUS - 1), elements, elements)
def test_a_non_boolean_bit_is_refused(bit: int, a: int, b: int) -> None:
    inputs = {"bit": bit, "a": a, "b": b}
    _, _, swapped = solve(lambda cs, xs: conditional_swap(cs, *xs), inputs)
    _, _, selected = solve(lambda cs, xs: select(cs, *xs), inputs)
    assert not holds(swapped)
    assert not holds(selected)


@given(st.integers(2, FR_MODULUS - 1), elements, elements)
def test_assume_boolean_saves_the_check_and_so_trusts_the_caller(bit: int, a: int, b: int) -> None:
    cs, out, assignment = solve(
        lambda cs, xs: conditional_swap(cs, *xs, assume_boolean=True),
        {"bit": bit, "a": a, "b": b},
    )
    assert n_constraints(assignment) == 1
    assert holds(assignment)  # a blend of a and b: the caller's bit had better be boolean
    assert isinstance(out, tuple)
    assert cs.value(out[0]) == (a + bit * (b - a)) % FR_MODULUS
