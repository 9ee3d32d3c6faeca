"""Curve points as .zkey and .ptau store them: affine coordinates in little-endian Montgomery form.

G1 is x ‖ y, G2 is x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1, each coordinate n8 bytes of value·R mod q. The
point at infinity is all-zero bytes; since (0, 0) is on neither curve, that encoding is
unambiguous, and writing a finite (0, 0) is refused so it can never alias infinity. No curve
or subgroup check happens here: that needs curve arithmetic and belongs to the backend, whose
``g1_batch_from_lem``/``g2_batch_from_lem`` decode and check a block of stored points at once
(:func:`point_blocks` cuts a section into such blocks).

Hashes (the circuit hash, phase-2 transcripts and contribution hashes) are taken over another
encoding, bellman's uncompressed one (snarkjs' "U"): plain big-endian coordinates, see
:func:`g1_uncompressed` and :func:`g2_uncompressed`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from paraloom.errors import FormatError, InvalidPointError, InvalidScalarError
from paraloom.math.lem import g1_affines, g2_affines, montgomery_elements

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from paraloom.formats.container import ContainerWriter, SectionReader, SectionWriter
    from paraloom.formats.fields import PrimeField
    from paraloom.math.backend import G1Affine, G2Affine

_P = TypeVar("_P")
#: Points decoded per bulk read of a section: the per-element cost of a Python-level read is
#: what dominates walking a large key, so whole blocks are sliced and converted at once.
BLOCK_POINTS = 1 << 12


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
    """A section of exactly ``count`` points, yielded one by one (constant memory).

    ``read`` is :func:`read_g1` or :func:`read_g2`; the points are read in blocks of
    :data:`BLOCK_POINTS` and decoded by :func:`decode_g1s` or :func:`decode_g2s`.
    """
    coordinates, decode = _BULK[read]
    width = coordinates * q.n8
    for first in range(0, count, BLOCK_POINTS):
        wanted = min(BLOCK_POINTS, count - first)
        whole = min(wanted, section.remaining // width)
        try:
            yield from decode(section.read(whole * width), q)
        except InvalidScalarError as error:
            where = section.error(f"points {first} to {first + whole - 1}")
            raise InvalidScalarError(f"{where}: {error}") from None
        for _ in range(wanted - whole):
            yield read(section, q)  # a truncated section fails here, naming the missing bytes
    section.finish()


def point_blocks(
    chunks: Iterable[bytes], count: int, width: int, where: str
) -> Iterator[tuple[int, bytes]]:
    """(index of the first point, stored bytes of up to :data:`BLOCK_POINTS` points) over a
    section's raw ``chunks``, which must hold exactly ``count`` points of ``width`` bytes."""
    block, expected = BLOCK_POINTS * width, count * width
    pending, first, seen = b"", 0, 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > expected:
            break
        pending += chunk
        while len(pending) >= block:
            yield first, pending[:block]
            pending, first = pending[block:], first + BLOCK_POINTS
    if seen != expected:
        raise FormatError(f"{where} is not the {count} points of {width} bytes it should hold")
    if pending:
        yield first, pending


def decode_g1s(data: bytes, q: PrimeField) -> list[G1Affine]:
    """Consecutive stored G1 points (as :func:`read_g1` reads them one by one)."""
    return g1_affines(_decode_elements(data, q))


def decode_g2s(data: bytes, q: PrimeField) -> list[G2Affine]:
    """Consecutive stored G2 points (as :func:`read_g2` reads them one by one)."""
    return g2_affines(_decode_elements(data, q))


def _decode_elements(data: bytes, q: PrimeField) -> list[int]:
    return montgomery_elements(data, q.n8, q.modulus, q.montgomery_r_inverse)


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


#: How :func:`read_points` reads a block of what each point reader reads one by one.
_BULK: dict[object, tuple[int, Callable[[bytes, PrimeField], list[Any]]]] = {
    read_g1: (2, decode_g1s),
    read_g2: (4, decode_g2s),
}


def g1_uncompressed(point: G1Affine) -> bytes:
    """bellman's (and snarkjs' "U") encoding: x ‖ y big-endian; infinity is all zeros."""
    x, y = (0, 0) if point is None else point
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


def g2_uncompressed(point: G2Affine) -> bytes:
    """x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0 big-endian (the higher coefficient first); infinity zeros."""
    (x0, x1), (y0, y1) = ((0, 0), (0, 0)) if point is None else point
    return b"".join(value.to_bytes(32, "big") for value in (x1, x0, y1, y0))
