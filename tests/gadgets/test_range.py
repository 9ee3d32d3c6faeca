"""n-bit range checks accept exactly [0, 2^n)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from paraloom.gadgets.bits import MAX_BITS
from paraloom.gadgets.range import assert_in_range
from paraloom.math.fields import FR_MODULUS

from .circuits import holds, n_constraints, solve


@st.composite
def near_bounds(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(1, MAX_BITS))
    bound = 1 << n
    special = [0, bound - 1, bound, bound + 1, FR_MODULUS - 1, FR_MODULUS - bound]
    x = draw(st.one_of(st.sampled_from(special), st.integers(0, FR_MODULUS - 1)))
    return n, x


@given(near_bounds())
def test_range_check_holds_exactly_below_2_to_the_n(case: tuple[int, int]) -> None:
    n, x = case
    _, _, assignment = solve(lambda cs, xs: assert_in_range(cs, xs[0], n), {"x": x})
    assert holds(assignment) is (x < 1 << n)
    assert n_constraints(assignment) == n


@given(st.integers(0, (1 << 64) - 1))
def test_a_sum_of_checked_values_is_checked_as_an_expression(x: int) -> None:
    _, _, assignment = solve(
        lambda cs, xs: assert_in_range(cs, xs[0] + xs[1], 65), {"a": x, "b": x}
    )
    assert holds(assignment)
