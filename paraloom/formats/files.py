"""Opening sources and destinations: paths or already-open binary streams.

Every file paraloom writes goes through :func:`atomic_write`, so a crash, a full disk or an
interrupted ceremony step never leaves a half-written key where a complete one was expected.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Where bytes come from or go to: a filesystem path, or a binary stream opened by the caller.
Target = str | os.PathLike[str] | BinaryIO

_NEW_FILE_MODE = 0o644


def stream_name(stream: BinaryIO) -> str:
    """A name for error messages: the file's path when the stream has one."""
    name = getattr(stream, "name", None)
    return str(name) if isinstance(name, str | os.PathLike) else "<stream>"


@contextlib.contextmanager
def open_source(source: Target) -> Iterator[BinaryIO]:
    """Yield a readable binary stream; paths are opened and closed here, streams are not."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            yield stream
    else:
        yield source


@contextlib.contextmanager
def open_destination(destination: Target) -> Iterator[BinaryIO]:
    """Yield a writable binary stream; paths are written atomically."""
    if isinstance(destination, str | os.PathLike):
        with atomic_write(destination) as stream:
            yield stream
    else:
        yield destination


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], *, mode: int | None = None) -> Iterator[BinaryIO]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` on success.

    ``mode`` sets the permissions (0o600 for secrets); by default a replaced file keeps its own
    and a new one gets rw-r--r--.

    The temporary file is fsynced before the rename and the directory after it, so that after
    a crash ``path`` holds either the old content or the complete new one. On any exception
    the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode_for(target) if mode is None else mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(target.parent)


def _mode_for(target: Path) -> int:
    """Keep the permissions of a file being replaced; new files get rw-r--r--."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return _NEW_FILE_MODE


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
