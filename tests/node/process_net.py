"""Helpers for the node tests that run real node processes (a localnet on loopback).

Not a test module. Nothing here asserts on timing: :func:`eventually` waits, up to a generous
bound, for a state the test then checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from paraloom.errors import NodeApiError

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
