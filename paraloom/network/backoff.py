"""Exponential backoff with jitter, for redialling a peer that went away.

Jitter spreads the retries of many nodes that lost the same peer at the same moment, so a
restarting node is not hit by all of them at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable

_MAX_DOUBLINGS = 64


class Backoff:
    """Delays that double from ``initial`` up to ``maximum``, each drawn in [half, whole]."""

    def __init__(
        self, initial: float, maximum: float, rng: Callable[[], float] = random.random
    ) -> None:
        self.initial, self.maximum, self._rng = initial, max(initial, maximum), rng
        self.attempts = 0

    def next_delay(self) -> float:
        """The wait before the next attempt; every call counts as one more failure."""
        ceiling = min(self.maximum, self.initial * 2.0 ** min(self.attempts, _MAX_DOUBLINGS))
        self.attempts += 1
        return ceiling * (0.5 + 0.5 * self._rng())

    def reset(self) -> None:
        """Start again from ``initial`` (after a connection succeeded)."""
        self.attempts = 0
