"""NTT over Fr against naive evaluation, and its inverse and coset forms."""

from __future__ import annotations

import pytest
from bn254_helpers import nonzero_scalars, scalars
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import InvalidDomainError, InvalidScalarError
from paraloom.math.fields import FR_MODULUS, fr_root_of_unity
from paraloom.math.python_backend import PythonBackend


def _evaluate(coefficients: list[int], x: int) -> int:
    acc = 0
    for c in reversed(coefficients):
        acc = (acc * x + c) % FR_MODULUS
    return acc


vectors = st.integers(min_value=0, max_value=6).flatmap(
    lambda log: st.lists(scalars, min_size=1 << log, max_size=1 << log)
)


@settings(max_examples=25, deadline=None)
@given(vectors)
def test_ntt_is_evaluation_on_the_domain(fast: PythonBackend, coefficients: list[int]) -> None:
    root = fr_root_of_unity(len(coefficients))
    expected = [_evaluate(coefficients, pow(root, i, FR_MODULUS)) for i in range(len(coefficients))]
    assert fast.ntt(coefficients) == expected


@settings(max_examples=25, deadline=None)
@given(vectors)
def test_intt_inverts_ntt(fast: PythonBackend, values: list[int]) -> None:
    assert fast.intt(fast.ntt(values)) == values
    assert fast.ntt(fast.intt(values)) == values


@settings(max_examples=15, deadline=None)
@given(vectors, nonzero_scalars)
def test_coset_ntt_is_evaluation_on_the_coset(
    fast: PythonBackend, coefficients: list[int], shift: int
) -> None:
    root = fr_root_of_unity(len(coefficients))
    points = [shift * pow(root, i, FR_MODULUS) % FR_MODULUS for i in range(len(coefficients))]
    evaluations = fast.coset_ntt(coefficients, shift)
    assert evaluations == [_evaluate(coefficients, x) for x in points]
    assert fast.coset_intt(evaluations, shift) == coefficients


def test_large_round_trip(fast: PythonBackend) -> None:
    values = [(i * 7919 + 3) % FR_MODULUS for i in range(1 << 12)]
    assert fast.intt(fast.ntt(values)) == values
    assert all(type(v) is int for v in fast.ntt(values))


@pytest.mark.parametrize("size", [0, 3, 6])
def test_lengths_must_be_powers_of_two(fast: PythonBackend, size: int) -> None:
    with pytest.raises(InvalidDomainError, match="power of two"):
        fast.ntt([1] * size)


def test_zero_shift_is_refused(fast: PythonBackend) -> None:
    with pytest.raises(InvalidScalarError, match="non-zero"):
        fast.coset_ntt([1, 2], 0)
