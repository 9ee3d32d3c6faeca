"""snarkjs as the peer in every benchmark table: find it, and time it the way users run it.

snarkjs is looked up on PATH, then in ``$PARALOOM_NODE_MODULES`` (a ``node_modules`` folder), so
the figures come from the same npm install the interop tests use. Arithmetic is timed inside one
Node process through ffjavascript (``ffjavascript_peer.js``), so start-up is not counted; CLI
operations are timed as subprocesses, and :func:`node_startup_ms` says how much of that is Node
itself.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

PEER_SCRIPT = Path(__file__).with_name("ffjavascript_peer.js")


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


def ffjavascript_ms(operation: str, log_size: int, repeat: int) -> float | None:
    """Median milliseconds of ``operation`` ("msm-g1" or "ntt") at 2^log_size, or None."""
    modules = node_modules()
    if modules is None or shutil.which("node") is None:
        return None
    command = ["node", str(PEER_SCRIPT), str(modules), operation, str(log_size), str(repeat)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return float(json.loads(output.splitlines()[-1])["median_ms"])


def command_ms(arguments: list[str], repeat: int) -> float:
    """Median wall milliseconds of a command, start-up included; it must succeed."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(arguments, check=True, capture_output=True)
        samples.append((time.perf_counter() - started) * 1e3)
    return statistics.median(samples)


def node_startup_ms(repeat: int = 3) -> float | None:
    """What ``node -e ''`` costs: the floor under every snarkjs CLI figure."""
    if shutil.which("node") is None:
        return None
    return command_ms(["node", "-e", ""], repeat)
