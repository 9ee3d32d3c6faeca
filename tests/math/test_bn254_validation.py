"""Refusing unsafe input: off-curve points, G2 points outside the subgroup, scalars >= r."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paraloom.errors import InvalidPointError, InvalidScalarError, LengthMismatchError
from paraloom.math.backend import AnyCurveBackend, CurveBackend, G2Affine
from paraloom.math.curve import G1_GENERATOR, G2_B, G2_GENERATOR
from paraloom.math.fields import FQ_MODULUS, FR_MODULUS, fq2, fq2_add, fq2_mul, fq2_sqr, fq2_sqrt
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.py_ecc_backend import create_backend as create_py_ecc
from paraloom.math.python_backend import PythonBackend
from paraloom.math.python_backend import create_backend as create_python


def _twist_point_outside_subgroup() -> G2Affine:
    """The first twist point with x = i + 0·u: almost surely outside G2 (cofactor ≈ q)."""
    for i in range(1, 100):
        x = fq2(i, 0)
        y = fq2_sqrt(fq2_add(fq2_mul(fq2_sqr(x), x), fq2(*G2_B)))
        if y is not None:
            return ((int(x[0]), int(x[1])), (int(y[0]), int(y[1])))
    raise AssertionError("no twist point found")


OUTSIDE_SUBGROUP = _twist_point_outside_subgroup()


@pytest.fixture(params=["python", "py_ecc"])
def backend(request: pytest.FixtureRequest, fast: PythonBackend, ref: PyEccBackend) -> Any:
    return fast if request.param == "python" else ref


def test_factories_build_protocol_implementations() -> None:
    python, py_ecc = create_python(), create_py_ecc()
    assert isinstance(python, CurveBackend)
    assert isinstance(py_ecc, CurveBackend)
    assert (python.name, py_ecc.name) == ("python", "py_ecc")


@pytest.mark.parametrize(
    ("point", "check"),
    [
        ((1, 3), "not on the curve"),
        ((0, 0), "not on the curve"),
        ((1, 2 + FQ_MODULUS), "below q"),
        ((1, -2), "below q"),
        ((1,), "below q"),
        ((1.0, 2.0), "below q"),
    ],
)
def test_g1_refuses_invalid_points(backend: AnyCurveBackend, point: Any, check: str) -> None:
    assert not backend.g1_is_on_curve(point)
    with pytest.raises(InvalidPointError, match=check):
        backend.g1_from_affine(point)
    with pytest.raises(InvalidPointError, match=check):
        backend.g1_batch_from_affine([G1_GENERATOR, point])


def _off_twist() -> G2Affine:
    assert G2_GENERATOR is not None
    x, (y0, y1) = G2_GENERATOR
    return (x, (y0, (y1 + 1) % FQ_MODULUS))


@pytest.mark.parametrize(
    ("make_point", "check"),
    [
        (_off_twist, "not on the twist"),
        (lambda: OUTSIDE_SUBGROUP, "not in the order-r subgroup"),
        (lambda: ((1, 2), (3, FQ_MODULUS)), "below q"),
        (lambda: ((1, 2), 3), "below q"),
    ],
)
def test_g2_refuses_invalid_points(
    backend: AnyCurveBackend, make_point: Callable[[], Any], check: str
) -> None:
    point = make_point()
    with pytest.raises(InvalidPointError, match=check):
        backend.g2_from_affine(point)
    with pytest.raises(InvalidPointError, match=check):
        backend.g2_batch_from_affine([G2_GENERATOR, point])


def test_subgroup_check_distinguishes(backend: AnyCurveBackend) -> None:
    assert backend.g2_is_on_curve(OUTSIDE_SUBGROUP)
    assert not backend.g2_is_in_subgroup(OUTSIDE_SUBGROUP)
    assert backend.g2_is_in_subgroup(G2_GENERATOR)
    assert backend.g2_is_in_subgroup(None)


@pytest.mark.parametrize("scalar", [FR_MODULUS, FR_MODULUS + 1, -1, 1 << 300])
def test_scalars_outside_fr_are_refused(backend: AnyCurveBackend, scalar: int) -> None:
    g1, g2 = backend.g1_generator(), backend.g2_generator()
    calls: list[Callable[[], object]] = [
        lambda: backend.g1_mul(g1, scalar),
        lambda: backend.g2_mul(g2, scalar),
        lambda: backend.g1_msm([g1, g1], [1, scalar]),
        lambda: backend.g2_msm([g2], [scalar]),
        lambda: backend.g1_batch_mul([g1], scalar),
        lambda: backend.g2_batch_mul([], scalar),
        lambda: backend.g1_fixed_base_mul(g1, [scalar]),
        lambda: backend.g2_fixed_base_mul(g2, [2, scalar]),
        lambda: backend.ntt([scalar, 0]),
        lambda: backend.coset_intt([0, 0], scalar),
    ]
    for call in calls:
        with pytest.raises(InvalidScalarError):
            call()


def test_msm_refuses_mismatched_lengths(backend: AnyCurveBackend) -> None:
    with pytest.raises(LengthMismatchError, match="one scalar per point"):
        backend.g1_msm([backend.g1_generator()], [1, 2])
