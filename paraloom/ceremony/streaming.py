"""Walking keys in constant memory: opening them, chunking point sections, copying sections.

Every ceremony step reads its keys through :class:`~paraloom.formats.zkey.ZkeyReader` and
handles points in chunks of :data:`CHUNK_POINTS`: large enough that a batch shares one field
inversion per addition step, small enough that a 2^20-point section never sits in memory.
A verification hands the stored bytes of each chunk to the backend (:func:`g1_blocks`), which
decodes and checks them without a Python int per coordinate.
"""

from __future__ import annotations

import contextlib
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from paraloom.errors import (
    CeremonyVerificationError,
    FormatError,
    InvalidPointError,
    InvalidScalarError,
)
from paraloom.formats.fields import FQ, FR
from paraloom.formats.files import open_source, stream_name
from paraloom.formats.points import BLOCK_POINTS, point_blocks
from paraloom.formats.zkey import ZkeyReader
from paraloom.math.lem import FQ_BYTES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from paraloom.formats.container import ContainerWriter
    from paraloom.formats.files import Target
    from paraloom.math.backend import AnyCurveBackend

CHUNK_POINTS = BLOCK_POINTS

_T = TypeVar("_T")


@contextlib.contextmanager
def open_zkey(source: Target) -> Iterator[ZkeyReader]:
    """A reader over a BN254 Groth16 .zkey (the only curve the backends implement)."""
    with open_source(source) as stream:
        reader = ZkeyReader(stream)
        if (reader.header.q, reader.header.r) != (FQ, FR):
            raise FormatError(f"{stream_name(stream)}: the zkey is not over BN254")
        yield reader


def chunked(items: Iterable[_T], size: int = CHUNK_POINTS) -> Iterator[list[_T]]:
    """Consecutive lists of ``size`` items (the last one shorter)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def paired_chunks(
    ours: Iterable[_T], theirs: Iterable[_T]
) -> Iterator[tuple[int, tuple[list[_T], list[_T]]]]:
    """(offset, (our chunk, their chunk)) over two sections known to be equally long."""
    for index, pair in enumerate(zip(chunked(ours), chunked(theirs), strict=True)):
        yield index * CHUNK_POINTS, pair


def g1_blocks(
    backend: AnyCurveBackend, reader: ZkeyReader, section_id: int, count: int, where: str
) -> Iterator[list[Any]]:
    """The backend points of a section of ``count`` G1 points, a checked chunk at a time.

    A point off the curve is a verdict about the key (CeremonyVerificationError naming it);
    a coordinate not below q stays an InvalidScalarError, as wherever else a key is read.
    """
    return _blocks(backend.g1_batch_from_lem, reader, section_id, (count, 2 * FQ_BYTES), where)


def g2_blocks(
    backend: AnyCurveBackend, reader: ZkeyReader, section_id: int, count: int, where: str
) -> Iterator[list[Any]]:
    """As :func:`g1_blocks`, for G2 points (also checked to be in the subgroup)."""
    return _blocks(backend.g2_batch_from_lem, reader, section_id, (count, 4 * FQ_BYTES), where)


def _blocks(
    decode: Callable[..., list[Any]],
    reader: ZkeyReader,
    section_id: int,
    shape: tuple[int, int],
    where: str,
) -> Iterator[list[Any]]:
    for first, data in point_blocks(reader.chunks(section_id), *shape, where):
        try:
            points = decode(data, first=first)
        except InvalidPointError as error:
            raise CeremonyVerificationError(f"{where}: {error}") from None
        except InvalidScalarError as error:
            raise InvalidScalarError(f"{where}: {error}") from None
        yield points


def copy_section(writer: ContainerWriter, reader: ZkeyReader, section_id: int) -> None:
    """A section byte for byte, as snarkjs copies the ones a contribution leaves alone."""
    with writer.section(section_id) as section:
        for chunk in reader.chunks(section_id):
            section.write(chunk)
