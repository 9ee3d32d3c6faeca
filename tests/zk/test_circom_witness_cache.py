"""Compiled witness generators: how circom uses the shared cache (tests/test_wasm_cache.py).

The entry layout is fixed: caches written before the shared cache existed keep working.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from paraloom.formats.wtns import read_wtns
from paraloom.wasm_cache import ENTRY_MAGIC, WASMTIME_VERSION, CacheStats
from paraloom.zk.circom_cache import ModuleCache, entry_path
from paraloom.zk.circom_witness import CircomWitnessCalculator

DATA = Path(__file__).parent / "data"
MUL = DATA / "mul.wasm"
MUL_WITNESS = list(read_wtns(Path(__file__).parent.parent / "formats" / "data" / "mul.wtns").values)


def load(cache: ModuleCache, directory: Path, wasm: Path = MUL) -> CircomWitnessCalculator:
    return CircomWitnessCalculator.from_file(wasm, cache_dir=directory, cache=cache)


def mul_entry(directory: Path) -> Path:
    return entry_path(directory, hashlib.sha256(MUL.read_bytes()).digest())


def test_the_second_load_is_a_memory_hit(tmp_path: Path) -> None:
    cache = ModuleCache()
    load(cache, tmp_path)
    load(cache, tmp_path)
    assert cache.stats == CacheStats(memory_hits=1, compiled=1)


def test_a_new_process_loads_from_disk(tmp_path: Path) -> None:
    load(ModuleCache(), tmp_path)
    fresh = ModuleCache()
    calculator = load(fresh, tmp_path)
    assert fresh.stats == CacheStats(disk_hits=1)
    assert calculator.calculate({"a": 3, "b": 11}) == MUL_WITNESS


def test_entries_keep_the_layout_of_earlier_caches(tmp_path: Path) -> None:
    load(ModuleCache(), tmp_path)
    (entry,) = tmp_path.iterdir()
    wasm_hash = hashlib.sha256(MUL.read_bytes()).hexdigest()
    assert entry.name == f"{wasm_hash}-wasmtime-{WASMTIME_VERSION}-fuel-multimemory.cwasm"
    assert entry.read_bytes().startswith(ENTRY_MAGIC + bytes.fromhex(wasm_hash))
    assert entry == mul_entry(tmp_path)


def test_max_entries_bounds_the_memory_cache() -> None:
    cache = ModuleCache(max_entries=1)
    for wasm in (MUL, DATA / "chain.wasm", MUL):
        cache.load(wasm.read_bytes(), name=wasm.name, directory=None)
    assert cache.stats == CacheStats(compiled=3)


def test_a_corrupt_entry_is_rebuilt_and_the_witness_is_right(tmp_path: Path) -> None:
    load(ModuleCache(), tmp_path)
    entry = mul_entry(tmp_path)
    entry.write_bytes(entry.read_bytes()[:-1])
    cache = ModuleCache()
    calculator = load(cache, tmp_path)
    assert cache.stats == CacheStats(compiled=1, rejected=1)
    assert calculator.calculate({"a": 3, "b": 11}) == MUL_WITNESS


def test_from_file_uses_the_default_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARALOOM_CACHE_DIR", str(tmp_path))
    CircomWitnessCalculator.from_file(MUL, cache=ModuleCache())
    assert mul_entry(tmp_path).is_file()
