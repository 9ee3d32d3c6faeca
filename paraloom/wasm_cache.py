"""Compiled WebAssembly modules, cached in process and on disk, for every wasmtime host.

Compiling costs milliseconds for a small job and seconds for a circom witness generator,
while running a compiled module costs far less, so native code is kept in process (an LRU
keyed by the sha256 of the wasm) and on disk through wasmtime's ``Module.serialize``.
Deserializing loads native code without validating it, so a disk entry is used only when it
is a regular file of this user that others cannot write, carries the hash of the wasm it was
compiled from, and is intact (its header holds the sha256 of the payload); anything else is
ignored and rebuilt. Entries are native code: kept only locally, never taken from peers.

Where an entry lives is the caller's choice (see :class:`CompiledModuleCache`): its path must
change whenever the native code may (wasmtime version, engine settings, machine), so that an
engine never even looks at an artifact it must not run.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import stat
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import wasmtime

from paraloom.errors import ParaloomError

LOGGER = logging.getLogger(__name__)

#: Part of every entry's path and engine fingerprint: native code changes between versions,
#: and fuel units are not a stable contract across them.
WASMTIME_VERSION = importlib.metadata.version("wasmtime")
#: Overrides the default cache directory.
CACHE_DIR_ENV = "PARALOOM_CACHE_DIR"

WASM_MAGIC = b"\0asm"
#: First bytes of a disk entry; then the wasm sha256, the payload sha256, the payload.
ENTRY_MAGIC = b"paraloom-cwasm\0\1"
_DIGEST_SIZE = 32
_HEADER_SIZE = len(ENTRY_MAGIC) + 2 * _DIGEST_SIZE

_Prepared = TypeVar("_Prepared")

#: Where the entry of the wasm with this sha256 lives under a cache directory.
EntryPath = Callable[[Path, bytes], Path]
#: Compiles wasm bytes (named for error messages), raising the caller's typed error.
Compile = Callable[[bytes, str], wasmtime.Module]


def default_cache_dir() -> Path:
    """$PARALOOM_CACHE_DIR, else $XDG_CACHE_HOME/paraloom/wasm, else ~/.cache/paraloom/wasm."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "paraloom" / "wasm"


@dataclass
class CacheStats:
    """How loads were served; ``rejected`` counts disk entries ignored as unusable."""

    memory_hits: int = 0
    disk_hits: int = 0
    compiled: int = 0
    rejected: int = 0


def wasmtime_reason(text: str) -> str:
    """wasmtime's reason without its backtrace: the causes if it lists them, else line one."""
    head, _, causes = text.partition("Caused by:")
    lines = causes.strip().splitlines() or head.strip().splitlines()[:1]
    return " ".join(line.strip() for line in lines) or "unknown failure"


def compile_binary(
    engine: wasmtime.Engine, wasm: bytes, invalid: Callable[[str], ParaloomError]
) -> wasmtime.Module:
    """Compile a wasm binary; ``invalid`` turns the reason it is refused into the caller's error.

    wasmtime would take the text format too, but a .wasm file or a job is the binary its
    author hashed, so anything without the binary magic is refused.
    """
    if not wasm.startswith(WASM_MAGIC):
        raise invalid("not a WebAssembly binary (no \\0asm magic)")
    try:
        return wasmtime.Module(engine, wasm)
    except wasmtime.WasmtimeError as error:
        raise invalid(f"invalid WebAssembly module: {wasmtime_reason(str(error))}") from error


def encode_entry(wasm_digest: bytes, payload: bytes) -> bytes:
    """A disk entry: the magic, the wasm's sha256, the payload's sha256, the payload."""
    return _entry_header(wasm_digest, payload) + payload


def decode_entry(data: bytes, wasm_digest: bytes) -> bytes:
    """The payload of an entry of the wasm with ``wasm_digest``.

    :raises ValueError: the entry is of another wasm, truncated or corrupt.
    """
    header, payload = data[:_HEADER_SIZE], data[_HEADER_SIZE:]
    if header != _entry_header(wasm_digest, payload):
        raise ValueError("corrupt (header or payload digest does not match)")
    return payload


def _entry_header(wasm_digest: bytes, payload: bytes) -> bytes:
    return ENTRY_MAGIC + wasm_digest + hashlib.sha256(payload).digest()


def read_entry(path: Path, wasm_digest: bytes) -> bytes:
    """The payload of a trusted entry, or ValueError/OSError saying why it cannot be trusted."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "rb") as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_uid != os.getuid():
            raise ValueError("not a regular file of this user")
        if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise ValueError("writable by other users")
        return decode_entry(stream.read(), wasm_digest)


def store_entry(path: Path, wasm_digest: bytes, module: wasmtime.Module) -> None:
    """Write an entry atomically; a cache that cannot be written only costs a recompile."""
    # imported where used: this module serves zk, which sits below formats
    from paraloom.formats.files import atomic_write

    payload = bytes(module.serialize())
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # a rejected entry goes first: atomic_write would keep its (perhaps unsafe) mode
        path.unlink(missing_ok=True)
        with atomic_write(path) as stream:
            stream.write(encode_entry(wasm_digest, payload))
    except OSError as error:
        LOGGER.warning("cannot cache the compiled module in %s: %s", path.parent, error)


def _unchanged(module: wasmtime.Module) -> wasmtime.Module:
    return module


class CompiledModuleCache(Generic[_Prepared]):
    """The most recent ``max_entries`` modules of one engine in memory, all of them on disk.

    ``prepare`` runs on every module compiled or loaded from disk before it is kept (the job
    executor inspects the guest ABI there); a module it refuses is neither kept nor written.
    Safe to share between threads; two threads missing at once may both compile.
    """

    @overload
    def __init__(
        self: CompiledModuleCache[wasmtime.Module],
        engine: wasmtime.Engine,
        *,
        entry_path: EntryPath,
        compile: Compile,
        max_entries: int,
    ) -> None: ...

    @overload
    def __init__(
        self,
        engine: wasmtime.Engine,
        *,
        entry_path: EntryPath,
        compile: Compile,
        prepare: Callable[[wasmtime.Module], _Prepared],
        max_entries: int,
    ) -> None: ...

    def __init__(
        self,
        engine: wasmtime.Engine,
        *,
        entry_path: EntryPath,
        compile: Compile,
        prepare: Callable[[wasmtime.Module], Any] = _unchanged,
        max_entries: int,
    ) -> None:
        self.engine = engine
        self.max_entries = max_entries
        self.stats = CacheStats()
        self._entry_path = entry_path
        self._compile = compile
        self._prepare: Callable[[wasmtime.Module], _Prepared] = prepare
        self._modules: OrderedDict[bytes, _Prepared] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, wasm: bytes, *, directory: Path | None, name: str = "module") -> _Prepared:
        """The compiled and prepared ``wasm``; ``directory`` None skips the disk cache.

        ``name`` names the module in the compile function's errors.
        """
        digest = hashlib.sha256(wasm).digest()
        with self._lock:
            prepared = self._modules.get(digest)
            if prepared is not None:
                self._modules.move_to_end(digest)
                self.stats.memory_hits += 1
                return prepared
        prepared = self._build(wasm, digest, directory, name)
        with self._lock:
            self._modules[digest] = prepared
            while len(self._modules) > self.max_entries:
                self._modules.popitem(last=False)
        return prepared

    def clear(self) -> None:
        """Forget the modules in memory (disk entries stay)."""
        with self._lock:
            self._modules.clear()

    def _build(self, wasm: bytes, digest: bytes, directory: Path | None, name: str) -> _Prepared:
        path = None if directory is None else self._entry_path(directory, digest)
        module = None if path is None else self._from_disk(path, digest)
        if module is not None:
            return self._prepare(module)
        module = self._compile(wasm, name)
        self._count("compiled")
        prepared = self._prepare(module)
        if path is not None:
            store_entry(path, digest, module)
        return prepared

    def _from_disk(self, path: Path, digest: bytes) -> wasmtime.Module | None:
        """The entry's module, or None when there is no usable entry (a bad one is counted)."""
        try:
            module = wasmtime.Module.deserialize(self.engine, read_entry(path, digest))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, wasmtime.WasmtimeError) as problem:
            LOGGER.warning("ignoring cached module %s: %s", path, problem)
            self._count("rejected")
            return None
        self._count("disk_hits")
        return module

    def _count(self, outcome: str) -> None:
        with self._lock:
            setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
