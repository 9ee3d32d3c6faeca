"""Curve points as .zkey and .ptau store them: affine coordinates in little-endian Montgomery form.

G1 is x ‖ y, G2 is x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1, each coordinate n8 bytes of value·R mod q. The
point at infinity is all-zero bytes; since (0, 0) is on neither curve, that encoding is
unambiguous, and writing a finite (0, 0) is refused so it can never alias infinity. No curve
or subgroup check happens here: that needs curve arithmetic and belongs to the backend.

Hashes (the circuit hash, phase-2 transcripts and contribution hashes) are taken over another
encoding, bellman's uncompressed one (snarkjs' "U"): plain big-endian coordinates, see
:func:`g1_uncompressed` and :func:`g2_uncompressed`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from paraloom.errors import InvalidPointError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from paraloom.formats.container import ContainerWriter, SectionReader, SectionWriter
    from paraloom.formats.fields import PrimeField
    from paraloom.math.backend import G1Affine, G2Affine

_P = TypeVar("_P")


def read_g1(section: SectionReader, q: PrimeField) -> G1Affine:
    x, y = (section.element(q, montgomery=True) for _ in range(2))
    return None if x == y == 0 else (x, y)


def read_g2(section: SectionReader, q: PrimeField) -> G2Affine:
    x0, x1, y0, y1 = (section.element(q, montgomery=True) for _ in range(4))
    return None if x0 == x1 == y0 == y1 == 0 else ((x0, x1), (y0, y1))


def write_g1(section: SectionWriter, q: PrimeField, point: G1Affine) -> None:
    if point == (0, 0):
        raise _aliases_infinity(point)
    x, y = (0, 0) if point is None else point
    for value in (x, y):
        section.element(q, value, montgomery=True)


def write_g2(section: SectionWriter, q: PrimeField, point: G2Affine) -> None:
    if point == ((0, 0), (0, 0)):
        raise _aliases_infinity(point)
    (x0, x1), (y0, y1) = ((0, 0), (0, 0)) if point is None else point
    for value in (x0, x1, y0, y1):
        section.element(q, value, montgomery=True)


def _aliases_infinity(point: object) -> InvalidPointError:
    return InvalidPointError(f"{point} is not a curve point; infinity is None")


def read_points(
    section: SectionReader,
    count: int,
    q: PrimeField,
    read: Callable[[SectionReader, PrimeField], _P],
) -> Iterator[_P]:
    """A section of exactly ``count`` points, yielded one by one (constant memory)."""
    for _ in range(count):
        yield read(section, q)
    section.finish()


def write_points(
    writer: ContainerWriter,
    section_id: int,
    points: Iterable[_P],
    q: PrimeField,
    write: Callable[[SectionWriter, PrimeField, _P], None],
) -> None:
    with writer.section(section_id) as section:
        for point in points:
            write(section, q, point)


def g1_uncompressed(point: G1Affine) -> bytes:
    """bellman's (and snarkjs' "U") encoding: x ‖ y big-endian; infinity is all zeros."""
    x, y = (0, 0) if point is None else point
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


def g2_uncompressed(point: G2Affine) -> bytes:
    """x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0 big-endian (the higher coefficient first); infinity zeros."""
    (x0, x1), (y0, y1) = ((0, 0), (0, 0)) if point is None else point
    return b"".join(value.to_bytes(32, "big") for value in (x1, x0, y1, y0))
