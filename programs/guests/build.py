"""Compile the WAT guest programs into paraloom/data/guests/*.wasm (needs `pip install wasmtime`).

The compiled modules are committed so that `pip install .` alone suffices; tests check that
they match their sources.
"""

from __future__ import annotations

import sys
from pathlib import Path

import wasmtime

SOURCES = Path(__file__).resolve().parent
TARGET = SOURCES.parents[1] / "paraloom" / "data" / "guests"


def compile_guests() -> list[Path]:
    written = []
    for source in sorted(SOURCES.glob("*.wat")):
        target = TARGET / f"{source.stem}.wasm"
        target.write_bytes(wasmtime.wat2wasm(source.read_text()))
        written.append(target)
    return written


if __name__ == "__main__":
    for path in compile_guests():
        print(path, file=sys.stdout)
