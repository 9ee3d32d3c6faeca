"""Curve points in the storage form of .zkey and .ptau files ("LEM"), decoded and validated.

Each coordinate is made of n8-byte little-endian field elements in Montgomery form (value·R
mod q): G1 is x ‖ y, G2 is x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1, and all-zero bytes are the point at
infinity ((0, 0) is on neither curve, so that is unambiguous).

:func:`g1_batch_from_lem` and :func:`g2_batch_from_lem` are the Python backends'
implementation of the protocol methods of the same name; the arkworks plugin decodes natively
and reports the same first failure in the same words. The checks, in this order:

1. the block is whole points (InvalidPointError);
2. every element is below q; the first that is not is named (InvalidScalarError, as a
   coordinate ≥ q is wherever else points are read);
3. every point is on the curve, then (G2) every point is in the order-r subgroup; the first
   point failing is named (InvalidPointError).

Points are numbered from ``first``: where the block starts in its section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from paraloom.errors import InvalidPointError, InvalidScalarError
from paraloom.math.curve import not_in_subgroup, require_g1, require_g2_on_curve
from paraloom.math.fields import FQ_MODULUS

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from paraloom.math.backend import CurveBackend, G1Affine, G2Affine

_P = TypeVar("_P")
_A = TypeVar("_A")

#: Bytes of one stored Fq element; R = 2^256.
FQ_BYTES = 32
_FQ_R_INVERSE = pow(1 << (8 * FQ_BYTES), -1, FQ_MODULUS)


def montgomery_elements(
    data: bytes,
    n8: int,
    modulus: int,
    r_inverse: int,
    *,
    name: Callable[[int], str] = "element {}".format,
) -> list[int]:
    """Stored Montgomery-form elements as plain values; the first one not below the modulus
    is refused under ``name(its index)``."""
    if len(data) % n8:
        raise InvalidScalarError(f"{len(data)} bytes are not whole {n8}-byte elements")
    stored = [int.from_bytes(data[i : i + n8], "little") for i in range(0, len(data), n8)]
    if stored and max(stored) >= modulus:
        index = next(i for i, value in enumerate(stored) if value >= modulus)
        raise InvalidScalarError(f"{name(index)} is {stored[index]}, not below {modulus}")
    return [value * r_inverse % modulus for value in stored]


def g1_affines(values: Sequence[int]) -> list[G1Affine]:
    """Consecutive (x, y) values as G1 points; (0, 0) is infinity."""
    pairs = zip(values[::2], values[1::2], strict=True)
    return [None if x == y == 0 else (x, y) for x, y in pairs]


def g2_affines(values: Sequence[int]) -> list[G2Affine]:
    """Consecutive (x0, x1, y0, y1) values as G2 points; all zeros is infinity."""
    quads = zip(values[::4], values[1::4], values[2::4], values[3::4], strict=True)
    return [None if x0 == x1 == y0 == y1 == 0 else ((x0, x1), (y0, y1)) for x0, x1, y0, y1 in quads]


def g1_batch_from_lem(backend: CurveBackend[_P, Any], data: bytes, first: int = 0) -> list[_P]:
    points = g1_affines(_fq_elements(data, 2, "G1", first))

    def on_curve(point: G1Affine) -> None:
        require_g1(point, backend.g1_is_on_curve)

    return _validated(backend.g1_batch_from_affine, points, (on_curve,), first)


def g2_batch_from_lem(backend: CurveBackend[Any, _P], data: bytes, first: int = 0) -> list[_P]:
    points = g2_affines(_fq_elements(data, 4, "G2", first))

    def on_curve(point: G2Affine) -> None:
        require_g2_on_curve(point, backend.g2_is_on_curve)

    def in_subgroup(point: G2Affine) -> None:
        if not backend.g2_is_in_subgroup(point):
            raise not_in_subgroup(point)

    return _validated(backend.g2_batch_from_affine, points, (on_curve, in_subgroup), first)


def _fq_elements(data: bytes, per_point: int, group: str, first: int) -> list[int]:
    width = per_point * FQ_BYTES
    if len(data) % width:
        raise InvalidPointError(f"{len(data)} bytes are not whole {width}-byte {group} points")

    def name(index: int) -> str:
        return f"point {first + index // per_point}: element {index % per_point}"

    return montgomery_elements(data, FQ_BYTES, FQ_MODULUS, _FQ_R_INVERSE, name=name)


def _validated(
    convert: Callable[[Sequence[_A]], list[_P]],
    points: Sequence[_A],
    requirements: Sequence[Callable[[_A], None]],
    first: int,
) -> list[_P]:
    """The batch conversion (the fast path); only a batch that fails is searched, check by
    check, for the point to name."""
    try:
        return convert(points)
    except InvalidPointError as batch_error:
        raise _first_refused(points, requirements, first) or batch_error from None


def _first_refused(
    points: Sequence[_A], requirements: Sequence[Callable[[_A], None]], first: int
) -> InvalidPointError | None:
    for require in requirements:
        for index, point in enumerate(points):
            try:
                if point is not None:
                    require(point)
            except InvalidPointError as error:
                return InvalidPointError(f"point {first + index}: {error}")
    return None
