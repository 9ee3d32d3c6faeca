"""Block decoding of point sections and section 4 agrees with reading entry by entry."""

from __future__ import annotations

import io
import struct
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import FormatError, InvalidScalarError
from paraloom.formats import points
from paraloom.formats.fields import FQ, FR
from paraloom.formats.points import decode_g1s, decode_g2s
from paraloom.formats.zkey import COEFFICIENTS, H, ZkeyReader, read_zkey

from .strategies import elements
from .test_zkey import MUL, encode, replace_section, zkeys

if TYPE_CHECKING:
    from collections.abc import Callable

    from paraloom.formats.zkey import Zkey
    from paraloom.math.backend import G1Affine, G2Affine

Q = FQ.modulus
coordinates = elements(FQ)
g1_points = st.none() | st.tuples(coordinates, coordinates).filter(lambda p: p != (0, 0))
g2_points = st.none() | st.tuples(
    st.tuples(coordinates, coordinates), st.tuples(coordinates, coordinates)
).filter(lambda p: p != ((0, 0), (0, 0)))


def stored(values: list[int]) -> bytes:
    """Montgomery little-endian bytes, encoded by the field codec, not by points.py."""
    return b"".join(FQ.encode(value, montgomery=True) for value in values)


@given(st.lists(g1_points, max_size=20))
def test_g1_blocks_decode_point_by_point(expected: list[G1Affine]) -> None:
    data = stored([value for point in expected for value in (point or (0, 0))])
    assert decode_g1s(data, FQ) == expected


@given(st.lists(g2_points, max_size=10))
def test_g2_blocks_decode_point_by_point(expected: list[G2Affine]) -> None:
    zero = ((0, 0), (0, 0))
    data = stored([value for (x, y) in (p or zero for p in expected) for value in (*x, *y)])
    assert decode_g2s(data, FQ) == expected


@given(st.integers(0, 7), st.integers(Q, 2**256 - 1))
def test_an_unreduced_coordinate_is_refused_by_index(index: int, value: int) -> None:
    data = bytearray(stored([1] * 8))
    data[32 * index : 32 * index + 32] = value.to_bytes(32, "little")
    with pytest.raises(InvalidScalarError, match=f"element {index} is {value}"):
        decode_g1s(bytes(data), FQ)


def test_a_partial_element_is_refused() -> None:
    with pytest.raises(InvalidScalarError, match="33 bytes are not whole 32-byte elements"):
        decode_g1s(bytes(33), FQ)


@settings(max_examples=30)
@given(zkeys(), st.integers(1, 3))
def test_sections_read_across_block_boundaries(zkey: Zkey, block: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(points, "BLOCK_POINTS", block)
        assert read_zkey(io.BytesIO(encode(zkey))) == zkey


@pytest.mark.parametrize("block", [1, 2, 4096])
def test_a_truncated_section_names_the_missing_bytes(block: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(points, "BLOCK_POINTS", block)
        with pytest.raises(FormatError, match="section 9: needs 32 more bytes"):
            read_zkey(io.BytesIO(replace_section(MUL, H, bytes(64 * 3 + 32))))


def test_an_unreduced_point_names_its_section() -> None:
    section = bytes(64) + (Q + 1).to_bytes(32, "little") + bytes(32) + bytes(64 * 2)
    with pytest.raises(InvalidScalarError, match=r"section 9: points 0 to 3: element 2 is"):
        read_zkey(io.BytesIO(replace_section(MUL, H, section)))


ENTRY = struct.Struct("<III32s")
#: The mul key's limits: domain size 4, 4 variables.
entries = st.tuples(
    st.integers(0, 2), st.integers(0, 4), st.integers(0, 4), st.integers(0, 2**256 - 1)
).map(lambda entry: ENTRY.pack(*entry[:3], entry[3].to_bytes(32, "little")))


def outcome(action: Callable[[], object]) -> str:
    try:
        action()
    except (FormatError, InvalidScalarError) as error:
        return f"{type(error).__name__}: {error}"
    return "accepted"


@given(st.lists(entries, max_size=6), st.integers(1, 3))
def test_checking_coefficients_refuses_what_reading_them_refuses(
    rows: list[bytes], block: int
) -> None:
    raw = replace_section(MUL, COEFFICIENTS, struct.pack("<I", len(rows)) + b"".join(rows))
    reader = ZkeyReader(io.BytesIO(raw))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("paraloom.formats.zkey._BLOCK_COEFFICIENTS", block)
        read = outcome(lambda: list(reader.coefficients()))
        assert outcome(reader.check_coefficients) == read
    values = [int.from_bytes(row[12:], "little") for row in rows]
    limits_met = all(
        m <= 1 and c < 4 and s < 4 for m, c, s, _ in (ENTRY.unpack(row) for row in rows)
    )
    assert (read == "accepted") == (limits_met and all(v < FR.modulus for v in values))
