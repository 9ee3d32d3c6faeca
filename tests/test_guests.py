"""The guest programs shipped as package data match their sources and follow the guest ABI."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from paraloom.compute.execution import unpack_guest_result

wasmtime = pytest.importorskip("wasmtime")

SOURCES = Path(__file__).resolve().parents[1] / "programs" / "guests"


@pytest.mark.parametrize("source", sorted(SOURCES.glob("*.wat")), ids=lambda path: path.stem)
def test_shipped_module_matches_its_source(source: Path) -> None:
    shipped = files("paraloom").joinpath(f"data/guests/{source.stem}.wasm").read_bytes()
    assert shipped == wasmtime.wat2wasm(source.read_text())


@pytest.mark.parametrize("payload", [b"", b"a", b"paraloom demo", bytes(range(256)) * 10])
def test_reverse_guest_reverses(payload: bytes) -> None:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasm = files("paraloom").joinpath("data/guests/reverse.wasm").read_bytes()
    exports = wasmtime.Instance(store, wasmtime.Module(engine, wasm), []).exports(store)
    pointer = exports["alloc"](store, len(payload))
    exports["memory"].write(store, payload, pointer)
    start, length = unpack_guest_result(exports["run"](store, pointer, len(payload)))
    assert bytes(exports["memory"].read(store, start, start + length)) == payload[::-1]


@pytest.mark.parametrize(
    ("packed", "expected"),
    [(0, (0, 0)), ((5 << 32) | 7, (5, 7)), (-1, (0xFFFFFFFF, 0xFFFFFFFF))],
)
def test_guest_results_unpack_as_unsigned(packed: int, expected: tuple[int, int]) -> None:
    assert unpack_guest_result(packed) == expected
