"""The python backend's optimal ate pairing against py_ecc and the pairing's algebra."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from bn254_helpers import g1_in_ref, g2_in_ref, nonzero_scalars, scalars
from hypothesis import given, settings

from paraloom.math.fields import BN_U, FQ_MODULUS, FR_MODULUS, Fq12
from paraloom.math.pairing import final_exponentiation, miller_loop
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.python_backend import PythonBackend

FEW = settings(max_examples=4, deadline=None)


def _as_py_ecc_coefficients(f: Fq12) -> list[int]:
    """Our tower element in py_ecc's basis: w^0..w^11 over Fq with u = w^6 - 9."""
    coefficients = [0] * 12
    (a0, a1, a2), (b0, b1, b2) = f
    for exponent, (x, y) in ((0, a0), (2, a1), (4, a2), (1, b0), (3, b1), (5, b2)):
        coefficients[exponent] = (coefficients[exponent] + x - 9 * y) % FQ_MODULUS
        coefficients[exponent + 6] = (coefficients[exponent + 6] + y) % FQ_MODULUS
    return coefficients


def _pair(fast: PythonBackend, a: int, b: int) -> tuple[Any, Any]:
    return fast.g1_mul(fast.g1_generator(), a), fast.g2_mul(fast.g2_generator(), b)


def test_hard_part_chain_exponent_is_exact() -> None:
    u, q = BN_U, FQ_MODULUS
    chain = (
        (-36 * u**3 - 30 * u**2 - 18 * u - 2)
        + (-36 * u**3 - 18 * u**2 - 12 * u + 1) * q
        + (6 * u**2 + 1) * q**2
        + q**3
    )
    assert chain * FR_MODULUS == q**4 - q**2 + 1


@settings(max_examples=2, deadline=None)
@given(nonzero_scalars, nonzero_scalars)
def test_pairing_value_equals_py_ecc(fast: PythonBackend, a: int, b: int) -> None:
    """Same GT element, not only the same check result: the strongest oracle available."""
    from py_ecc.optimized_bn128 import optimized_pairing

    p, q = _pair(fast, a, b)
    ref = PyEccBackend()
    expected = optimized_pairing.pairing(g2_in_ref(fast, ref, q), g1_in_ref(fast, ref, p))
    ours = final_exponentiation(miller_loop([(p, q)]))
    assert _as_py_ecc_coefficients(ours) == [int(c) for c in expected.coeffs]


@FEW
@given(scalars, scalars, scalars)
def test_bilinearity(fast: PythonBackend, a: int, b: int, c: int) -> None:
    """e(aP, bQ) = e(P, Q)^(ab), checked as e(aP, bQ)·e(-abP, Q) = 1."""
    p, q = _pair(fast, 1 + c % 1000, 1)
    ap, bq = fast.g1_mul(p, a), fast.g2_mul(q, b)
    abp = fast.g1_mul(p, a * b % FR_MODULUS)
    assert fast.multi_pairing_check([(ap, bq), (fast.g1_neg(abp), q)])
    assert fast.multi_pairing_check([(ap, q), (fast.g1_neg(p), fast.g2_mul(q, a))])


@FEW
@given(nonzero_scalars, nonzero_scalars)
def test_non_degenerate_and_tamper_evident(fast: PythonBackend, a: int, b: int) -> None:
    p, q = _pair(fast, a, b)
    assert not fast.multi_pairing_check([(p, q)])
    tampered = fast.g1_add(p, fast.g1_generator())
    assert not fast.multi_pairing_check([(tampered, q), (fast.g1_neg(p), q)])


def test_identity_pairs_contribute_one(fast: PythonBackend, ref: PyEccBackend) -> None:
    p, q = _pair(fast, 5, 7)
    assert fast.multi_pairing_check([])
    assert fast.multi_pairing_check([(fast.g1_identity(), q), (p, fast.g2_identity())])
    assert ref.multi_pairing_check([(ref.g1_identity(), ref.g2_generator())])


@pytest.mark.parametrize("valid", [True, False])
def test_groth16_shaped_check_agrees_with_py_ecc(
    fast: PythonBackend, ref: PyEccBackend, valid: bool
) -> None:
    """e(-A, B)·e(alpha, beta)·e(x, gamma)·e(C, delta) = 1 with known discrete logs."""
    alpha, beta, gamma, delta, x, a_log, b_log = 11, 13, 17, 19, 23, 29, 31
    c_log = (a_log * b_log - alpha * beta - x * gamma) * pow(delta, -1, FR_MODULUS)
    c_log = (c_log + (0 if valid else 1)) % FR_MODULUS
    g1 = functools.partial(fast.g1_mul, fast.g1_generator())
    g2 = functools.partial(fast.g2_mul, fast.g2_generator())
    pairs = [
        (fast.g1_neg(g1(a_log)), g2(b_log)),
        (g1(alpha), g2(beta)),
        (g1(x), g2(gamma)),
        (g1(c_log), g2(delta)),
    ]
    ref_pairs = [(g1_in_ref(fast, ref, p), g2_in_ref(fast, ref, q)) for p, q in pairs]
    assert fast.multi_pairing_check(pairs) is valid
    assert ref.multi_pairing_check(ref_pairs) is valid
