"""The compiled-module cache of the executor: reuse, eviction, disk entries and their keys.

The property that matters most is negative: a module compiled under other engine settings or
another wasmtime version is never served. The NaN guest makes that observable, because a
deserialized artifact keeps the NaN behaviour it was compiled with.
"""

from __future__ import annotations

import os
import struct
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.compute.engine_settings import EngineSettings
from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.module_cache import CacheKey
from paraloom.compute.wasmtime_executor import WasmtimeExecutor
from paraloom.errors import ImportsNotAllowedError, InvalidModuleError

LIMITS = ExecutionLimits(memory_limit=64 * 2**20, fuel=10**9, timeout=30.0)
CANONICAL = (0x7FC00000,) * 4 + (0x7FF8000000000000,) * 3
RAW = EngineSettings(nan_canonicalization=False)


def guest(name: str) -> bytes:
    return files("paraloom").joinpath(f"data/guests/{name}.wasm").read_bytes()


def nan_bits(executor: WasmtimeExecutor) -> tuple[int, ...]:
    return struct.unpack("<4I3Q", executor.execute(guest("float_nan"), b"").output)


def test_a_repeated_module_is_compiled_once() -> None:
    with WasmtimeExecutor(LIMITS) as executor:
        for payload in (b"a", b"bc", b"def"):
            assert executor.execute(guest("reverse"), payload).output == payload[::-1]
        assert (executor.modules.stats.compiled, executor.modules.stats.memory_hits) == (1, 2)


def test_the_least_recently_used_module_is_evicted() -> None:
    with WasmtimeExecutor(LIMITS, cache_size=2) as executor:
        cache = executor.modules
        for name in ("reverse", "trap", "reverse", "float_nan", "trap"):
            cache.load(guest(name))
        # float_nan evicts trap, the least recently used (first in would have been reverse)
        assert (cache.stats.compiled, cache.stats.memory_hits) == (4, 1)


def test_invalid_bytes_are_not_cached() -> None:
    with WasmtimeExecutor(LIMITS) as executor:
        for _ in range(2):
            with pytest.raises(InvalidModuleError):
                executor.execute(b"\0asm\x01\0\0\0\xff", b"")
        assert executor.modules.stats.compiled == 0


def test_a_module_that_is_not_a_guest_is_never_written(tmp_path: Path) -> None:
    with WasmtimeExecutor(LIMITS, cache_dir=tmp_path) as executor:
        for _ in range(2):
            with pytest.raises(ImportsNotAllowedError):
                executor.execute(guest("needs_import"), b"")
        assert executor.modules.stats.compiled == 2
    assert not any(tmp_path.rglob("*.cwasm"))


def test_a_second_executor_loads_the_compiled_module_from_disk(tmp_path: Path) -> None:
    with WasmtimeExecutor(LIMITS, cache_dir=tmp_path) as first:
        expected = first.execute(guest("reverse"), b"disk")
    with WasmtimeExecutor(LIMITS, cache_dir=tmp_path) as second:
        again = second.execute(guest("reverse"), b"disk")
        assert (second.modules.stats.disk_hits, second.modules.stats.compiled) == (1, 0)
    assert (again.output, again.fuel_consumed) == (expected.output, expected.fuel_consumed)


@pytest.mark.parametrize(("writer", "reader"), [(EngineSettings(), RAW), (RAW, EngineSettings())])
def test_a_module_compiled_under_other_settings_is_never_served(
    tmp_path: Path, writer: EngineSettings, reader: EngineSettings
) -> None:
    with WasmtimeExecutor(LIMITS, settings=writer, cache_dir=tmp_path) as first:
        written = nan_bits(first)
    with WasmtimeExecutor(LIMITS, settings=reader, cache_dir=tmp_path) as second:
        read = nan_bits(second)
        assert (second.modules.stats.disk_hits, second.modules.stats.compiled) == (0, 1)
    canonical = {
        settings.nan_canonicalization: bits
        for settings, bits in [(writer, written), (reader, read)]
    }
    assert canonical[True] == CANONICAL
    assert canonical[False] != CANONICAL


def test_a_corrupt_disk_entry_is_rejected_and_rebuilt(tmp_path: Path) -> None:
    with WasmtimeExecutor(LIMITS, cache_dir=tmp_path) as first:
        first.execute(guest("reverse"), b"x")
        entry = first.modules.key(guest("reverse")).path_under(tmp_path)
    data = entry.read_bytes()
    entry.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with WasmtimeExecutor(LIMITS, cache_dir=tmp_path) as second:
        assert second.execute(guest("reverse"), b"xy").output == b"yx"
        assert (second.modules.stats.rejected, second.modules.stats.compiled) == (1, 1)
    with WasmtimeExecutor(LIMITS, cache_dir=tmp_path) as third:
        third.execute(guest("reverse"), b"x")
        assert third.modules.stats.disk_hits == 1


def test_an_entry_others_can_write_is_not_trusted(tmp_path: Path) -> None:
    with WasmtimeExecutor(LIMITS, cache_dir=tmp_path) as first:
        first.execute(guest("reverse"), b"x")
        entry = first.modules.key(guest("reverse")).path_under(tmp_path)
    os.chmod(entry, 0o666)
    with WasmtimeExecutor(LIMITS, cache_dir=tmp_path) as second:
        second.execute(guest("reverse"), b"x")
        assert (second.modules.stats.rejected, second.modules.stats.disk_hits) == (1, 0)


SETTINGS = st.builds(
    EngineSettings,
    nan_canonicalization=st.booleans(),
    max_wasm_stack=st.sampled_from([64 * 1024, 512 * 1024, 2**20]),
)


@given(one=SETTINGS, other=SETTINGS)
def test_fingerprints_differ_exactly_when_settings_do(
    one: EngineSettings, other: EngineSettings
) -> None:
    assert (one.fingerprint == other.fingerprint) == (one == other)


KEYS = st.builds(
    CacheKey,
    wasm_sha256=st.sampled_from([bytes([byte]) * 32 for byte in (0, 1)]).map(bytes.hex),
    engine_fingerprint=st.sampled_from([EngineSettings().fingerprint, RAW.fingerprint]),
    wasmtime_version=st.sampled_from(["50.0.1", "50.0.2", "51.0.0"]),
)


@given(one=KEYS, other=KEYS)
def test_entries_share_a_path_exactly_when_their_keys_are_equal(
    one: CacheKey, other: CacheKey
) -> None:
    root = Path("/cache")
    assert (one.path_under(root) == other.path_under(root)) == (one == other)
