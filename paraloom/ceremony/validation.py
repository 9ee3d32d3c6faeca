"""Curve checks on every point a verification reads, failing as "invalid", not "unreadable".

A point off the curve or outside the order-r subgroup in a key is a verdict about the key
(exit 1), so the backends' InvalidPointError becomes a CeremonyVerificationError that names
where the point is. Points are checked in batches (the backend shares one [r]·P chain across
a G2 batch); only when a batch fails is it searched for the culprit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from paraloom.errors import CeremonyVerificationError, InvalidPointError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from paraloom.math.backend import AnyCurveBackend, G1Affine, G2Affine

_A = TypeVar("_A")


def valid_g1s(
    backend: AnyCurveBackend, points: Sequence[G1Affine], where: str, offset: int = 0
) -> list[Any]:
    """The points as backend points; ``offset`` numbers them within their section."""
    return _convert(backend.g1_batch_from_affine, points, where, offset)


def valid_g2s(
    backend: AnyCurveBackend, points: Sequence[G2Affine], where: str, offset: int = 0
) -> list[Any]:
    return _convert(backend.g2_batch_from_affine, points, where, offset)


def valid_g1(backend: AnyCurveBackend, point: G1Affine, where: str) -> Any:
    """One point that must be a real group element: infinity is refused too."""
    _require_finite(point, where)
    return valid_g1s(backend, [point], where)[0]


def valid_g2(backend: AnyCurveBackend, point: G2Affine, where: str) -> Any:
    _require_finite(point, where)
    return valid_g2s(backend, [point], where)[0]


def _require_finite(point: object, where: str) -> None:
    if point is None:
        raise CeremonyVerificationError(f"{where} is the point at infinity")


def _convert(
    convert: Callable[[Sequence[_A]], list[Any]], points: Sequence[_A], where: str, offset: int
) -> list[Any]:
    try:
        return convert(points)
    except InvalidPointError as batch_error:
        raise _locate(convert, points, where, offset, batch_error) from None


def _locate(
    convert: Callable[[Sequence[_A]], list[Any]],
    points: Sequence[_A],
    where: str,
    offset: int,
    batch_error: InvalidPointError,
) -> CeremonyVerificationError:
    """The error naming the first bad point of a batch that failed as a whole."""
    if len(points) > 1:
        for index, point in enumerate(points):
            try:
                convert([point])
            except InvalidPointError as error:
                return CeremonyVerificationError(f"{where}: point {offset + index}: {error}")
    return CeremonyVerificationError(f"{where}: {batch_error}")
