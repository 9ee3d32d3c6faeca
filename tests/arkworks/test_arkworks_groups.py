"""G1/G2 arithmetic of the arkworks backend against the python backend and the py_ecc oracle.

Every comparison goes through the affine integer form, the only thing the backends share.
py_ecc is slow (8 ms per G1 and 40 ms per G2 multiplication), so its examples are few; the
python backend, itself checked against py_ecc in tests/math, takes the bulk.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

from arkworks_helpers import g1_across, g2_across, mixed_scalars, scalars
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.math.backend import AnyCurveBackend
from paraloom.math.curve import G1_GENERATOR, G2_GENERATOR
from paraloom.math.fields import FR_MODULUS
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.python_backend import PythonBackend

FAST = settings(max_examples=25, deadline=None)
ORACLE = settings(max_examples=4, deadline=None)


def test_generators_and_identities(ark: AnyCurveBackend) -> None:
    assert ark.g1_to_affine(ark.g1_generator()) == G1_GENERATOR
    assert ark.g2_to_affine(ark.g2_generator()) == G2_GENERATOR
    assert ark.g1_to_affine(ark.g1_identity()) is None
    assert ark.g2_to_affine(ark.g2_identity()) is None
    x, y = ark.g1_to_affine(ark.g1_mul(ark.g1_generator(), 5))
    assert type(x) is int
    assert type(y) is int


@ORACLE
@given(mixed_scalars)
def test_multiplication_matches_py_ecc(ark: AnyCurveBackend, ref: PyEccBackend, k: int) -> None:
    assert ark.g1_to_affine(ark.g1_mul(ark.g1_generator(), k)) == ref.g1_to_affine(
        ref.g1_mul(ref.g1_generator(), k)
    )
    assert ark.g2_to_affine(ark.g2_mul(ark.g2_generator(), k)) == ref.g2_to_affine(
        ref.g2_mul(ref.g2_generator(), k)
    )


@ORACLE
@given(scalars, scalars)
def test_addition_and_negation_match_py_ecc(
    ark: AnyCurveBackend, ref: PyEccBackend, a: int, b: int
) -> None:
    p, q = ark.g1_mul(ark.g1_generator(), a), ark.g1_mul(ark.g1_generator(), b)
    rp, rq = g1_across(ark, ref, p), g1_across(ark, ref, q)
    assert ark.g1_to_affine(ark.g1_add(p, q)) == ref.g1_to_affine(ref.g1_add(rp, rq))
    assert ark.g1_to_affine(ark.g1_neg(p)) == ref.g1_to_affine(ref.g1_neg(rp))
    p2, q2 = ark.g2_mul(ark.g2_generator(), a), ark.g2_mul(ark.g2_generator(), b)
    rp2, rq2 = g2_across(ark, ref, p2), g2_across(ark, ref, q2)
    assert ark.g2_to_affine(ark.g2_add(p2, q2)) == ref.g2_to_affine(ref.g2_add(rp2, rq2))
    assert ark.g2_to_affine(ark.g2_neg(p2)) == ref.g2_to_affine(ref.g2_neg(rp2))


@FAST
@given(mixed_scalars, scalars)
def test_group_law_matches_python(
    ark: AnyCurveBackend, fast: PythonBackend, k: int, log: int
) -> None:
    p = ark.g1_mul(ark.g1_generator(), log)
    fp = g1_across(ark, fast, p)
    assert ark.g1_to_affine(ark.g1_mul(p, k)) == fast.g1_to_affine(fast.g1_mul(fp, k))
    assert ark.g1_to_affine(ark.g1_add(p, p)) == ark.g1_to_affine(ark.g1_mul(p, 2))
    q = ark.g2_mul(ark.g2_generator(), log)
    fq = g2_across(ark, fast, q)
    assert ark.g2_to_affine(ark.g2_mul(q, k)) == fast.g2_to_affine(fast.g2_mul(fq, k))


def test_identity_laws(ark: AnyCurveBackend) -> None:
    for prefix in ("g1", "g2"):
        add, neg, mul, eq = (getattr(ark, f"{prefix}_{op}") for op in ("add", "neg", "mul", "eq"))
        zero, g = getattr(ark, f"{prefix}_identity")(), getattr(ark, f"{prefix}_generator")()
        assert eq(add(g, neg(g)), zero)
        assert eq(add(g, zero), g)
        assert eq(add(zero, zero), zero)
        assert eq(neg(zero), zero)
        assert eq(mul(zero, 12345), zero)
        assert eq(mul(g, 0), zero)
        assert eq(mul(g, FR_MODULUS - 1), neg(g))
        assert not eq(g, zero)


def test_points_are_values(ark: AnyCurveBackend) -> None:
    """Equal points compare and hash equal, whichever way they were made."""
    g = ark.g1_generator()
    three = ark.g1_mul(g, 3)
    assert three == ark.g1_add(g, ark.g1_add(g, g))
    assert hash(three) == hash(ark.g1_add(g, ark.g1_add(g, g)))
    assert three != g
    assert ark.g1_identity() == ark.g1_add(g, ark.g1_neg(g))
    assert len({ark.g2_generator(), ark.g2_add(ark.g2_identity(), ark.g2_generator())}) == 1
    assert repr(ark.g1_generator()) == "G1((1, 2))"
    assert repr(ark.g2_identity()) == "G2(None)"
    assert three != ark.g1_to_affine(three)


def test_points_pickle_and_copy_through_the_affine_form(ark: AnyCurveBackend) -> None:
    points = [ark.g1_mul(ark.g1_generator(), 7), ark.g1_identity()]
    points += [ark.g2_mul(ark.g2_generator(), 7), ark.g2_identity()]
    for point in points:
        assert pickle.loads(pickle.dumps(point)) == point
        assert copy.deepcopy(point) == point
        assert copy.copy(point) == point


@FAST
@given(st.lists(scalars, max_size=24), st.lists(mixed_scalars, min_size=24, max_size=24))
def test_g1_msm_matches_python(
    ark: AnyCurveBackend, fast: PythonBackend, logs: list[int], coefficients: list[int]
) -> None:
    points = ark.g1_fixed_base_mul(ark.g1_generator(), logs)
    ks = coefficients[: len(logs)]
    expected = fast.g1_msm(fast.g1_batch_from_affine(ark.g1_batch_to_affine(points)), ks)
    assert ark.g1_to_affine(ark.g1_msm(points, ks)) == fast.g1_to_affine(expected)


@settings(max_examples=8, deadline=None)
@given(st.lists(scalars, max_size=6), st.lists(mixed_scalars, min_size=6, max_size=6))
def test_g2_msm_matches_python(
    ark: AnyCurveBackend, fast: PythonBackend, logs: list[int], coefficients: list[int]
) -> None:
    points = ark.g2_fixed_base_mul(ark.g2_generator(), logs)
    ks = coefficients[: len(logs)]
    expected = fast.g2_msm(fast.g2_batch_from_affine(ark.g2_batch_to_affine(points)), ks)
    assert ark.g2_to_affine(ark.g2_msm(points, ks)) == fast.g2_to_affine(expected)


@settings(max_examples=3, deadline=None)
@given(st.lists(scalars, min_size=300, max_size=300), st.lists(scalars, min_size=300, max_size=300))
def test_large_msm_is_the_combination_of_discrete_logs(
    ark: AnyCurveBackend, logs: list[int], coefficients: list[int]
) -> None:
    """Sizes where Pippenger uses many windows and threads: Σ k_i·(l_i·G) = (Σ k_i·l_i)·G."""
    combined = sum(k * log for k, log in zip(coefficients, logs, strict=True)) % FR_MODULUS
    points = ark.g1_fixed_base_mul(ark.g1_generator(), logs)
    assert ark.g1_eq(ark.g1_msm(points, coefficients), ark.g1_mul(ark.g1_generator(), combined))
    g2_points = ark.g2_fixed_base_mul(ark.g2_generator(), logs[:80])
    g2_combined = sum(k * log for k, log in zip(coefficients, logs[:80], strict=False))
    expected = ark.g2_mul(ark.g2_generator(), g2_combined % FR_MODULUS)
    assert ark.g2_eq(ark.g2_msm(g2_points, coefficients[:80]), expected)


def test_msm_edge_cases(ark: AnyCurveBackend) -> None:
    g, zero = ark.g1_generator(), ark.g1_identity()
    assert ark.g1_eq(ark.g1_msm([], []), zero)
    assert ark.g1_eq(ark.g1_msm([g, g, ark.g1_neg(g)], [5, 6, 11]), zero)
    assert ark.g1_eq(ark.g1_msm([zero, g], [7, 0]), zero)
    assert ark.g1_eq(ark.g1_msm([g] * 300, [3] * 300), ark.g1_mul(g, 900))
    assert ark.g1_eq(ark.g1_msm((g, g), (FR_MODULUS - 1, 1)), zero)
    assert ark.g2_eq(ark.g2_msm([], []), ark.g2_identity())


@FAST
@given(mixed_scalars, st.lists(scalars, max_size=10), st.integers(min_value=0, max_value=3))
def test_batch_mul_matches_python(
    ark: AnyCurveBackend, fast: PythonBackend, k: int, logs: list[int], zeros: int
) -> None:
    points = ark.g1_fixed_base_mul(ark.g1_generator(), logs) + [ark.g1_identity()] * zeros
    fast_points = fast.g1_batch_from_affine(ark.g1_batch_to_affine(points))
    expected = fast.g1_batch_to_affine(fast.g1_batch_mul(fast_points, k))
    assert ark.g1_batch_to_affine(ark.g1_batch_mul(points, k)) == expected


@settings(max_examples=4, deadline=None)
@given(mixed_scalars, st.lists(scalars, min_size=1, max_size=4))
def test_g2_batch_and_fixed_base_mul_match_python(
    ark: AnyCurveBackend, fast: PythonBackend, k: int, logs: list[int]
) -> None:
    points = ark.g2_fixed_base_mul(ark.g2_generator(), logs)
    fast_points = fast.g2_fixed_base_mul(fast.g2_generator(), logs)
    assert ark.g2_batch_to_affine(points) == fast.g2_batch_to_affine(fast_points)
    expected = fast.g2_batch_to_affine(fast.g2_batch_mul(fast_points, k))
    assert ark.g2_batch_to_affine(ark.g2_batch_mul(points, k)) == expected


def test_batch_mul_across_many_chunks(ark: AnyCurveBackend) -> None:
    """600 points span several parallel chunks; each product must be its own point's."""
    logs = list(range(1, 601))
    k = 0x1234567890ABCDEF1234567890ABCDEF
    points = ark.g1_fixed_base_mul(ark.g1_generator(), logs)
    expected = ark.g1_fixed_base_mul(ark.g1_generator(), [log * k % FR_MODULUS for log in logs])
    assert ark.g1_batch_to_affine(ark.g1_batch_mul(points, k)) == ark.g1_batch_to_affine(expected)


@FAST
@given(st.lists(mixed_scalars, max_size=100))
def test_fixed_base_mul_matches_python(
    ark: AnyCurveBackend, fast: PythonBackend, logs: list[int]
) -> None:
    """Up to 100 scalars: both the shared-table path (few) and arkworks' windowed table."""
    expected = fast.g1_batch_to_affine(fast.g1_fixed_base_mul(fast.g1_generator(), logs))
    assert ark.g1_batch_to_affine(ark.g1_fixed_base_mul(ark.g1_generator(), logs)) == expected


def test_fixed_base_mul_of_identity(ark: AnyCurveBackend) -> None:
    for count in (2, 70):
        products = ark.g1_fixed_base_mul(ark.g1_identity(), [5] * count)
        assert ark.g1_batch_to_affine(products) == [None] * count


@FAST
@given(st.lists(scalars, max_size=6), st.integers(min_value=0, max_value=2))
def test_affine_round_trips(ark: AnyCurveBackend, logs: list[int], zeros: int) -> None:
    g1_affine = ark.g1_batch_to_affine(ark.g1_fixed_base_mul(ark.g1_generator(), logs))
    g1_affine += [None] * zeros
    assert ark.g1_batch_to_affine(ark.g1_batch_from_affine(g1_affine)) == g1_affine
    assert [ark.g1_to_affine(ark.g1_from_affine(p)) for p in g1_affine] == g1_affine
    g2_affine = ark.g2_batch_to_affine(ark.g2_fixed_base_mul(ark.g2_generator(), logs[:2]))
    g2_affine += [None] * zeros
    assert ark.g2_batch_to_affine(ark.g2_batch_from_affine(g2_affine)) == g2_affine
    assert [ark.g2_to_affine(ark.g2_from_affine(p)) for p in g2_affine] == g2_affine


def test_batches_accept_any_sequence(ark: AnyCurveBackend) -> None:
    g = ark.g1_generator()
    affine: Any = (G1_GENERATOR, None)
    assert ark.g1_batch_to_affine(ark.g1_batch_from_affine(affine)) == list(affine)
    assert ark.g1_eq(ark.g1_msm((g, g), range(1, 3)), ark.g1_mul(g, 3))
    assert ark.ntt((1, 0)) == [1, 1]
