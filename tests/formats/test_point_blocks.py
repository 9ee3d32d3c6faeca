"""Cutting a point section's raw chunks into blocks of whole points for the backends."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import FormatError
from paraloom.formats.points import BLOCK_POINTS, point_blocks


def pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` split at the given offsets, as a container hands out a section."""
    edges = [0, *sorted({cut % (len(data) + 1) for cut in cuts}), len(data)]
    return [data[a:b] for a, b in pairwise(edges)]


@settings(max_examples=30, deadline=None)
@given(
    count=st.integers(0, 3 * BLOCK_POINTS),
    width=st.integers(1, 3),
    cuts=st.lists(st.integers(0, 1 << 16), max_size=6),
)
def test_blocks_are_whole_points_in_order(count: int, width: int, cuts: list[int]) -> None:
    data = bytes(i % 251 for i in range(count * width))
    blocks = list(point_blocks(pieces(data, cuts), count, width, "section 9"))
    assert b"".join(block for _, block in blocks) == data
    assert [first for first, _ in blocks] == list(range(0, count, BLOCK_POINTS))
    assert all(len(block) == BLOCK_POINTS * width for _, block in blocks[:-1])


@pytest.mark.parametrize("size", [0, 63, 65, 64 * 5 - 1, 64 * 5 + 1, 64 * 6])
def test_a_section_not_of_count_points_is_refused(size: int) -> None:
    with pytest.raises(FormatError, match=r"^section 9 is not the 5 points of 64 bytes"):
        list(point_blocks([bytes(size)], 5, 64, "section 9"))


def test_a_long_section_yields_nothing_past_its_count() -> None:
    """Points past the count are never handed on, so they are never decoded or used."""
    blocks = point_blocks([bytes(BLOCK_POINTS), bytes(1)], BLOCK_POINTS, 1, "section 9")
    assert next(blocks) == (0, bytes(BLOCK_POINTS))
    with pytest.raises(FormatError):
        next(blocks)
