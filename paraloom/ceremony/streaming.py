"""Walking keys in constant memory: opening them, chunking point sections, copying sections.

Every ceremony step reads its keys through :class:`~paraloom.formats.zkey.ZkeyReader` and
handles points in chunks of :data:`CHUNK_POINTS`: large enough that a batch shares one field
inversion per addition step, small enough that a 2^20-point section never sits in memory.
"""

from __future__ import annotations

import contextlib
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from paraloom.errors import FormatError
from paraloom.formats.fields import FQ, FR
from paraloom.formats.files import open_source, stream_name
from paraloom.formats.zkey import ZkeyReader

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from paraloom.formats.container import ContainerWriter
    from paraloom.formats.files import Target

CHUNK_POINTS = 1 << 12

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


def copy_section(writer: ContainerWriter, reader: ZkeyReader, section_id: int) -> None:
    """A section byte for byte, as snarkjs copies the ones a contribution leaves alone."""
    with writer.section(section_id) as section:
        for chunk in reader.chunks(section_id):
            section.write(chunk)
