"""A thin adapter over py_ecc's ``optimized_bn128``: the reference and test oracle.

It is slow (0.5-0.8 s per 4-pair check) and never the default; its value is that every
curve operation comes from an independent, widely used implementation. Batch operations are
plain loops over py_ecc's single operations on purpose: an oracle should be obviously right.
py_ecc has no NTT, so this backend shares :mod:`paraloom.math.ntt` (which the tests check
against naive polynomial evaluation).
"""

from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING, Any

from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.fields import optimized_bn128_FQ12 as FQ12
from py_ecc.optimized_bn128 import optimized_curve as bn
from py_ecc.optimized_bn128 import optimized_pairing

from paraloom.math import lem
from paraloom.math.curve import (
    g1_is_canonical,
    g2_is_canonical,
    not_in_subgroup,
    require_g1,
    require_g2_on_curve,
)
from paraloom.math.fields import FR_MODULUS, require_fr, require_frs, require_msm_scalars
from paraloom.math.ntt import FrNttMethods

if TYPE_CHECKING:
    from collections.abc import Sequence

    from paraloom.math.backend import CurveBackend, G1Affine, G2Affine

PyEccPoint = tuple[Any, Any, Any]
"""py_ecc's homogeneous projective (x, y, z); z = 0 at infinity."""


def _g1_point(point: G1Affine) -> PyEccPoint:
    if point is None:
        return bn.Z1
    return (FQ(point[0]), FQ(point[1]), FQ.one())


def _g2_point(point: G2Affine) -> PyEccPoint:
    if point is None:
        return bn.Z2
    x, y = point
    return (FQ2(list(x)), FQ2(list(y)), FQ2.one())


class PyEccBackend(FrNttMethods):
    """BN254 through py_ecc; use it to check other backends, not to run anything."""

    name = "py_ecc"

    def g1_identity(self) -> PyEccPoint:
        return bn.Z1

    def g1_generator(self) -> PyEccPoint:
        return bn.G1

    def g2_identity(self) -> PyEccPoint:
        return bn.Z2

    def g2_generator(self) -> PyEccPoint:
        return bn.G2

    def g1_is_on_curve(self, point: G1Affine) -> bool:
        return g1_is_canonical(point) and bool(bn.is_on_curve(_g1_point(point), bn.b))

    def g2_is_on_curve(self, point: G2Affine) -> bool:
        return g2_is_canonical(point) and bool(bn.is_on_curve(_g2_point(point), bn.b2))

    def g2_is_in_subgroup(self, point: G2Affine) -> bool:
        return bool(bn.is_inf(bn.multiply(_g2_point(point), FR_MODULUS)))

    def g1_from_affine(self, point: G1Affine) -> PyEccPoint:
        require_g1(point, self.g1_is_on_curve)
        return _g1_point(point)

    def g1_to_affine(self, point: PyEccPoint) -> G1Affine:
        if bn.is_inf(point):
            return None
        x, y = bn.normalize(point)
        return (int(x), int(y))

    def g2_from_affine(self, point: G2Affine) -> PyEccPoint:
        require_g2_on_curve(point, self.g2_is_on_curve)
        if not self.g2_is_in_subgroup(point):
            raise not_in_subgroup(point)
        return _g2_point(point)

    def g2_to_affine(self, point: PyEccPoint) -> G2Affine:
        if bn.is_inf(point):
            return None
        x, y = bn.normalize(point)
        return ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))

    def g1_batch_from_affine(self, points: Sequence[G1Affine]) -> list[PyEccPoint]:
        return [self.g1_from_affine(point) for point in points]

    def g1_batch_to_affine(self, points: Sequence[PyEccPoint]) -> list[G1Affine]:
        return [self.g1_to_affine(point) for point in points]

    def g2_batch_from_affine(self, points: Sequence[G2Affine]) -> list[PyEccPoint]:
        return [self.g2_from_affine(point) for point in points]

    def g2_batch_to_affine(self, points: Sequence[PyEccPoint]) -> list[G2Affine]:
        return [self.g2_to_affine(point) for point in points]

    def g1_batch_from_lem(self, data: bytes, *, first: int = 0) -> list[PyEccPoint]:
        return lem.g1_batch_from_lem(self, data, first)

    def g2_batch_from_lem(self, data: bytes, *, first: int = 0) -> list[PyEccPoint]:
        return lem.g2_batch_from_lem(self, data, first)

    def g1_add(self, a: PyEccPoint, b: PyEccPoint) -> PyEccPoint:
        return bn.add(a, b)

    def g1_neg(self, a: PyEccPoint) -> PyEccPoint:
        return bn.neg(a)

    def g1_mul(self, point: PyEccPoint, scalar: int) -> PyEccPoint:
        return bn.multiply(point, require_fr(scalar))

    def g1_eq(self, a: PyEccPoint, b: PyEccPoint) -> bool:
        return bool(bn.eq(a, b))

    def g2_add(self, a: PyEccPoint, b: PyEccPoint) -> PyEccPoint:
        return bn.add(a, b)

    def g2_neg(self, a: PyEccPoint) -> PyEccPoint:
        return bn.neg(a)

    def g2_mul(self, point: PyEccPoint, scalar: int) -> PyEccPoint:
        return bn.multiply(point, require_fr(scalar))

    def g2_eq(self, a: PyEccPoint, b: PyEccPoint) -> bool:
        return bool(bn.eq(a, b))

    def g1_msm(self, points: Sequence[PyEccPoint], scalars: Sequence[int]) -> PyEccPoint:
        require_msm_scalars(points, scalars)
        terms = [bn.multiply(p, k) for p, k in zip(points, scalars, strict=True)]
        return reduce(bn.add, terms, bn.Z1)

    def g2_msm(self, points: Sequence[PyEccPoint], scalars: Sequence[int]) -> PyEccPoint:
        require_msm_scalars(points, scalars)
        terms = [bn.multiply(p, k) for p, k in zip(points, scalars, strict=True)]
        return reduce(bn.add, terms, bn.Z2)

    def g1_batch_mul(self, points: Sequence[PyEccPoint], scalar: int) -> list[PyEccPoint]:
        require_fr(scalar)
        return [bn.multiply(p, scalar) for p in points]

    def g2_batch_mul(self, points: Sequence[PyEccPoint], scalar: int) -> list[PyEccPoint]:
        require_fr(scalar)
        return [bn.multiply(p, scalar) for p in points]

    def g1_fixed_base_mul(self, base: PyEccPoint, scalars: Sequence[int]) -> list[PyEccPoint]:
        require_frs(scalars)
        return [bn.multiply(base, k) for k in scalars]

    def g2_fixed_base_mul(self, base: PyEccPoint, scalars: Sequence[int]) -> list[PyEccPoint]:
        require_frs(scalars)
        return [bn.multiply(base, k) for k in scalars]

    def multi_pairing_check(self, pairs: Sequence[tuple[PyEccPoint, PyEccPoint]]) -> bool:
        product = FQ12.one()
        for p, q in pairs:
            product = product * optimized_pairing.pairing(q, p, final_exponentiate=False)
        return bool(optimized_pairing.final_exponentiate(product) == FQ12.one())


def create_backend() -> CurveBackend[PyEccPoint, PyEccPoint]:
    """The plugin entry for the reference backend."""
    return PyEccBackend()
