"""Reading fixed layouts from a byte string: every read checks the length it needs.

Errors name the layout and the field being read, so "compact verification key: IC[3]:
truncated" tells a user which file and which part of it is wrong.
"""

from __future__ import annotations

from paraloom.errors import FormatError


class ByteReader:
    """A cursor over ``data`` for layouts with no optional parts.

    ``finish`` must be called once the layout is read: a layout has one length, so trailing
    bytes are an error rather than something to ignore.
    """

    def __init__(self, data: bytes, layout: str) -> None:
        self.data = bytes(data)
        self.layout = layout
        self.offset = 0

    @property
    def remaining(self) -> int:
        return len(self.data) - self.offset

    def error(self, what: str, problem: str) -> FormatError:
        return FormatError(f"{self.layout}: {what}: {problem}")

    def take(self, size: int, what: str) -> bytes:
        if size > self.remaining:
            raise self.error(what, f"truncated: needs {size} bytes, {self.remaining} left")
        chunk = self.data[self.offset : self.offset + size]
        self.offset += size
        return chunk

    def expect_header(self, magic: bytes, version: int) -> None:
        """The magic and one version byte that open a versioned layout."""
        if self.take(len(magic), "magic") != magic:
            raise self.error("magic", f"not {magic!r}")
        found = self.take(1, "version")[0]
        if found != version:
            raise self.error("version", f"{found} is not the supported version {version}")

    def count(self, width: int, item_size: int, what: str) -> int:
        """A little-endian count of ``item_size``-byte items that end the layout.

        Checking it against the bytes left before reading the items means a corrupted count
        is reported as such, and never makes the reader allocate for items that are not there.
        """
        count = int.from_bytes(self.take(width, f"{what} count"), "little")
        if count * item_size != self.remaining:
            raise self.error(
                what,
                f"declares {count} entries ({count * item_size} bytes) "
                f"but {self.remaining} bytes follow",
            )
        return count

    def finish(self) -> None:
        if self.remaining:
            raise self.error("end", f"{self.remaining} trailing bytes")
