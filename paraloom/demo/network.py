"""The demo's localnet: real node processes on loopback with short intervals, watched while
the validators register, and stopped whatever happens (errors and Ctrl-C included).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from paraloom.localnet.layout import LocalnetLayout, create_layout
from paraloom.localnet.processes import (
    localnet_status,
    primary_node,
    registered_validators,
    start_localnet,
    stop_localnet,
)
from paraloom.options import TomlValue

VALIDATORS = 3
HEARTBEAT_SECONDS = 0.1
#: Fuel per job on the nodes: enough for the demo's long hash chains, under the network cap.
EXECUTOR_FUEL = 10_000_000_000
#: Heartbeats and timeouts scaled down from the seeds' 30 s / 60 s so that the coordinator
#: sees each validator's load while the demo's jobs run, and a vote ends within seconds.
SHORT_INTERVALS: dict[str, dict[str, TomlValue]] = {
    "plugins.executor": {"name": "wasmtime", "fuel": EXECUTOR_FUEL},
    "compute": {
        "heartbeat_interval": f"{HEARTBEAT_SECONDS * 1000:.0f}ms",
        "validator_timeout": "5s",
        "distribution_timeout": "30s",
        "max_fuel": EXECUTOR_FUEL,
    },
    "consensus": {"vote_timeout": "5s"},
}
WATCH_SECONDS = 0.05


@contextmanager
def running_localnet(
    directory: Path, report: Callable[[str], None], validators: int = VALIDATORS
) -> Iterator[LocalnetLayout]:
    """Start a localnet in ``directory``, reporting each registration, and stop it on exit."""
    layout = create_layout(directory, validators, SHORT_INTERVALS)
    started = time.monotonic()
    try:
        with _watch_registrations(layout, started, report):
            start_localnet(layout)
        report(f"all {validators} validators registered in {time.monotonic() - started:.1f}s")
        yield layout
    finally:
        stop_localnet(layout)


def nodes_left(layout: LocalnetLayout) -> list[str]:
    """Names of the localnet's nodes that still run (none, after the demo)."""
    return [state.node.name for state in localnet_status(layout, probe=False) if state.running]


def node_names(layout: LocalnetLayout) -> dict[str, str]:
    """Node id → name, to show cohorts as names."""
    return {node.node_id: node.name for node in layout.nodes}


@contextmanager
def _watch_registrations(
    layout: LocalnetLayout, started: float, report: Callable[[str], None]
) -> Iterator[None]:
    """Report the coordinator's count of registered validators each time it grows."""
    done = threading.Event()

    def watch() -> None:
        seen = 0
        while not done.wait(WATCH_SECONDS):
            primary = primary_node(layout)
            count = registered_validators(primary) if primary is not None else 0
            if count > seen:
                seen = count
                elapsed = time.monotonic() - started
                report(f"{elapsed:5.1f}s  {count} of {len(layout.nodes)} validators registered")

    thread = threading.Thread(target=watch, name="demo-registrations", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
