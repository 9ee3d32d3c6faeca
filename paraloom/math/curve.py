"""Curve constants and the boundary checks every backend applies to untrusted affine points.

The checks live here once so that each backend only supplies its own on-curve and subgroup
predicates, and every backend reports a refused point with the same message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paraloom.errors import InvalidPointError
from paraloom.math.fields import FQ_MODULUS

if TYPE_CHECKING:
    from collections.abc import Callable

    from paraloom.math.backend import G1Affine, G2Affine

G1_B = 3
"""G1: y² = x³ + 3 over Fq."""

G2_B = (
    19485874751759354771024239261021720505790618469301721065564631296452457478373,
    266929791119991161246907387137283842545076965332900288569378510910307636690,
)
"""G2 (the D-type twist): y² = x³ + 3/(9 + u) over Fq2."""

G1_GENERATOR: G1Affine = (1, 2)

G2_GENERATOR: G2Affine = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)


def _canonical(value: object) -> bool:
    return type(value) is int and 0 <= value < FQ_MODULUS


def g1_is_canonical(point: G1Affine) -> bool:
    """Whether ``point`` has the documented shape with coordinates in [0, q)."""
    return point is None or (
        isinstance(point, tuple) and len(point) == 2 and all(_canonical(c) for c in point)
    )


def g2_is_canonical(point: G2Affine) -> bool:
    return point is None or (
        isinstance(point, tuple)
        and len(point) == 2
        and all(
            isinstance(coord, tuple) and len(coord) == 2 and all(_canonical(c) for c in coord)
            for coord in point
        )
    )


def require_g1(point: G1Affine, on_curve: Callable[[G1Affine], bool]) -> None:
    """Raise InvalidPointError naming the first check ``point`` fails (G1 has cofactor 1)."""
    if not g1_is_canonical(point):
        raise InvalidPointError(f"G1 point {point!r} is not a pair of integer coordinates below q")
    if not on_curve(point):
        raise InvalidPointError(f"G1 point {point!r} is not on the curve y² = x³ + 3")


def require_g2_on_curve(point: G2Affine, on_curve: Callable[[G2Affine], bool]) -> None:
    """Raise InvalidPointError naming the first check ``point`` fails, before the subgroup."""
    if not g2_is_canonical(point):
        raise InvalidPointError(
            f"G2 point {point!r} is not a pair of Fq2 coordinates ((x0, x1), (y0, y1)) below q"
        )
    if not on_curve(point):
        raise InvalidPointError(f"G2 point {point!r} is not on the twist y² = x³ + 3/(9 + u)")


def not_in_subgroup(point: G2Affine) -> InvalidPointError:
    """The error for an on-curve G2 point outside the order-r subgroup.

    Separate from :func:`require_g2_on_curve` because backends check the subgroup in batches.
    """
    return InvalidPointError(f"G2 point {point!r} is not in the order-r subgroup")
