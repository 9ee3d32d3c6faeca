"""Length-prefixed frames: a u32 big-endian length, then that many bytes.

The length is checked against the cap before a byte of the body is read, so a peer that
announces 4 GiB costs the reader four bytes of memory, not four gigabytes.
"""

from __future__ import annotations

import asyncio
import struct

from paraloom.errors import TransportError
from paraloom.units import format_size

_LENGTH = struct.Struct(">I")
LENGTH_SIZE = _LENGTH.size
MAX_LENGTH = 2**32 - 1


def encode_frame(body: bytes, max_frame_size: int) -> bytes:
    """The frame that carries ``body``; refused when the peer would refuse it."""
    _check_length(len(body), max_frame_size)
    return _LENGTH.pack(len(body)) + body


async def read_frame(reader: asyncio.StreamReader, max_frame_size: int) -> bytes | None:
    """The next frame's body, or None at a clean end of stream between frames.

    Raises TransportError for a length above the cap (the stream cannot be resynchronised
    after it, so close the connection) and asyncio.IncompleteReadError when the stream ends
    inside a frame.
    """
    header = await reader.read(LENGTH_SIZE)
    if not header:
        return None
    if len(header) < LENGTH_SIZE:
        header += await reader.readexactly(LENGTH_SIZE - len(header))
    (length,) = _LENGTH.unpack(header)
    _check_length(length, max_frame_size)
    return await reader.readexactly(length)


def _check_length(length: int, max_frame_size: int) -> None:
    if length > min(max_frame_size, MAX_LENGTH):
        raise TransportError(
            f"a frame of {length} bytes exceeds the maximum frame size "
            f"of {format_size(max_frame_size)}"
        )
