"""How long steps report progress, without the library knowing about terminals.

A step announces each phase with its size in units of work (points, hash iterations) and then
reports the units it finishes; the CLI draws bars with an ETA from that, tests and libraries
pass :data:`SILENT`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

#: Called with the units of work finished since the last call.
Advance = Callable[[int], None]


class Progress(Protocol):
    def task(self, description: str, total: int | None) -> Advance:
        """Start a phase of ``total`` units (None: of unknown size); returns its reporter."""
        ...


class _Silent:
    def task(self, description: str, total: int | None) -> Advance:
        return _ignore


def _ignore(units: int) -> None:
    """Progress nobody watches."""


SILENT: Progress = _Silent()
