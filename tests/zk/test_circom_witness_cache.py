"""Compiled witness generators: the in-process cache, disk entries and what is refused."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from paraloom.formats.wtns import read_wtns
from paraloom.zk.circom_cache import (
    ENTRY_MAGIC,
    WASMTIME_VERSION,
    CacheStats,
    ModuleCache,
    default_cache_dir,
    entry_path,
)
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


def test_entries_are_named_by_wasm_hash_and_wasmtime_version(tmp_path: Path) -> None:
    load(ModuleCache(), tmp_path)
    (entry,) = tmp_path.iterdir()
    assert entry.name.startswith(hashlib.sha256(MUL.read_bytes()).hexdigest())
    assert f"wasmtime-{WASMTIME_VERSION}" in entry.name
    assert entry.read_bytes().startswith(ENTRY_MAGIC)
    assert entry == mul_entry(tmp_path)


def test_without_a_directory_nothing_is_written(tmp_path: Path) -> None:
    cache = ModuleCache()
    cache.load(MUL.read_bytes(), name="mul.wasm", directory=None)
    assert cache.stats == CacheStats(compiled=1)
    assert not any(tmp_path.iterdir())


def test_the_memory_cache_keeps_only_the_most_recent(tmp_path: Path) -> None:
    cache = ModuleCache(max_entries=1)
    for wasm in (MUL, DATA / "chain.wasm", MUL):
        cache.load(wasm.read_bytes(), name=wasm.name, directory=None)
    assert cache.stats == CacheStats(compiled=3)


def flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def replace_payload(path: Path) -> None:
    """A well-formed entry whose payload is not wasmtime's: only deserializing can tell."""
    payload = b"not native code" * 10
    header = path.read_bytes()[: len(ENTRY_MAGIC) + 32] + hashlib.sha256(payload).digest()
    path.write_bytes(header + payload)


def entry_of_another_wasm(path: Path) -> None:
    """A valid entry of chain.wasm put under mul.wasm's name."""
    load(ModuleCache(), path.parent, DATA / "chain.wasm")
    chain = entry_path(path.parent, hashlib.sha256((DATA / "chain.wasm").read_bytes()).digest())
    chain.replace(path)


def writable_by_others(path: Path) -> None:
    path.chmod(0o666)


def symlink(path: Path) -> None:
    target = path.with_name("elsewhere.cwasm")
    path.replace(target)
    path.symlink_to(target)


@pytest.mark.parametrize(
    "spoil",
    [flip_last_byte, truncate, replace_payload, entry_of_another_wasm, writable_by_others, symlink],
)
def test_an_unusable_entry_is_ignored_and_rebuilt(
    tmp_path: Path, spoil: Callable[[Path], None], caplog: pytest.LogCaptureFixture
) -> None:
    load(ModuleCache(), tmp_path)
    entry = mul_entry(tmp_path)
    spoil(entry)
    cache = ModuleCache()
    with caplog.at_level(logging.WARNING, logger="paraloom.zk.circom_cache"):
        calculator = load(cache, tmp_path)
    assert cache.stats == CacheStats(compiled=1, rejected=1)
    assert "ignoring cached module" in caplog.text
    assert calculator.calculate({"a": 3, "b": 11}) == MUL_WITNESS
    rebuilt = ModuleCache()
    load(rebuilt, tmp_path)
    assert rebuilt.stats == CacheStats(disk_hits=1)
    assert not entry.is_symlink()
    assert entry.stat().st_mode & 0o022 == 0


def test_an_entry_of_another_user_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(ModuleCache(), tmp_path)
    someone_else = os.getuid() + 1
    monkeypatch.setattr(os, "getuid", lambda: someone_else)
    cache = ModuleCache()
    load(cache, tmp_path)
    assert cache.stats == CacheStats(compiled=1, rejected=1)


def test_an_unwritable_cache_only_costs_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    with caplog.at_level(logging.WARNING, logger="paraloom.zk.circom_cache"):
        calculator = load(ModuleCache(), not_a_directory / "cache")
    assert "cannot cache the compiled module" in caplog.text
    assert calculator.calculate({"a": 3, "b": 11}) == MUL_WITNESS


def test_the_cache_directory_is_private(tmp_path: Path) -> None:
    load(ModuleCache(), tmp_path / "new")
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700


def test_default_directory_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARALOOM_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "paraloom" / "wasm"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "paraloom" / "wasm"
    monkeypatch.setenv("PARALOOM_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"


def test_from_file_uses_the_default_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARALOOM_CACHE_DIR", str(tmp_path))
    CircomWitnessCalculator.from_file(MUL, cache=ModuleCache())
    assert mul_entry(tmp_path).is_file()
