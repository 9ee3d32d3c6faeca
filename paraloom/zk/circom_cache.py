"""Compiled circom witness modules, cached in process and on disk.

Witness generators of real circuits are megabytes of wasm and take seconds to compile, so
their native code is kept in process (keyed by the sha256 of the wasm) and on disk through
wasmtime's ``Module.serialize``. Deserializing loads native code without validating it, so a
disk entry is used only when it is a regular file of this user that others cannot write,
carries the hash of the wasm it was compiled from, and is intact (its header holds the sha256
of the payload); anything else is ignored and rebuilt. Entry names carry the wasm hash, the
wasmtime version and the engine settings, the three things the native code depends on.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import wasmtime

from paraloom.errors import WitnessError

LOGGER = logging.getLogger(__name__)

WASMTIME_VERSION = importlib.metadata.version("wasmtime")
#: Overrides the default cache directory.
CACHE_DIR_ENV = "PARALOOM_CACHE_DIR"

_WASM_MAGIC = b"\0asm"
#: First bytes of a disk entry; then the wasm sha256, the payload sha256, the payload.
ENTRY_MAGIC = b"paraloom-cwasm\0\1"
_DIGEST_SIZE = 32
_HEADER_SIZE = len(ENTRY_MAGIC) + 2 * _DIGEST_SIZE
#: The engine settings serialized code depends on (see :func:`witness_engine`).
_ENGINE_SETTINGS = "fuel-multimemory"


@cache
def witness_engine() -> wasmtime.Engine:
    """The one engine of witness calculations: fuel metering bounds every run, and multiple
    memories let the host's wire collector copy out of circom's memory into its own."""
    config = wasmtime.Config()
    config.consume_fuel = True
    config.wasm_multi_memory = True
    return wasmtime.Engine(config)


def default_cache_dir() -> Path:
    """$PARALOOM_CACHE_DIR, else $XDG_CACHE_HOME/paraloom/wasm, else ~/.cache/paraloom/wasm."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "paraloom" / "wasm"


def entry_path(directory: Path, wasm_digest: bytes) -> Path:
    """Where the compiled form of the wasm with this sha256 lives."""
    name = f"{wasm_digest.hex()}-wasmtime-{WASMTIME_VERSION}-{_ENGINE_SETTINGS}.cwasm"
    return directory / name


@dataclass
class CacheStats:
    """How loads were served; ``rejected`` counts disk entries ignored as unusable."""

    memory_hits: int = 0
    disk_hits: int = 0
    compiled: int = 0
    rejected: int = 0


class ModuleCache:
    """Compiled modules by wasm hash: the most recent ``max_entries`` in memory, all on disk.

    Safe to share between threads; two threads missing at once may both compile.
    """

    def __init__(self, max_entries: int = 8) -> None:
        self.max_entries = max_entries
        self.stats = CacheStats()
        self._modules: OrderedDict[bytes, wasmtime.Module] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, wasm: bytes, *, name: str, directory: Path | None) -> wasmtime.Module:
        """The compiled ``wasm``; ``directory`` None skips the disk cache."""
        digest = hashlib.sha256(wasm).digest()
        with self._lock:
            module = self._modules.get(digest)
            if module is not None:
                self._modules.move_to_end(digest)
                self.stats.memory_hits += 1
                return module
        module = self._from_disk(directory, digest) if directory is not None else None
        if module is None:
            module = compile_module(wasm, name)
            self._count("compiled")
            if directory is not None:
                _store_entry(entry_path(directory, digest), digest, module)
        with self._lock:
            self._modules[digest] = module
            while len(self._modules) > self.max_entries:
                self._modules.popitem(last=False)
        return module

    def _from_disk(self, directory: Path, digest: bytes) -> wasmtime.Module | None:
        path = entry_path(directory, digest)
        try:
            module = wasmtime.Module.deserialize(witness_engine(), _read_entry(path, digest))
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


def compile_module(wasm: bytes, name: str) -> wasmtime.Module:
    """Compile a wasm binary (text format is refused: a .wasm file must be a binary)."""
    if not wasm.startswith(_WASM_MAGIC):
        raise WitnessError(f"{name}: not a WebAssembly binary (no \\0asm magic)")
    try:
        return wasmtime.Module(witness_engine(), wasm)
    except wasmtime.WasmtimeError as error:
        reason = wasmtime_reason(str(error))
        raise WitnessError(f"{name}: invalid WebAssembly module: {reason}") from error


def wasmtime_reason(text: str) -> str:
    """wasmtime's reason without its backtrace: the causes if it lists them, else line one."""
    head, _, causes = text.partition("Caused by:")
    lines = causes.strip().splitlines() or head.strip().splitlines()[:1]
    return " ".join(line.strip() for line in lines) or "unknown failure"


def _read_entry(path: Path, wasm_digest: bytes) -> bytes:
    """The payload of an entry, or ValueError/OSError saying why it cannot be trusted."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "rb") as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_uid != os.getuid():
            raise ValueError("not a regular file of this user")
        if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise ValueError("writable by other users")
        data = stream.read()
    header, payload = data[:_HEADER_SIZE], data[_HEADER_SIZE:]
    if header != _entry_header(wasm_digest, payload):
        raise ValueError("corrupt (header or payload digest does not match)")
    return payload


def _entry_header(wasm_digest: bytes, payload: bytes) -> bytes:
    return ENTRY_MAGIC + wasm_digest + hashlib.sha256(payload).digest()


def _store_entry(path: Path, wasm_digest: bytes, module: wasmtime.Module) -> None:
    """Write an entry atomically; a cache that cannot be written only costs a recompile."""
    from paraloom.formats.files import atomic_write  # zk imports formats only where used

    payload = bytes(module.serialize())
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # a rejected entry goes first: atomic_write would keep its (perhaps unsafe) mode
        path.unlink(missing_ok=True)
        with atomic_write(path) as stream:
            stream.write(_entry_header(wasm_digest, payload) + payload)
    except OSError as error:
        LOGGER.warning("cannot cache the compiled module in %s: %s", path.parent, error)
