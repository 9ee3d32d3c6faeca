"""The shared compiled-module cache: the LRU, disk entries, what is refused and the entry codec."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import wasmtime
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import InvalidModuleError
from paraloom.wasm_cache import (
    ENTRY_MAGIC,
    CacheStats,
    CompiledModuleCache,
    compile_binary,
    decode_entry,
    default_cache_dir,
    encode_entry,
)

ENGINE = wasmtime.Engine()


def answer_wasm(value: int) -> bytes:
    """A module whose ``answer`` returns ``value``: distinct values give distinct modules."""
    wat = f'(module (func (export "answer") (result i32) i32.const {value}))'
    return bytes(wasmtime.wat2wasm(wat))


FORTY_TWO = answer_wasm(42)


def flat_entry(directory: Path, wasm_digest: bytes) -> Path:
    return directory / f"{wasm_digest.hex()}.cwasm"


def compile_job(wasm: bytes, name: str) -> wasmtime.Module:
    return compile_binary(ENGINE, wasm, lambda problem: InvalidModuleError(f"{name}: {problem}"))


def new_cache(max_entries: int = 4) -> CompiledModuleCache[wasmtime.Module]:
    return CompiledModuleCache(
        ENGINE, entry_path=flat_entry, compile=compile_job, max_entries=max_entries
    )


def answer(module: wasmtime.Module) -> object:
    store = wasmtime.Store(ENGINE)
    run = wasmtime.Instance(store, module, []).exports(store)["answer"]
    assert isinstance(run, wasmtime.Func)
    return run(store)


def entry_of(directory: Path, wasm: bytes = FORTY_TWO) -> Path:
    return flat_entry(directory, hashlib.sha256(wasm).digest())


def test_the_second_load_is_a_memory_hit() -> None:
    cache = new_cache()
    first = cache.load(FORTY_TWO, directory=None)
    assert cache.load(FORTY_TWO, directory=None) is first
    assert cache.stats == CacheStats(memory_hits=1, compiled=1)


def test_a_new_cache_loads_from_disk(tmp_path: Path) -> None:
    new_cache().load(FORTY_TWO, directory=tmp_path)
    fresh = new_cache()
    assert answer(fresh.load(FORTY_TWO, directory=tmp_path)) == 42
    assert fresh.stats == CacheStats(disk_hits=1)


def test_entries_go_where_the_caller_says(tmp_path: Path) -> None:
    new_cache().load(FORTY_TWO, directory=tmp_path)
    (entry,) = tmp_path.iterdir()
    assert entry == entry_of(tmp_path)
    assert entry.read_bytes().startswith(ENTRY_MAGIC + hashlib.sha256(FORTY_TWO).digest())


def test_without_a_directory_nothing_is_written(tmp_path: Path) -> None:
    cache = new_cache()
    cache.load(FORTY_TWO, directory=None)
    assert cache.stats == CacheStats(compiled=1)
    assert not any(tmp_path.iterdir())


def test_the_least_recently_used_module_is_evicted() -> None:
    cache = new_cache(max_entries=2)
    one, two, three = (answer_wasm(value) for value in (1, 2, 3))
    for wasm in (one, two, one, three, one, two):
        cache.load(wasm, directory=None)
    # three evicts two, the least recently used (first in would have been one)
    assert cache.stats == CacheStats(memory_hits=2, compiled=4)


def test_clear_forgets_the_modules_in_memory_only(tmp_path: Path) -> None:
    cache = new_cache()
    cache.load(FORTY_TWO, directory=tmp_path)
    cache.clear()
    cache.load(FORTY_TWO, directory=tmp_path)
    assert cache.stats == CacheStats(compiled=1, disk_hits=1)


def test_prepare_runs_on_compiled_and_on_disk_modules(tmp_path: Path) -> None:
    def prepared(directory: Path) -> tuple[object, CacheStats]:
        cache = CompiledModuleCache(
            ENGINE, entry_path=flat_entry, compile=compile_job, prepare=answer, max_entries=4
        )
        return cache.load(FORTY_TWO, directory=directory), cache.stats

    assert prepared(tmp_path) == (42, CacheStats(compiled=1))
    assert prepared(tmp_path) == (42, CacheStats(disk_hits=1))


def test_a_module_that_prepare_refuses_is_neither_kept_nor_written(tmp_path: Path) -> None:
    def refuse(module: wasmtime.Module) -> object:
        raise InvalidModuleError("refused")

    cache = CompiledModuleCache(
        ENGINE, entry_path=flat_entry, compile=compile_job, prepare=refuse, max_entries=4
    )
    for _ in range(2):
        with pytest.raises(InvalidModuleError, match="refused"):
            cache.load(FORTY_TWO, directory=tmp_path)
    assert cache.stats == CacheStats(compiled=2)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("wasm", "message"),
    [
        (b'(module (func (export "f")))', r"job\.wasm: not a WebAssembly binary"),
        (b"\0asm\x01\0\0\0\xff", r"job\.wasm: invalid WebAssembly module: \S"),
    ],
)
def test_what_does_not_compile_is_the_callers_error_and_not_cached(
    tmp_path: Path, wasm: bytes, message: str
) -> None:
    cache = new_cache()
    with pytest.raises(InvalidModuleError, match=message) as refused:
        cache.load(wasm, directory=tmp_path, name="job.wasm")
    assert "\n" not in str(refused.value)
    assert cache.stats == CacheStats()
    assert not any(tmp_path.iterdir())


def flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def replace_payload(path: Path) -> None:
    """A well-formed entry whose payload is not wasmtime's: only deserializing can tell."""
    path.write_bytes(encode_entry(hashlib.sha256(FORTY_TWO).digest(), b"not native code" * 10))


def entry_of_another_wasm(path: Path) -> None:
    """A valid entry of another module put under this one's name."""
    other = answer_wasm(7)
    new_cache().load(other, directory=path.parent)
    entry_of(path.parent, other).replace(path)


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
    new_cache().load(FORTY_TWO, directory=tmp_path)
    entry = entry_of(tmp_path)
    spoil(entry)
    cache = new_cache()
    with caplog.at_level(logging.WARNING, logger="paraloom.wasm_cache"):
        module = cache.load(FORTY_TWO, directory=tmp_path)
    assert cache.stats == CacheStats(compiled=1, rejected=1)
    assert "ignoring cached module" in caplog.text
    assert answer(module) == 42
    rebuilt = new_cache()
    rebuilt.load(FORTY_TWO, directory=tmp_path)
    assert rebuilt.stats == CacheStats(disk_hits=1)
    assert not entry.is_symlink()
    assert entry.stat().st_mode & 0o022 == 0


def test_an_entry_of_another_user_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_cache().load(FORTY_TWO, directory=tmp_path)
    someone_else = os.getuid() + 1
    monkeypatch.setattr(os, "getuid", lambda: someone_else)
    cache = new_cache()
    cache.load(FORTY_TWO, directory=tmp_path)
    assert cache.stats == CacheStats(compiled=1, rejected=1)


def test_an_unwritable_cache_only_costs_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    with caplog.at_level(logging.WARNING, logger="paraloom.wasm_cache"):
        module = new_cache().load(FORTY_TWO, directory=not_a_directory / "cache")
    assert "cannot cache the compiled module" in caplog.text
    assert answer(module) == 42


def test_the_cache_directory_is_private(tmp_path: Path) -> None:
    new_cache().load(FORTY_TWO, directory=tmp_path / "new")
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700


def test_threads_sharing_a_cache_all_get_the_module() -> None:
    cache = new_cache()
    answers: list[object] = []

    def load() -> None:
        answers.append(answer(cache.load(FORTY_TWO, directory=None)))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [42] * 8
    assert cache.stats.compiled >= 1
    assert cache.stats.memory_hits + cache.stats.compiled == 8


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


DIGESTS = st.binary(min_size=32, max_size=32)


@given(digest=DIGESTS, payload=st.binary(max_size=256))
def test_an_entry_decodes_to_its_payload(digest: bytes, payload: bytes) -> None:
    assert decode_entry(encode_entry(digest, payload), digest) == payload


@given(digest=DIGESTS, payload=st.binary(max_size=64), data=st.data())
def test_any_changed_byte_is_refused(digest: bytes, payload: bytes, data: st.DataObject) -> None:
    entry = bytearray(encode_entry(digest, payload))
    position = data.draw(st.integers(0, len(entry) - 1))
    entry[position] ^= data.draw(st.integers(1, 255))
    with pytest.raises(ValueError, match="corrupt"):
        decode_entry(bytes(entry), digest)


@given(digest=DIGESTS, payload=st.binary(max_size=64), data=st.data())
def test_a_truncated_entry_is_refused(digest: bytes, payload: bytes, data: st.DataObject) -> None:
    entry = encode_entry(digest, payload)
    cut = data.draw(st.integers(0, len(entry) - 1))
    with pytest.raises(ValueError, match="corrupt"):
        decode_entry(entry[:cut], digest)


@given(digest=DIGESTS, other=DIGESTS, payload=st.binary(max_size=64))
def test_an_entry_of_another_wasm_is_refused(digest: bytes, other: bytes, payload: bytes) -> None:
    entry = encode_entry(digest, payload)
    if other == digest:
        assert decode_entry(entry, other) == payload
    else:
        with pytest.raises(ValueError, match="corrupt"):
            decode_entry(entry, other)
