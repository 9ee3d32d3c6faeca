"""The pairing check: bilinearity, agreement with the python backend and py_ecc, edge cases."""

from __future__ import annotations

from typing import Any

from arkworks_helpers import g1_across, g2_across, nonzero_scalars
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.math.backend import AnyCurveBackend
from paraloom.math.fields import FR_MODULUS
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.python_backend import PythonBackend


def product_pairs(backend: AnyCurveBackend, logs: list[tuple[int, int]], shift: int) -> list[Any]:
    """(a_i·G1, b_i·G2) and (-(Σ a_i·b_i + shift)·G1, G2): the product is 1 iff shift = 0."""
    g1, g2 = backend.g1_generator(), backend.g2_generator()
    pairs = [(backend.g1_mul(g1, a), backend.g2_mul(g2, b)) for a, b in logs]
    total = (sum(a * b for a, b in logs) + shift) % FR_MODULUS
    return [*pairs, (backend.g1_neg(backend.g1_mul(g1, total)), g2)]


pair_logs = st.lists(st.tuples(nonzero_scalars, nonzero_scalars), min_size=1, max_size=9)


@settings(max_examples=12, deadline=None)
@given(pair_logs, st.sampled_from([0, 0, 1, FR_MODULUS - 1]))
def test_products_of_pairings_match_python(
    ark: AnyCurveBackend, fast: PythonBackend, logs: list[tuple[int, int]], shift: int
) -> None:
    """Up to ten pairs: more than one chunk per thread, so the partial products must meet."""
    pairs = product_pairs(ark, logs, shift)
    assert ark.multi_pairing_check(pairs) is (shift == 0)
    fast_pairs = [(g1_across(ark, fast, p), g2_across(ark, fast, q)) for p, q in pairs]
    assert fast.multi_pairing_check(fast_pairs) is (shift == 0)


@settings(max_examples=2, deadline=None)
@given(st.tuples(nonzero_scalars, nonzero_scalars), st.sampled_from([0, 5]))
def test_pairing_check_matches_py_ecc(
    ark: AnyCurveBackend, ref: PyEccBackend, log: tuple[int, int], shift: int
) -> None:
    pairs = product_pairs(ark, [log], shift)
    ref_pairs = [(g1_across(ark, ref, p), g2_across(ark, ref, q)) for p, q in pairs]
    assert ark.multi_pairing_check(pairs) == ref.multi_pairing_check(ref_pairs) == (shift == 0)


def test_degenerate_products(ark: AnyCurveBackend) -> None:
    g1, g2 = ark.g1_generator(), ark.g2_generator()
    assert ark.multi_pairing_check([])
    assert ark.multi_pairing_check([(ark.g1_identity(), g2)])
    assert ark.multi_pairing_check([(g1, ark.g2_identity())])
    assert not ark.multi_pairing_check([(g1, g2)])
    assert ark.multi_pairing_check([(g1, g2), (ark.g1_neg(g1), g2)])
    assert ark.multi_pairing_check([(g1, g2), (g1, ark.g2_neg(g2)), (ark.g1_identity(), g2)])
    assert not ark.multi_pairing_check([(g1, g2), (g1, g2)])


def test_bilinearity(ark: AnyCurveBackend) -> None:
    """e(a·P, Q) = e(P, a·Q), including a = r - 1 and across many pairs."""
    g1, g2 = ark.g1_generator(), ark.g2_generator()
    for a in (2, 3, FR_MODULUS - 1, 1 << 200):
        left = (ark.g1_mul(g1, a), g2)
        right = (ark.g1_neg(g1), ark.g2_mul(g2, a))
        assert ark.multi_pairing_check([left, right])
        assert ark.multi_pairing_check([left, right] * 7)
        assert not ark.multi_pairing_check([left, right] * 7 + [left])
