"""Length-prefixed frames: round trips under any chunking, and the size cap."""

from __future__ import annotations

import asyncio
import itertools
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import TransportError
from paraloom.network.frames import encode_frame, read_frame

CAP = 4096


async def read_all(chunks: list[bytes], cap: int = CAP) -> list[bytes]:
    reader = asyncio.StreamReader()
    for chunk in chunks:
        reader.feed_data(chunk)
    reader.feed_eof()
    bodies = []
    while (body := await read_frame(reader, cap)) is not None:
        bodies.append(body)
    return bodies


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    return [data[start:end] for start, end in itertools.pairwise(points)]


@given(st.lists(st.binary(max_size=300), max_size=8), st.lists(st.integers(min_value=0)))
def test_frames_round_trip_however_the_stream_is_cut(bodies: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(encode_frame(body, CAP) for body in bodies)
    assert asyncio.run(read_all(split(stream, cuts))) == bodies


@given(st.binary(max_size=64))
def test_a_frame_is_its_big_endian_length_then_its_body(body: bytes) -> None:
    assert encode_frame(body, CAP) == struct.pack(">I", len(body)) + body


def test_a_body_of_exactly_the_cap_is_accepted_one_more_byte_is_not() -> None:
    assert asyncio.run(read_all([encode_frame(b"x" * CAP, CAP)])) == [b"x" * CAP]
    with pytest.raises(TransportError, match=r"4097 bytes.*4KiB"):
        encode_frame(b"x" * (CAP + 1), CAP)


@given(st.integers(min_value=CAP + 1, max_value=2**32 - 1))
def test_an_oversized_prefix_is_refused_before_any_body_is_read(length: int) -> None:
    # no body follows: reading one would end in IncompleteReadError, not TransportError
    with pytest.raises(TransportError, match=f"{length} bytes"):
        asyncio.run(read_all([struct.pack(">I", length)]))


@pytest.mark.parametrize("stream", [b"\x00\x00", struct.pack(">I", 10) + b"short"])
def test_a_stream_that_ends_inside_a_frame_is_incomplete(stream: bytes) -> None:
    with pytest.raises(asyncio.IncompleteReadError):
        asyncio.run(read_all([stream]))


def test_a_clean_end_between_frames_is_the_end() -> None:
    assert asyncio.run(read_all([])) == []
