"""Compiled job modules of one engine: an LRU in memory and, optionally, entries on disk.

Compiling costs milliseconds for a small guest and seconds for a large one, while a job on a
compiled module costs a fraction of a millisecond, so repeated jobs must not recompile. Every
entry is keyed by the wasm's sha256, the engine fingerprint and the wasmtime version, the
three things native code depends on; on disk the key is the entry's path, so an engine with
other settings never even looks at an artifact it must not run. The cache itself, and what
makes a disk entry trusted, is :mod:`paraloom.wasm_cache`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import wasmtime

from paraloom.compute.guest_checks import GuestModule, inspect_guest
from paraloom.errors import InvalidModuleError
from paraloom.wasm_cache import WASMTIME_VERSION, CacheStats, CompiledModuleCache, compile_binary


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
    """The most recent ``max_entries`` guests, and all of them under ``directory``.

    Only modules that pass :func:`inspect_guest` are kept, in memory or on disk.
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
        self.directory = directory
        self._guests = CompiledModuleCache(
            engine,
            entry_path=self._entry_path,
            compile=self._compile,
            prepare=inspect_guest,
            max_entries=max_entries,
        )

    @property
    def stats(self) -> CacheStats:
        return self._guests.stats

    def key(self, wasm: bytes) -> CacheKey:
        return CacheKey(hashlib.sha256(wasm).hexdigest(), self.engine_fingerprint)

    def load(self, wasm: bytes) -> GuestModule:
        """The compiled and inspected ``wasm``.

        :raises InvalidModuleError: the bytes are not a valid WebAssembly binary, or not a
            guest (see :func:`inspect_guest`, which also raises ImportsNotAllowedError).
        """
        return self._guests.load(wasm, directory=self.directory)

    def clear(self) -> None:
        self._guests.clear()

    def _entry_path(self, root: Path, wasm_digest: bytes) -> Path:
        return CacheKey(wasm_digest.hex(), self.engine_fingerprint).path_under(root)

    def _compile(self, wasm: bytes, _name: str) -> wasmtime.Module:
        return compile_binary(self.engine, wasm, InvalidModuleError)
