"""Timing for the benchmarks, with snarkjs as the peer in every table.

snarkjs is looked up on PATH, then in ``$PARALOOM_NODE_MODULES`` (a ``node_modules`` folder), so
the figures come from the same npm install the interop tests use. It is timed inside one Node
process (``snarkjs_peer.js``), so Node's start-up is not counted, just as Python's is not;
:func:`command_ms` times whole CLI runs where that is the comparison users feel.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PEER_SCRIPT = Path(__file__).with_name("snarkjs_peer.js")


def timed(repeat: int, function: Callable[..., object], *arguments: Any) -> tuple[float, float]:
    """(median, minimum) wall seconds of ``function(*arguments)`` over ``repeat`` runs."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(*arguments)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), min(samples)


def parse_logs(text: str) -> list[int]:
    """Sizes as powers of two from the command line: "10,14" -> [10, 14]."""
    return [int(part) for part in text.split(",") if part]


def snarkjs_executable() -> Path | None:
    """The snarkjs launcher, or None when snarkjs is not installed."""
    found = shutil.which("snarkjs")
    if found:
        return Path(found)
    modules = os.environ.get("PARALOOM_NODE_MODULES")
    if modules and (Path(modules) / ".bin" / "snarkjs").exists():
        return Path(modules) / ".bin" / "snarkjs"
    return None


def node_modules() -> Path | None:
    """The node_modules folder that holds snarkjs (and so ffjavascript)."""
    launcher = snarkjs_executable()
    if launcher is None:
        return None
    package = launcher.resolve().parent
    while package.name != "node_modules" and package != package.parent:
        package = package.parent
    return package if package.name == "node_modules" else None


def snarkjs_ms(repeat: int, operation: str, *operands: object) -> float | None:
    """Median milliseconds of a ``snarkjs_peer.js`` operation, or None without snarkjs.

    Operations: ``msm-g1 LOG``, ``ntt LOG``, ``groth16-verify VK PUBLIC PROOF``,
    ``groth16-prove ZKEY WTNS``.
    """
    modules = node_modules()
    if modules is None or shutil.which("node") is None:
        return None
    command = ["node", str(PEER_SCRIPT), str(modules), str(repeat), operation, *map(str, operands)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return float(json.loads(output.splitlines()[-1])["median_ms"])


def command_ms(arguments: list[str], repeat: int) -> float:
    """Median wall milliseconds of a command, start-up included; it must succeed."""
    median, _ = timed(repeat, lambda: subprocess.run(arguments, check=True, capture_output=True))
    return median * 1e3


def node_startup_ms(repeat: int = 3) -> float | None:
    """What ``node -e ''`` costs: the floor under every snarkjs CLI figure."""
    if shutil.which("node") is None:
        return None
    return command_ms(["node", "-e", ""], repeat)
