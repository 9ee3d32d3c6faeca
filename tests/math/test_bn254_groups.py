"""G1/G2 arithmetic of the python backend against the py_ecc reference."""

from __future__ import annotations

from typing import Any

from bn254_helpers import g1_in_ref, g2_in_ref, scalars, small_scalars
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.math.curve import G1_GENERATOR, G2_GENERATOR
from paraloom.math.fields import FR_MODULUS
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.python_backend import PythonBackend

CHEAP = settings(max_examples=15, deadline=None)
G2_COST = settings(max_examples=4, deadline=None)


def _g1(fast: PythonBackend, k: int) -> Any:
    return fast.g1_mul(fast.g1_generator(), k)


def _g2(fast: PythonBackend, k: int) -> Any:
    return fast.g2_mul(fast.g2_generator(), k)


def test_generators_and_identities(fast: PythonBackend, ref: PyEccBackend) -> None:
    assert (
        fast.g1_to_affine(fast.g1_generator())
        == G1_GENERATOR
        == ref.g1_to_affine(ref.g1_generator())
    )
    assert (
        fast.g2_to_affine(fast.g2_generator())
        == G2_GENERATOR
        == ref.g2_to_affine(ref.g2_generator())
    )
    assert fast.g1_to_affine(fast.g1_identity()) is None
    assert fast.g2_to_affine(fast.g2_identity()) is None
    assert ref.g1_to_affine(ref.g1_identity()) is None
    assert ref.g2_to_affine(ref.g2_identity()) is None


@CHEAP
@given(small_scalars)
def test_g1_mul_matches_reference(fast: PythonBackend, ref: PyEccBackend, k: int) -> None:
    expected = ref.g1_to_affine(ref.g1_mul(ref.g1_generator(), k))
    assert fast.g1_to_affine(_g1(fast, k)) == expected
    assert type(expected) is not tuple or all(type(c) is int for c in expected)


@G2_COST
@given(small_scalars)
def test_g2_mul_matches_reference(fast: PythonBackend, ref: PyEccBackend, k: int) -> None:
    expected = ref.g2_to_affine(ref.g2_mul(ref.g2_generator(), k))
    assert fast.g2_to_affine(_g2(fast, k)) == expected


@CHEAP
@given(scalars, scalars)
def test_g1_add_neg_match_reference(fast: PythonBackend, ref: PyEccBackend, a: int, b: int) -> None:
    p, q = _g1(fast, a), _g1(fast, b)
    rp, rq = g1_in_ref(fast, ref, p), g1_in_ref(fast, ref, q)
    assert fast.g1_to_affine(fast.g1_add(p, q)) == ref.g1_to_affine(ref.g1_add(rp, rq))
    assert fast.g1_to_affine(fast.g1_neg(p)) == ref.g1_to_affine(ref.g1_neg(rp))
    assert fast.g1_eq(fast.g1_add(p, p), fast.g1_mul(p, 2))
    assert fast.g1_eq(fast.g1_add(p, fast.g1_neg(p)), fast.g1_identity())
    assert fast.g1_eq(fast.g1_add(p, fast.g1_identity()), p)


@G2_COST
@given(scalars, scalars)
def test_g2_add_neg_match_reference(fast: PythonBackend, ref: PyEccBackend, a: int, b: int) -> None:
    p, q = _g2(fast, a), _g2(fast, b)
    rp, rq = g2_in_ref(fast, ref, p), g2_in_ref(fast, ref, q)
    assert fast.g2_to_affine(fast.g2_add(p, q)) == ref.g2_to_affine(ref.g2_add(rp, rq))
    assert fast.g2_to_affine(fast.g2_neg(p)) == ref.g2_to_affine(ref.g2_neg(rp))
    assert fast.g2_eq(fast.g2_add(p, p), fast.g2_mul(p, 2))
    assert fast.g2_eq(fast.g2_add(p, fast.g2_neg(p)), fast.g2_identity())


@CHEAP
@given(
    st.lists(scalars, min_size=0, max_size=12), st.lists(small_scalars, min_size=12, max_size=12)
)
def test_g1_msm_matches_reference(
    fast: PythonBackend, ref: PyEccBackend, logs: list[int], coefficients: list[int]
) -> None:
    points = fast.g1_fixed_base_mul(fast.g1_generator(), logs)
    ks = coefficients[: len(logs)]
    ref_points = [g1_in_ref(fast, ref, p) for p in points]
    expected = ref.g1_to_affine(ref.g1_msm(ref_points, ks))
    assert fast.g1_to_affine(fast.g1_msm(points, ks)) == expected


@G2_COST
@given(st.lists(scalars, min_size=1, max_size=4), st.lists(scalars, min_size=4, max_size=4))
def test_g2_msm_matches_reference(
    fast: PythonBackend, ref: PyEccBackend, logs: list[int], coefficients: list[int]
) -> None:
    points = fast.g2_fixed_base_mul(fast.g2_generator(), logs)
    ks = coefficients[: len(logs)]
    ref_points = [g2_in_ref(fast, ref, p) for p in points]
    expected = ref.g2_to_affine(ref.g2_msm(ref_points, ks))
    assert fast.g2_to_affine(fast.g2_msm(points, ks)) == expected


@settings(max_examples=5, deadline=None)
@given(st.lists(scalars, min_size=1, max_size=40), st.lists(scalars, min_size=40, max_size=40))
def test_msm_is_the_linear_combination_of_discrete_logs(
    fast: PythonBackend, logs: list[int], coefficients: list[int]
) -> None:
    """MSM linearity at sizes where py_ecc would be too slow: Σ k_i·(l_i·G) = (Σ k_i·l_i)·G."""
    ks = coefficients[: len(logs)]
    combined = sum(k * log for k, log in zip(ks, logs, strict=True)) % FR_MODULUS
    points = fast.g1_fixed_base_mul(fast.g1_generator(), logs)
    assert fast.g1_eq(fast.g1_msm(points, ks), _g1(fast, combined))
    g2_points = fast.g2_fixed_base_mul(fast.g2_generator(), logs[:6])
    g2_combined = sum(k * log for k, log in zip(ks, logs[:6], strict=False)) % FR_MODULUS
    assert fast.g2_eq(fast.g2_msm(g2_points, ks[: len(g2_points)]), _g2(fast, g2_combined))


@settings(max_examples=10, deadline=None)
@given(
    st.lists(scalars, min_size=1, max_size=60),
    st.integers(1, 254),
    st.lists(st.integers(0, 2**254), min_size=60, max_size=60),
)
def test_msm_with_short_scalars(
    fast: PythonBackend, logs: list[int], bits: int, raw: list[int]
) -> None:
    """Windows follow the longest scalar (batch verification uses 128-bit ones)."""
    ks = [value % (1 << bits) % FR_MODULUS for value in raw[: len(logs)]]
    combined = sum(k * log for k, log in zip(ks, logs, strict=True)) % FR_MODULUS
    points = fast.g1_fixed_base_mul(fast.g1_generator(), logs)
    assert fast.g1_eq(fast.g1_msm(points, ks), _g1(fast, combined))


def test_msm_with_repeated_and_cancelling_points(fast: PythonBackend) -> None:
    g = fast.g1_generator()
    minus_g = fast.g1_neg(g)
    assert fast.g1_msm([g, g, minus_g], [5, 6, 11]) is None
    assert fast.g1_eq(fast.g1_msm([g] * 300, [3] * 300), _g1(fast, 900))
    assert fast.g1_msm([], []) is None
    assert fast.g1_msm([None, g], [7, 0]) is None


@CHEAP
@given(small_scalars, st.lists(scalars, min_size=0, max_size=6))
def test_batch_mul_matches_single_multiplications(
    fast: PythonBackend, ref: PyEccBackend, k: int, logs: list[int]
) -> None:
    points = [*fast.g1_fixed_base_mul(fast.g1_generator(), logs), None]
    expected = [ref.g1_to_affine(ref.g1_mul(g1_in_ref(fast, ref, p), k)) for p in points]
    assert fast.g1_batch_to_affine(fast.g1_batch_mul(points, k)) == expected


@G2_COST
@given(scalars, st.lists(small_scalars, min_size=1, max_size=3))
def test_g2_batch_and_fixed_base_mul_match_reference(
    fast: PythonBackend, ref: PyEccBackend, k: int, logs: list[int]
) -> None:
    points = fast.g2_fixed_base_mul(fast.g2_generator(), logs)
    expected_points = [ref.g2_mul(ref.g2_generator(), log) for log in logs]
    assert fast.g2_batch_to_affine(points) == ref.g2_batch_to_affine(expected_points)
    expected = [ref.g2_to_affine(ref.g2_mul(p, k)) for p in expected_points]
    assert fast.g2_batch_to_affine(fast.g2_batch_mul(points, k)) == expected


@CHEAP
@given(st.lists(small_scalars, min_size=0, max_size=20))
def test_fixed_base_mul_matches_reference(
    fast: PythonBackend, ref: PyEccBackend, logs: list[int]
) -> None:
    expected = [ref.g1_to_affine(ref.g1_mul(ref.g1_generator(), k)) for k in logs]
    assert fast.g1_batch_to_affine(fast.g1_fixed_base_mul(fast.g1_generator(), logs)) == expected


def test_fixed_base_mul_of_identity(fast: PythonBackend) -> None:
    assert fast.g1_fixed_base_mul(fast.g1_identity(), [1, 2]) == [None, None]


@CHEAP
@given(st.lists(scalars, min_size=0, max_size=5))
def test_affine_round_trip(fast: PythonBackend, ref: PyEccBackend, logs: list[int]) -> None:
    affine = fast.g1_batch_to_affine(fast.g1_fixed_base_mul(fast.g1_generator(), logs))
    assert fast.g1_batch_to_affine(fast.g1_batch_from_affine(affine)) == affine
    assert ref.g1_batch_to_affine(ref.g1_batch_from_affine(affine)) == affine
