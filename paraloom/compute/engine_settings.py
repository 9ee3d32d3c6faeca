"""The wasmtime engine configuration of job execution, and its fingerprint.

What a job computes and what it costs depend on the engine: fuel accounting on the wasmtime
version, float bits on NaN canonicalisation, the depth at which recursion overflows on the
stack size. Validators that must agree on results therefore run identical settings, and a
compiled module is only ever reused under the settings it was compiled with (a deserialized
artifact keeps the NaN behaviour it was compiled with whatever the engine says).
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import asdict, dataclass
from functools import cached_property

import wasmtime

from paraloom.wasm_cache import WASMTIME_VERSION

#: Settings that are never negotiable. Fuel and epochs bound every job; threads, relaxed SIMD
#: and wide proposals are off because their results, or the memory they use, are not bounded
#: or not deterministic (the GC heap is outside the store's memory limit).
FIXED_FLAGS: dict[str, bool] = {
    "consume_fuel": True,
    "epoch_interruption": True,
    "wasm_threads": False,
    "wasm_relaxed_simd": False,
    "wasm_relaxed_simd_deterministic": True,
    "wasm_multi_memory": False,
    "wasm_memory64": False,
    "wasm_custom_page_sizes": False,
    "wasm_gc": False,
    "wasm_exceptions": False,
    "wasm_stack_switching": False,
    "wasm_component_model": False,
}


@dataclass(frozen=True)
class EngineSettings:
    """The adjustable part of the job engine; the defaults are the protocol's.

    The fields exist so that tests and benchmarks can show what each one changes; a validator
    that runs other values computes other results.
    """

    nan_canonicalization: bool = True
    max_wasm_stack: int = 512 * 1024

    def config(self) -> wasmtime.Config:
        """A fresh wasmtime Config (a Config is consumed by the Engine built from it)."""
        config = wasmtime.Config()
        for flag, value in FIXED_FLAGS.items():
            setattr(config, flag, value)
        config.cranelift_nan_canonicalization = self.nan_canonicalization
        config.max_wasm_stack = self.max_wasm_stack
        return config

    @cached_property
    def fingerprint(self) -> str:
        """A short hex digest of everything compiled code depends on, the machine included."""
        described = {
            "fixed": FIXED_FLAGS,
            "settings": asdict(self),
            "machine": platform.machine(),
            "wasmtime": WASMTIME_VERSION,
        }
        encoded = json.dumps(described, sort_keys=True).encode()
        return hashlib.sha256(encoded).hexdigest()[:32]
