"""Fr helpers and the Fq2/Fq6/Fq12 tower."""

from __future__ import annotations

import pytest
from bn254_helpers import fq_elements, nonzero_scalars
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import InvalidDomainError, InvalidScalarError
from paraloom.math.fields import (
    BN_U,
    FQ12_ONE,
    FQ_MODULUS,
    FR_MODULUS,
    FR_TWO_ADICITY,
    Fq2,
    Fq6,
    Fq12,
    batch_inverse,
    fq2,
    fq2_inv,
    fq2_mul,
    fq2_sqr,
    fq2_sqrt,
    fq6_inv,
    fq6_mul,
    fq6_mul_by_01,
    fq12_conj,
    fq12_frobenius,
    fq12_inv,
    fq12_mul,
    fq12_mul_by_line,
    fq12_pow,
    fq12_sqr,
    fq_sqrt,
    fr_inv,
    fr_root_of_unity,
    require_fr,
    require_frs,
)

fq2s = st.builds(fq2, fq_elements, fq_elements)
fq6s = st.tuples(fq2s, fq2s, fq2s)
fq12s = st.tuples(fq6s, fq6s)
ZERO2 = fq2(0, 0)
ZERO6 = (ZERO2, ZERO2, ZERO2)


def test_constants_follow_from_the_bn_parameter() -> None:
    u = BN_U
    assert 36 * u**4 + 36 * u**3 + 24 * u**2 + 6 * u + 1 == FQ_MODULUS
    assert 36 * u**4 + 36 * u**3 + 18 * u**2 + 6 * u + 1 == FR_MODULUS
    assert (FR_MODULUS - 1) % (1 << FR_TWO_ADICITY) == 0
    assert ((FR_MODULUS - 1) >> FR_TWO_ADICITY) % 2 == 1


@given(nonzero_scalars)
def test_fr_inverse(value: int) -> None:
    assert value * fr_inv(value) % FR_MODULUS == 1


@given(st.lists(nonzero_scalars, min_size=1, max_size=20))
def test_batch_inverse_matches_single_inversions(values: list[int]) -> None:
    assert batch_inverse(values, FR_MODULUS) == [fr_inv(v) for v in values]


@pytest.mark.parametrize("log_size", [0, 1, 5, 16, FR_TWO_ADICITY])
def test_roots_of_unity_are_primitive(log_size: int) -> None:
    root = fr_root_of_unity(1 << log_size)
    assert pow(root, 1 << log_size, FR_MODULUS) == 1
    if log_size:
        assert pow(root, 1 << (log_size - 1), FR_MODULUS) == FR_MODULUS - 1


def test_root_of_unity_is_snarkjs_choice() -> None:
    odd = (FR_MODULUS - 1) >> FR_TWO_ADICITY
    assert fr_root_of_unity(1 << FR_TWO_ADICITY) == pow(5, odd, FR_MODULUS)
    assert fr_root_of_unity(4) ** 2 % FR_MODULUS == fr_root_of_unity(2)


@pytest.mark.parametrize("size", [0, 3, 12, 1 << (FR_TWO_ADICITY + 1)])
def test_root_of_unity_rejects_bad_sizes(size: int) -> None:
    with pytest.raises(InvalidDomainError, match="power of two"):
        fr_root_of_unity(size)


@pytest.mark.parametrize("value", [-1, FR_MODULUS, FR_MODULUS + 5])
def test_require_fr_refuses_out_of_range(value: int) -> None:
    with pytest.raises(InvalidScalarError, match=r"not in \[0, r\)"):
        require_fr(value)
    with pytest.raises(InvalidScalarError, match="index 1"):
        require_frs([0, value])


@settings(max_examples=30)
@given(fq2s, fq2s)
def test_fq2_field_laws(a: Fq2, b: Fq2) -> None:
    assert fq2_mul(a, b) == fq2_mul(b, a)
    assert fq2_sqr(a) == fq2_mul(a, a)
    if a != ZERO2:
        assert fq2_mul(a, fq2_inv(a)) == fq2(1, 0)


@settings(max_examples=20)
@given(fq2s)
def test_square_roots(a: Fq2) -> None:
    root = fq2_sqrt(fq2_sqr(a))
    assert root is not None
    assert fq2_sqr(root) == fq2_sqr(a)
    x = a[0]
    fq_root = fq_sqrt(x * x % FQ_MODULUS)
    assert fq_root in (x, -x % FQ_MODULUS)


def test_square_roots_of_non_squares_are_none() -> None:
    non_residue = fq2(9, 1)  # ξ: a non-square, or the twist would not be a twist
    assert fq2_sqrt(non_residue) is None
    assert fq_sqrt(FQ_MODULUS - 1) is None  # q ≡ 3 mod 4


@settings(max_examples=10)
@given(fq6s, fq6s, fq2s, fq2s)
def test_fq6_laws(a: Fq6, b: Fq6, b0: Fq2, b1: Fq2) -> None:
    assert fq6_mul(a, b) == fq6_mul(b, a)
    assert fq6_mul_by_01(a, b0, b1) == fq6_mul(a, (b0, b1, ZERO2))
    if a != ZERO6:
        assert fq6_mul(a, fq6_inv(a)) == (fq2(1, 0), ZERO2, ZERO2)


@settings(max_examples=10)
@given(fq12s, fq12s, fq2s, fq2s)
def test_fq12_laws(a: Fq12, b: Fq12, b0: Fq2, b1: Fq2) -> None:
    assert fq12_mul(a, b) == fq12_mul(b, a)
    assert fq12_sqr(a) == fq12_mul(a, a)
    if a != (ZERO6, ZERO6):
        assert fq12_mul(a, fq12_inv(a)) == FQ12_ONE
    line = ((fq2(1, 0), ZERO2, ZERO2), (b0, b1, ZERO2))
    assert fq12_mul_by_line(a, b0, b1) == fq12_mul(a, line)


@settings(max_examples=3, deadline=None)
@given(fq12s)
def test_frobenius_is_the_q_power(a: Fq12) -> None:
    once = fq12_frobenius(a, 1)
    assert once == fq12_pow(a, FQ_MODULUS)
    assert fq12_frobenius(a, 2) == fq12_frobenius(once, 1)
    assert fq12_frobenius(a, 3) == fq12_frobenius(fq12_frobenius(a, 2), 1)
    assert fq12_conj(a) == fq12_frobenius(fq12_frobenius(a, 3), 3)


@given(fq12s, st.integers(0, 2**64), st.integers(0, 2**64))
def test_fq12_pow_laws(a: Fq12, m: int, n: int) -> None:
    assert fq12_pow(a, 0) == FQ12_ONE
    assert fq12_pow(a, 1) == a
    assert fq12_pow(a, m + n) == fq12_mul(fq12_pow(a, m), fq12_pow(a, n))
