"""Fixtures shared by the coordinator tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .coordinator_support import Server, running_servers


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    """Coordinator processes a test starts; every one is stopped when the test ends."""
    yield from running_servers()
