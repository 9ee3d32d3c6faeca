"""Helpers for the node tests that run real node processes (a localnet on loopback).

Not a test module. Nothing here asserts on timing: :func:`eventually` waits, up to a generous
bound, for a state the test then checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from paraloom.errors import NodeApiError
from paraloom.localnet.layout import LocalnetLayout, NodeFaults, create_layout
from paraloom.localnet.processes import start_localnet, stop_localnet
from paraloom.localnet.state import STATE_DIR_ENV
from paraloom.options import TomlValue

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], timeout: float, what: str) -> T:
    """``probe``'s first answer that is not None. A NodeApiError counts as none yet: while a
    primary is elected (after a kill, or when a loaded machine delays heartbeats) the API
    refuses writes until the new primary takes them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = probe()
        except NodeApiError:
            found = None
        if found is not None:
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


def short_intervals(fuel: int) -> dict[str, dict[str, TomlValue]]:
    """Config tables for a test localnet: heartbeats every 200 ms, a validator stale after
    2 s, and room for jobs of up to ``fuel``."""
    return {
        "plugins.executor": {"name": "wasmtime", "fuel": fuel},
        "compute": {
            "heartbeat_interval": "200ms",
            "validator_timeout": "2s",
            "distribution_timeout": "60s",
            "max_fuel": fuel,
        },
    }


@contextmanager
def localnet(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    validators: int,
    settings: Mapping[str, Mapping[str, TomlValue]] | None = None,
    faults: NodeFaults | None = None,
) -> Iterator[LocalnetLayout]:
    """A running localnet of node processes, isolated from the user's state and cache, every
    process stopped on exit whatever happened."""
    monkeypatch.setenv(STATE_DIR_ENV, str(tmp_path / "state"))
    monkeypatch.setenv("PARALOOM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PARALOOM_CONFIG", raising=False)
    net = create_layout(tmp_path / "net", validators, settings, faults)
    try:
        start_localnet(net)
        yield net
    finally:
        stop_localnet(net, grace=5)
