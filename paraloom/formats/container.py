"""The iden3 binary container shared by .r1cs, .wtns, .zkey and .ptau files.

Layout: 4-byte magic, u32 version, u32 section count, then that many sections, each a u32 id,
a u64 byte size and the payload, all little-endian. Sections may come in any order. The reader
indexes sections by seeking over their payloads, so opening a multi-gigabyte key costs a few
small reads; payloads are read on demand through bounded :class:`SectionReader` cursors.
"""

from __future__ import annotations

import contextlib
import io
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from paraloom.errors import FormatError, InvalidScalarError
from paraloom.formats.fields import PrimeField
from paraloom.formats.files import stream_name

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator


_FILE_HEADER = struct.Struct("<4sII")
_SECTION_HEADER = struct.Struct("<IQ")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_BUFFER_SIZE = 1 << 20


@dataclass(frozen=True)
class Section:
    """Where one section's payload lies in the file."""

    id: int
    offset: int
    size: int


class ContainerReader:
    """Index of a container file's sections; validates the whole framing up front.

    The framing checks (magic, version, every section header inside the file, no bytes after
    the last section) run in the constructor, so a truncated or padded file is refused before
    any payload is interpreted.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        magic: bytes,
        versions: Collection[int],
        name: str | None = None,
    ) -> None:
        self._stream = stream
        self.name = name if name is not None else stream_name(stream)
        self.version, self._index = self._read_index(magic, versions)

    @property
    def section_ids(self) -> tuple[int, ...]:
        """Section ids in file order (repeated ids appear repeatedly)."""
        return tuple(section.id for section in sorted(self._all(), key=lambda s: s.offset))

    def error(self, what: str, section: int | None = None) -> FormatError:
        """A FormatError whose message names this file and, when given, the section."""
        return FormatError(f"{_where(self.name, section)}: {what}")

    def check_sections(
        self,
        required: Collection[int],
        optional: Collection[int] = (),
        repeatable: Collection[int] = (),
    ) -> None:
        """Refuse unknown ids, missing required sections and duplicates not in ``repeatable``."""
        for section_id in self._index:
            if section_id not in required and section_id not in optional:
                raise self.error("unexpected section", section_id)
        for section_id, sections in self._index.items():
            if len(sections) > 1 and section_id not in repeatable:
                raise self.error(f"appears {len(sections)} times", section_id)
        for section_id in required:
            if section_id not in self._index:
                raise self.error("missing", section_id)

    def has(self, section_id: int) -> bool:
        return section_id in self._index

    def section(self, section_id: int) -> Section:
        """The one section with this id; missing or duplicated sections are errors."""
        sections = self._index.get(section_id, [])
        if not sections:
            raise self.error("missing", section_id)
        if len(sections) > 1:
            raise self.error(f"appears {len(sections)} times", section_id)
        return sections[0]

    def sections(self, section_id: int) -> tuple[Section, ...]:
        """Every section with this id, in file order (for formats that repeat ids)."""
        return tuple(self._index.get(section_id, []))

    def open(self, section: int | Section) -> SectionReader:
        """A bounded cursor over one section's payload."""
        resolved = self.section(section) if isinstance(section, int) else section
        return SectionReader(self._stream, resolved, self.name)

    def read(self, section_id: int) -> bytes:
        """The whole payload of one section (for sections known to be small)."""
        reader = self.open(section_id)
        return reader.read(reader.remaining)

    def chunks(self, section_id: int, chunk_size: int = _BUFFER_SIZE) -> Iterator[bytes]:
        """The payload of one section in pieces of at most ``chunk_size`` bytes."""
        reader = self.open(section_id)
        while reader.remaining:
            yield reader.read(min(chunk_size, reader.remaining))

    def _all(self) -> Iterator[Section]:
        for sections in self._index.values():
            yield from sections

    def _read_index(
        self, magic: bytes, versions: Collection[int]
    ) -> tuple[int, dict[int, list[Section]]]:
        file_size = self._stream.seek(0, io.SEEK_END)
        self._stream.seek(0)
        header = self._stream.read(_FILE_HEADER.size)
        if len(header) < _FILE_HEADER.size:
            raise self.error(f"truncated header ({len(header)} of {_FILE_HEADER.size} bytes)")
        found_magic, version, count = _FILE_HEADER.unpack(header)
        if found_magic != magic:
            raise self.error(f"magic {found_magic!r} is not {magic!r}")
        if version not in versions:
            raise self.error(f"unsupported version {version} (supported: {sorted(versions)})")
        index: dict[int, list[Section]] = {}
        position = _FILE_HEADER.size
        for number in range(count):
            section = self._read_section_header(position, file_size, number)
            index.setdefault(section.id, []).append(section)
            position = section.offset + section.size
        if position != file_size:
            raise self.error(f"{file_size - position} bytes after the last section")
        return version, index

    def _read_section_header(self, position: int, file_size: int, number: int) -> Section:
        self._stream.seek(position)
        raw = self._stream.read(_SECTION_HEADER.size)
        if len(raw) < _SECTION_HEADER.size:
            raise self.error(f"truncated header of section #{number + 1} at offset {position}")
        section_id, size = _SECTION_HEADER.unpack(raw)
        offset = position + _SECTION_HEADER.size
        if offset + size > file_size:
            raise self.error(
                f"declares {size} bytes at offset {offset} but the file ends at {file_size}",
                section_id,
            )
        return Section(section_id, offset, size)


class SectionReader:
    """Sequential reads inside one section, never past its end.

    It seeks before each refill of its buffer, so several cursors over one stream may be used
    alternately (a zkey reader walks A, B1 and B2 side by side).
    """

    def __init__(self, stream: BinaryIO, section: Section, name: str) -> None:
        self._stream = stream
        self._section = section
        self._name = name
        self._next_offset = section.offset
        self._buffer = b""
        self._buffer_position = 0
        self.remaining = section.size

    def error(self, what: str) -> FormatError:
        return FormatError(f"{_where(self._name, self._section.id)}: {what}")

    def read(self, size: int) -> bytes:
        """Exactly ``size`` bytes; asking for more than the section holds is a FormatError."""
        if size > self.remaining:
            raise self.error(f"needs {size} more bytes but only {self.remaining} remain")
        parts = []
        wanted = size
        while wanted:
            if self._buffer_position == len(self._buffer):
                self._refill()
            part = self._buffer[self._buffer_position : self._buffer_position + wanted]
            self._buffer_position += len(part)
            parts.append(part)
            wanted -= len(part)
        self.remaining -= size
        return b"".join(parts)

    def u32(self) -> int:
        value: int = _U32.unpack(self.read(4))[0]
        return value

    def u64(self) -> int:
        value: int = _U64.unpack(self.read(8))[0]
        return value

    def element(self, field: PrimeField, *, montgomery: bool = False) -> int:
        """One field element; a value ≥ the modulus raises InvalidScalarError naming the place."""
        position = self._section.size - self.remaining
        data = self.read(field.n8)
        try:
            return field.decode(data, montgomery=montgomery)
        except InvalidScalarError as exc:
            where = _where(self._name, self._section.id)
            raise InvalidScalarError(f"{where}: at byte {position}: {exc}") from None

    def prime_field(self) -> PrimeField:
        """A ``u32 n8, prime[n8]`` field declaration, as the headers of every format start."""
        n8 = self.u32()
        if n8 == 0 or n8 % 8:
            raise self.error(f"field size {n8} is not a positive multiple of 8 bytes")
        prime = int.from_bytes(self.read(n8), "little")
        try:
            return PrimeField(prime, n8)
        except FormatError as exc:
            raise self.error(str(exc)) from None

    def finish(self) -> None:
        """Assert that the payload was consumed exactly (a longer section is malformed)."""
        if self.remaining:
            raise self.error(f"{self.remaining} unexpected bytes at the end")

    def _refill(self) -> None:
        self._stream.seek(self._next_offset)
        unread = self._section.offset + self._section.size - self._next_offset
        self._buffer = self._stream.read(min(_BUFFER_SIZE, unread))
        self._buffer_position = 0
        if not self._buffer:
            raise self.error("the file ended inside the section (was it truncated meanwhile?)")
        self._next_offset += len(self._buffer)


class ContainerWriter:
    """Writes sections one after another and back-patches their sizes and the section count.

    The stream must be seekable; paths go through :func:`paraloom.formats.files.atomic_write`.
    """

    def __init__(self, stream: BinaryIO, *, magic: bytes, version: int) -> None:
        self._stream = stream
        self._start = stream.tell()
        self._magic = magic
        self._version = version
        self._count = 0
        stream.write(_FILE_HEADER.pack(magic, version, 0))

    @contextlib.contextmanager
    def section(self, section_id: int) -> Iterator[SectionWriter]:
        """Yield a writer for one section's payload; its size is patched in on exit."""
        header_position = self._stream.tell()
        self._stream.write(_SECTION_HEADER.pack(section_id, 0))
        yield SectionWriter(self._stream)
        end = self._stream.tell()
        self._stream.seek(header_position)
        self._stream.write(
            _SECTION_HEADER.pack(section_id, end - header_position - _SECTION_HEADER.size)
        )
        self._stream.seek(end)
        self._count += 1

    def write_section(self, section_id: int, payload: bytes) -> None:
        with self.section(section_id) as writer:
            writer.write(payload)

    def __enter__(self) -> ContainerWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.close()

    def close(self) -> None:
        """Patch the section count into the file header."""
        end = self._stream.tell()
        self._stream.seek(self._start)
        self._stream.write(_FILE_HEADER.pack(self._magic, self._version, self._count))
        self._stream.seek(end)


class SectionWriter:
    """Typed little-endian writes into the current section."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def write(self, data: bytes) -> None:
        self._stream.write(data)

    def u32(self, value: int) -> None:
        self._stream.write(_pack(_U32, value))

    def u64(self, value: int) -> None:
        self._stream.write(_pack(_U64, value))

    def element(self, field: PrimeField, value: int, *, montgomery: bool = False) -> None:
        self._stream.write(field.encode(value, montgomery=montgomery))

    def prime_field(self, field: PrimeField) -> None:
        self.u32(field.n8)
        self.write(field.modulus.to_bytes(field.n8, "little"))


def _pack(fmt: struct.Struct, value: int) -> bytes:
    try:
        return fmt.pack(value)
    except struct.error:
        raise FormatError(f"{value} does not fit a {8 * fmt.size}-bit unsigned field") from None


def _where(name: str, section: int | None) -> str:
    return name if section is None else f"{name}: section {section}"
