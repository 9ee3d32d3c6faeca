"""Compiled circom witness modules, cached in process and on disk.

Witness generators of real circuits are megabytes of wasm and take seconds to compile; the
cache itself, and what makes a disk entry trusted, is :mod:`paraloom.wasm_cache`. Entry names
carry the wasm hash, the wasmtime version and the engine settings, the three things the native
code depends on, all in one directory (the layout caches written before keep working in).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import wasmtime

from paraloom.errors import WitnessError
from paraloom.wasm_cache import WASMTIME_VERSION, CompiledModuleCache, compile_binary

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


def entry_path(directory: Path, wasm_digest: bytes) -> Path:
    """Where the compiled form of the wasm with this sha256 lives."""
    name = f"{wasm_digest.hex()}-wasmtime-{WASMTIME_VERSION}-{_ENGINE_SETTINGS}.cwasm"
    return directory / name


def compile_module(wasm: bytes, name: str) -> wasmtime.Module:
    """Compile a witness generator; a bad one is a WitnessError that names it."""
    return compile_binary(
        witness_engine(), wasm, lambda problem: WitnessError(f"{name}: {problem}")
    )


class ModuleCache(CompiledModuleCache[wasmtime.Module]):
    """Compiled witness generators by wasm hash: the most recent ``max_entries`` in memory."""

    def __init__(self, max_entries: int = 8) -> None:
        super().__init__(
            witness_engine(),
            entry_path=entry_path,
            compile=compile_module,
            max_entries=max_entries,
        )
