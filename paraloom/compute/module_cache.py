"""Compiled job modules of one engine: an LRU in memory and, optionally, entries on disk.

Compiling costs milliseconds for a small guest and seconds for a large one, while a job on a
compiled module costs a fraction of a millisecond, so repeated jobs must not recompile. Every
entry is keyed by the wasm's sha256, the engine fingerprint and the wasmtime version, the
three things native code depends on; on disk the key is the entry's path, so an engine with
other settings never even looks at an artifact it must not run. Artifacts are native code:
they are kept only locally (written and checked as the circom witness cache does) and never
taken from peers.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import wasmtime

from paraloom.compute.engine_settings import WASMTIME_VERSION
from paraloom.compute.guest_checks import GuestModule, inspect_guest
from paraloom.errors import InvalidModuleError
from paraloom.zk.circom_cache import CacheStats, _read_entry, _store_entry, wasmtime_reason

LOGGER = logging.getLogger(__name__)

_WASM_MAGIC = b"\0asm"


@dataclass(frozen=True)
class CacheKey:
    """What a compiled module depends on; two keys differ whenever the native code may."""

    wasm_sha256: str
    engine_fingerprint: str
    wasmtime_version: str = WASMTIME_VERSION

    def path_under(self, root: Path) -> Path:
        """The entry's file: one directory per wasmtime version and engine fingerprint."""
        engine = Path(f"wasmtime-{self.wasmtime_version}") / self.engine_fingerprint
        return root / engine / f"{self.wasm_sha256}.cwasm"


class ModuleCache:
    """The most recent ``max_entries`` compiled modules, and all of them under ``directory``.

    Safe to share between threads; two threads missing at once may both compile.
    """

    def __init__(
        self,
        engine: wasmtime.Engine,
        engine_fingerprint: str,
        *,
        max_entries: int = 64,
        directory: Path | None = None,
    ) -> None:
        self.engine = engine
        self.engine_fingerprint = engine_fingerprint
        self.max_entries = max_entries
        self.directory = directory
        self.stats = CacheStats()
        self._modules: OrderedDict[CacheKey, GuestModule] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, wasm: bytes) -> CacheKey:
        return CacheKey(hashlib.sha256(wasm).hexdigest(), self.engine_fingerprint)

    def load(self, wasm: bytes) -> GuestModule:
        """The compiled and inspected ``wasm``; only modules that pass inspection are kept.

        :raises InvalidModuleError: the bytes are not a valid WebAssembly binary, or not a
            guest (see :func:`inspect_guest`, which also raises ImportsNotAllowedError).
        """
        key = self.key(wasm)
        with self._lock:
            guest = self._modules.get(key)
            if guest is not None:
                self._modules.move_to_end(key)
                self.stats.memory_hits += 1
                return guest
        module = self._from_disk(key)
        if module is None:
            guest = inspect_guest(self._compile(wasm))
            if self.directory is not None:
                digest = bytes.fromhex(key.wasm_sha256)
                _store_entry(key.path_under(self.directory), digest, guest.module)
        else:
            guest = inspect_guest(module)
        with self._lock:
            self._modules[key] = guest
            while len(self._modules) > self.max_entries:
                self._modules.popitem(last=False)
        return guest

    def clear(self) -> None:
        with self._lock:
            self._modules.clear()

    def _compile(self, wasm: bytes) -> wasmtime.Module:
        # wasmtime would take WAT text too; a job is the binary its requester hashed
        if not wasm.startswith(_WASM_MAGIC):
            raise InvalidModuleError("not a WebAssembly binary (no \\0asm magic)")
        try:
            module = wasmtime.Module(self.engine, wasm)
        except wasmtime.WasmtimeError as error:
            raise InvalidModuleError(f"invalid module: {wasmtime_reason(str(error))}") from error
        self._count("compiled")
        return module

    def _from_disk(self, key: CacheKey) -> wasmtime.Module | None:
        """The entry's module, or None when there is no usable entry (a bad one is counted)."""
        if self.directory is None:
            return None
        try:
            payload = _read_entry(key.path_under(self.directory), bytes.fromhex(key.wasm_sha256))
            module = wasmtime.Module.deserialize(self.engine, payload)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, wasmtime.WasmtimeError) as problem:
            LOGGER.warning(
                "ignoring cached job module %s: %s", key.path_under(self.directory), problem
            )
            self._count("rejected")
            return None
        self._count("disk_hits")
        return module

    def _count(self, outcome: str) -> None:
        with self._lock:
            setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
