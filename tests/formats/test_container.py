from __future__ import annotations

import io
import os
import struct
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import FormatError
from paraloom.formats.container import ContainerReader, ContainerWriter
from paraloom.formats.files import atomic_write

if TYPE_CHECKING:
    from pathlib import Path

MAGIC = b"test"
sections_strategy = st.lists(
    st.tuples(st.integers(0, 2**32 - 1), st.binary(max_size=64)), max_size=6
)


def build(sections: list[tuple[int, bytes]], *, magic: bytes = MAGIC, version: int = 1) -> bytes:
    """A container assembled by hand from the documented layout, not by the writer."""
    body = b"".join(struct.pack("<IQ", sid, len(p)) + p for sid, p in sections)
    return magic + struct.pack("<II", version, len(sections)) + body


def open_reader(data: bytes, versions: tuple[int, ...] = (1,)) -> ContainerReader:
    return ContainerReader(io.BytesIO(data), magic=MAGIC, versions=versions, name="t.bin")


@given(sections_strategy)
def test_writer_output_matches_the_documented_layout(sections: list[tuple[int, bytes]]) -> None:
    stream = io.BytesIO()
    with ContainerWriter(stream, magic=MAGIC, version=1) as writer:
        for section_id, payload in sections:
            writer.write_section(section_id, payload)
    assert stream.getvalue() == build(sections)


@given(sections_strategy, st.integers(1, 70))
def test_reader_indexes_sections_in_any_order_and_repeats(
    sections: list[tuple[int, bytes]], chunk_size: int
) -> None:
    reader = open_reader(build(sections))
    assert reader.section_ids == tuple(sid for sid, _ in sections)
    for section_id in {sid for sid, _ in sections}:
        expected = [p for sid, p in sections if sid == section_id]
        found = reader.sections(section_id)
        assert [reader.open(s).read(s.size) for s in found] == expected
        if len(expected) == 1:
            assert reader.read(section_id) == expected[0]
            assert b"".join(reader.chunks(section_id, chunk_size)) == expected[0]


def test_interleaved_section_cursors_do_not_disturb_each_other() -> None:
    reader = open_reader(build([(1, bytes(range(10))), (2, bytes(range(100, 110)))]))
    first, second = reader.open(1), reader.open(2)
    assert first.read(3) == bytes([0, 1, 2])
    assert second.read(3) == bytes([100, 101, 102])
    assert first.read(7) == bytes(range(3, 10))
    first.finish()
    with pytest.raises(FormatError, match=r"t\.bin: section 2: 7 unexpected bytes"):
        second.finish()


def test_reads_past_the_section_end_are_format_errors() -> None:
    cursor = open_reader(build([(1, b"\x01\x02\x03")])).open(1)
    with pytest.raises(FormatError, match="section 1: needs 4 more bytes but only 3 remain"):
        cursor.u32()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"tes", "truncated header"),
        (b"nope" + struct.pack("<II", 1, 0), "magic b'nope' is not b'test'"),
        (build([], version=9), "unsupported version 9"),
        (build([(1, b"abc")])[:-1], "section 1: declares 3 bytes"),
        (build([(1, b"abc")]) + b"\x00", "1 bytes after the last section"),
        (
            MAGIC + struct.pack("<II", 1, 2) + build([(1, b"")])[12:],
            "truncated header of section #2",
        ),
        (MAGIC + struct.pack("<II", 1, 0) + build([(1, b"")])[12:], "12 bytes after the last"),
    ],
)
def test_malformed_framing_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        open_reader(data)


def test_section_policy_checks() -> None:
    reader = open_reader(build([(1, b""), (2, b""), (2, b""), (7, b"")]))
    with pytest.raises(FormatError, match="section 7: unexpected section"):
        reader.check_sections(required=(1, 2))
    with pytest.raises(FormatError, match="section 2: appears 2 times"):
        reader.check_sections(required=(1, 2), optional=(7,))
    with pytest.raises(FormatError, match="section 3: missing"):
        reader.check_sections(required=(1, 2, 3), optional=(7,), repeatable=(2,))
    reader.check_sections(required=(1, 2), optional=(7, 8), repeatable=(2,))
    with pytest.raises(FormatError, match="section 2: appears 2 times"):
        reader.section(2)
    with pytest.raises(FormatError, match="section 5: missing"):
        reader.read(5)


def test_atomic_write_replaces_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "key.zkey"
    target.write_bytes(b"old")
    target.chmod(0o600)
    with atomic_write(target) as stream:
        stream.write(b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o600
    assert os.listdir(tmp_path) == ["key.zkey"]


def test_atomic_write_leaves_the_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "key.zkey"
    target.write_bytes(b"old")

    def interrupted_write() -> None:
        with atomic_write(target) as stream:
            stream.write(b"partial")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        interrupted_write()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["key.zkey"]


def test_atomic_write_creates_new_files_readable(tmp_path: Path) -> None:
    target = tmp_path / "new.r1cs"
    with atomic_write(target) as stream:
        stream.write(b"x")
    assert target.stat().st_mode & 0o777 == 0o644


def test_atomic_write_sets_the_mode_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "secret.json"
    target.write_bytes(b"old")
    target.chmod(0o644)
    with atomic_write(target, mode=0o600) as stream:
        stream.write(b"token")
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_bytes() == b"token"
