"""The boundary: what the arkworks backend refuses, with the python backend's errors and messages.

Every refusal is compared with the python backend on the same input (type and message), so a
caller sees the same failure whichever backend the config selected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gmpy2
import pytest
from arkworks_helpers import fq_elements, same_refusal, scalars, twist_points_outside_subgroup
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import (
    InvalidDomainError,
    InvalidPointError,
    InvalidScalarError,
    LengthMismatchError,
)
from paraloom.math.backend import AnyCurveBackend
from paraloom.math.curve import G1_GENERATOR, G2_GENERATOR
from paraloom.math.fields import (
    FQ_MODULUS,
    FR_MODULUS,
    fq_sqrt,
)
from paraloom.math.python_backend import PythonBackend

OUTSIDE = twist_points_outside_subgroup(3)

MALFORMED_G1: list[Any] = [
    (1, 3),
    (0, 0),
    (1, 2 + FQ_MODULUS),
    (1, -2),
    (1,),
    (1, 2, 3),
    (1.0, 2.0),
    (True, 2),
    (gmpy2.mpz(1), 2),
    [1, 2],
    "12",
    (1, 1 << 300),
]

MALFORMED_G2: list[Any] = [
    ((1, 2), (3, 4)),
    OUTSIDE[0],
    ((1, 2), (3, FQ_MODULUS)),
    ((1, 2), 3),
    ((1, 2),),
    G1_GENERATOR,
    ((1, 2), (3, -4)),
]


@pytest.mark.parametrize("point", MALFORMED_G1, ids=repr)
def test_g1_refusals_match_python(ark: AnyCurveBackend, fast: PythonBackend, point: Any) -> None:
    assert not ark.g1_is_on_curve(point)
    same_refusal(ark, fast, lambda backend: backend.g1_from_affine(point))
    same_refusal(ark, fast, lambda backend: backend.g1_batch_from_affine([G1_GENERATOR, point]))


@pytest.mark.parametrize("point", MALFORMED_G2, ids=repr)
def test_g2_refusals_match_python(ark: AnyCurveBackend, fast: PythonBackend, point: Any) -> None:
    same_refusal(ark, fast, lambda backend: backend.g2_from_affine(point))
    same_refusal(ark, fast, lambda backend: backend.g2_batch_from_affine([G2_GENERATOR, point]))


def test_subgroup_checks(ark: AnyCurveBackend) -> None:
    for point in OUTSIDE:
        assert ark.g2_is_on_curve(point)
        assert not ark.g2_is_in_subgroup(point)
    assert ark.g2_is_in_subgroup(G2_GENERATOR)
    assert ark.g2_is_in_subgroup(None)
    assert not ark.g2_is_in_subgroup(((1, 2), (3, 4)))
    assert not ark.g2_is_in_subgroup("not a point")
    assert ark.g1_is_on_curve(None)
    assert ark.g2_is_on_curve(None)


@settings(max_examples=6, deadline=None)
@given(scalars)
def test_twist_points_outside_the_subgroup_are_refused(
    ark: AnyCurveBackend, fast: PythonBackend, k: int
) -> None:
    """k·P for P outside G2 stays outside (unless k kills the cofactor part, which no
    random k does); in a batch, a later off-curve point is still reported first."""
    # the python backend's points are affine tuples, and it trusts them: a way to scale one
    outside = fast.g2_to_affine(fast.g2_mul(OUTSIDE[1], k))
    if outside is None or fast.g2_is_in_subgroup(outside):
        return
    assert ark.g2_is_on_curve(outside)
    assert not ark.g2_is_in_subgroup(outside)
    message = same_refusal(ark, fast, lambda backend: backend.g2_from_affine(outside))
    assert "order-r subgroup" in message
    off_curve = ((1, 2), (3, 4))
    batch = [G2_GENERATOR, outside, off_curve]
    message = same_refusal(ark, fast, lambda backend: backend.g2_batch_from_affine(batch))
    assert "not on the twist" in message


@settings(max_examples=25, deadline=None)
@given(fq_elements, fq_elements)
def test_random_g1_coordinates(ark: AnyCurveBackend, fast: PythonBackend, x: int, y: int) -> None:
    """Random pairs are (almost) never on the curve; the y that is must be accepted."""
    assert ark.g1_is_on_curve((x, y)) == fast.g1_is_on_curve((x, y))
    if not fast.g1_is_on_curve((x, y)):
        same_refusal(ark, fast, lambda backend: backend.g1_from_affine((x, y)))
    root = fq_sqrt((x**3 + 3) % FQ_MODULUS)
    if root is not None:
        point = (x, int(root))
        assert ark.g1_to_affine(ark.g1_from_affine(point)) == point


wide_integers = st.integers(min_value=-(1 << 300), max_value=1 << 300) | st.sampled_from(
    [-1, 0, FQ_MODULUS - 1, FQ_MODULUS, FR_MODULUS - 1, FR_MODULUS, (1 << 256) - 1, 1 << 256]
)


@settings(max_examples=40, deadline=None)
@given(wide_integers)
def test_any_integer_scalar_is_taken_or_refused_as_python_does(
    ark: AnyCurveBackend, fast: PythonBackend, k: int
) -> None:
    """Integers of any size and sign cross the boundary through their bytes: exactly those in
    [0, r) are taken, with python's result; the others raise python's error and message."""
    if 0 <= k < FR_MODULUS:
        expected = fast.g1_to_affine(fast.g1_mul(fast.g1_generator(), k))
        assert ark.g1_to_affine(ark.g1_mul(ark.g1_generator(), k)) == expected
        assert ark.intt(ark.ntt([k, 0])) == [k, 0]
    else:
        same_refusal(ark, fast, lambda backend: backend.g1_mul(backend.g1_generator(), k))
        same_refusal(ark, fast, lambda backend: backend.ntt([0, k]))


@settings(max_examples=40, deadline=None)
@given(wide_integers, st.booleans())
def test_any_integer_coordinate_is_taken_or_refused_as_python_does(
    ark: AnyCurveBackend, fast: PythonBackend, value: int, as_y: bool
) -> None:
    """A coordinate outside [0, q) is refused even where reducing it would give a curve point."""
    point = (1, value) if as_y else (value, 2)
    if fast.g1_is_on_curve(point):
        assert ark.g1_to_affine(ark.g1_from_affine(point)) == point
    else:
        same_refusal(ark, fast, lambda backend: backend.g1_from_affine(point))
    wrapped = (1, 2 + FQ_MODULUS * (1 + abs(value) % 3))
    same_refusal(ark, fast, lambda backend: backend.g1_from_affine(wrapped))


@pytest.mark.parametrize("scalar", [FR_MODULUS, FR_MODULUS + 1, -1, 1 << 300, 2.0, "3", None])
def test_scalars_outside_fr_are_refused(
    ark: AnyCurveBackend, fast: PythonBackend, scalar: Any
) -> None:
    g1, g2 = ark.g1_generator(), ark.g2_generator()
    calls: list[Callable[[], object]] = [
        lambda: ark.g1_mul(g1, scalar),
        lambda: ark.g2_mul(g2, scalar),
        lambda: ark.g1_msm([g1, g1], [1, scalar]),
        lambda: ark.g2_msm([g2], [scalar]),
        lambda: ark.g1_batch_mul([g1], scalar),
        lambda: ark.g2_batch_mul([], scalar),
        lambda: ark.g1_fixed_base_mul(g1, [scalar]),
        lambda: ark.g2_fixed_base_mul(g2, [2, scalar]),
        lambda: ark.ntt([scalar, 0]),
        lambda: ark.intt([0, scalar]),
        lambda: ark.coset_ntt([0, 0], scalar),
        lambda: ark.coset_intt([0, 0], scalar),
    ]
    for call in calls:
        with pytest.raises(InvalidScalarError, match=r"not in \[0, r\)"):
            call()


@pytest.mark.parametrize("scalar", [FR_MODULUS, -1, 1 << 300])
def test_scalar_messages_match_python(
    ark: AnyCurveBackend, fast: PythonBackend, scalar: int
) -> None:
    def g1(backend: Any) -> Any:
        return backend.g1_generator()

    message = same_refusal(ark, fast, lambda b: b.g1_msm([g1(b)] * 3, [1, 2, scalar]))
    assert "index 2" in message
    same_refusal(ark, fast, lambda b: b.g1_mul(g1(b), scalar))
    same_refusal(ark, fast, lambda b: b.g1_fixed_base_mul(g1(b), [scalar]))
    same_refusal(ark, fast, lambda b: b.ntt([0, scalar]))
    same_refusal(ark, fast, lambda b: b.coset_intt([0, 0], scalar))


def test_integer_types_other_than_int_are_accepted_as_scalars(ark: AnyCurveBackend) -> None:
    g = ark.g1_generator()
    expected = ark.g1_mul(g, 7)
    assert ark.g1_eq(ark.g1_mul(g, gmpy2.mpz(7)), expected)
    assert ark.g1_eq(ark.g1_msm([g, g], [gmpy2.mpz(3), True]), ark.g1_mul(g, 4))
    with pytest.raises(InvalidScalarError):
        ark.g1_mul(g, gmpy2.mpz(FR_MODULUS))


def test_lengths_and_domains(ark: AnyCurveBackend, fast: PythonBackend) -> None:
    with pytest.raises(LengthMismatchError, match="one scalar per point"):
        ark.g1_msm([ark.g1_generator()], [1, 2])
    with pytest.raises(LengthMismatchError, match="got 0 points, 1 scalars"):
        ark.g2_msm([], [1])
    for size in (0, 3, 6, 12):
        message = same_refusal(ark, fast, lambda backend, size=size: backend.ntt([1] * size))
        assert "power of two" in message
        with pytest.raises(InvalidDomainError):
            ark.coset_intt([1] * size, 5)
    message = same_refusal(ark, fast, lambda backend: backend.coset_ntt([1, 2], 0))
    assert "non-zero" in message
    same_refusal(ark, fast, lambda backend: backend.coset_ntt([1, 2, 3], 0))


def test_points_of_another_backend_are_refused(ark: AnyCurveBackend, fast: PythonBackend) -> None:
    g = ark.g1_generator()
    foreign = fast.g1_generator()
    calls: list[Callable[[], object]] = [
        lambda: ark.g1_add(g, foreign),
        lambda: ark.g1_msm([g, foreign], [1, 2]),
        lambda: ark.g1_batch_to_affine([g, foreign]),
        lambda: ark.g2_neg(g),
        lambda: ark.multi_pairing_check([(g, foreign)]),
        lambda: ark.g1_fixed_base_mul(None, [1]),
    ]
    for call in calls:
        with pytest.raises(InvalidPointError, match="not a point of the arkworks backend"):
            call()
    with pytest.raises(InvalidPointError, match="at index 1"):
        ark.g1_batch_mul([g, foreign], 2)
    with pytest.raises(InvalidPointError, match="pair 0"):
        ark.multi_pairing_check([g])


@settings(max_examples=10, deadline=None)
@given(st.lists(st.sampled_from([*MALFORMED_G1, G1_GENERATOR, None]), min_size=1, max_size=6))
def test_the_first_refused_point_of_a_batch_is_named(
    ark: AnyCurveBackend, fast: PythonBackend, points: list[Any]
) -> None:
    if all(fast.g1_is_on_curve(point) for point in points):
        assert ark.g1_batch_to_affine(ark.g1_batch_from_affine(points)) == points
    else:
        same_refusal(ark, fast, lambda backend: backend.g1_batch_from_affine(points))
