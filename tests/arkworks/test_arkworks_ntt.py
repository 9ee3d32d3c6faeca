"""NTTs over Fr: the same domain as the python backend (snarkjs' roots), and naive evaluation."""

from __future__ import annotations

from arkworks_helpers import nonzero_scalars, scalars
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.math.backend import AnyCurveBackend
from paraloom.math.fields import FR_MODULUS, fr_root_of_unity
from paraloom.math.python_backend import PythonBackend


def evaluate(coefficients: list[int], x: int) -> int:
    acc = 0
    for c in reversed(coefficients):
        acc = (acc * x + c) % FR_MODULUS
    return acc


vectors = st.integers(min_value=0, max_value=7).flatmap(
    lambda log: st.lists(scalars, min_size=1 << log, max_size=1 << log)
)


@settings(max_examples=30, deadline=None)
@given(vectors)
def test_ntt_is_evaluation_on_snarkjs_domain(ark: AnyCurveBackend, coefficients: list[int]) -> None:
    root = fr_root_of_unity(len(coefficients))
    expected = [evaluate(coefficients, pow(root, i, FR_MODULUS)) for i in range(len(coefficients))]
    assert ark.ntt(coefficients) == expected


@settings(max_examples=30, deadline=None)
@given(vectors, nonzero_scalars)
def test_all_transforms_match_python(
    ark: AnyCurveBackend, fast: PythonBackend, values: list[int], shift: int
) -> None:
    assert ark.ntt(values) == fast.ntt(values)
    assert ark.intt(values) == fast.intt(values)
    assert ark.coset_ntt(values, shift) == fast.coset_ntt(values, shift)
    assert ark.coset_intt(values, shift) == fast.coset_intt(values, shift)


@settings(max_examples=15, deadline=None)
@given(vectors, nonzero_scalars)
def test_inverses(ark: AnyCurveBackend, values: list[int], shift: int) -> None:
    assert ark.intt(ark.ntt(values)) == values
    assert ark.ntt(ark.intt(values)) == values
    assert ark.coset_intt(ark.coset_ntt(values, shift), shift) == values


def test_root_of_unity_of_every_size(ark: AnyCurveBackend) -> None:
    """ntt(X) lists the domain: ω^i with ω = fr_root_of_unity(n), for n up to 2^12."""
    for log in range(1, 13):
        size = 1 << log
        root = fr_root_of_unity(size)
        domain = ark.ntt([0, 1] + [0] * (size - 2))
        assert domain[1] == root
        assert domain[: min(size, 8)] == [pow(root, i, FR_MODULUS) for i in range(min(size, 8))]


def test_large_round_trip(ark: AnyCurveBackend, fast: PythonBackend) -> None:
    values = [(i * 7919 + 3) % FR_MODULUS for i in range(1 << 13)]
    evaluations = ark.ntt(values)
    assert evaluations == fast.ntt(values)
    assert ark.intt(evaluations) == values
    assert all(type(v) is int for v in evaluations)
