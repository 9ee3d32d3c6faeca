"""Reputation: a bounded score per node, moved by outcomes and worn down by time.

Generic on purpose: compute agreement and withdrawal consensus both report outcomes in the same
terms (a node was with the outcome, against it, or silent), so one tracker can serve a node.
Decay is applied lazily from the clock passed in, so the tracker holds no timer and two trackers
fed the same outcomes at the same times agree exactly.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from paraloom.config import ReputationSettings
from paraloom.errors import ConfigError

SECONDS_PER_DAY = 86_400.0


class Outcome(enum.Enum):
    """What a node did in one decision; each kind maps to one adjustment of ReputationSettings."""

    CORRECT = "correct"
    CONSENSUS_BONUS = "consensus_bonus"
    INCORRECT = "incorrect"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class _Score:
    value: float
    as_of: float


class ReputationTracker:
    """Scores by node id; a node never seen holds ``settings.initial``.

    Scores persist when a validator leaves the pool, so going silent cannot reset a bad score.
    """

    def __init__(self, settings: ReputationSettings) -> None:
        _check_settings(settings)
        self.settings = settings
        self._scores: dict[str, _Score] = {}

    def score(self, node_id: str, now: float) -> float:
        """The node's score at ``now``, after the decay since its last outcome."""
        known = self._scores.get(node_id)
        if known is None:
            return float(self.settings.initial)
        return self._decayed(known, now)

    def record(self, node_id: str, outcome: Outcome, now: float) -> float:
        """Apply one outcome at ``now`` and return the new score (clamped to the bounds)."""
        value = self._clamp(self.score(node_id, now) + self._change(outcome))
        self._scores[node_id] = _Score(value, now)
        return value

    def scores(self, now: float) -> dict[str, float]:
        """Every node's score at ``now`` to two decimals: what another coordinator needs to
        carry on. Rounded so that the value changes with outcomes, not with every instant of
        decay (0.1 % a day moves a score of 1000 by 0.01 in about 15 minutes)."""
        return {node: round(self._decayed(known, now), 2) for node, known in self._scores.items()}

    def restore(self, scores: dict[str, float], now: float) -> None:
        """Take over scores as of ``now`` (clamped to this tracker's bounds)."""
        for node_id, value in scores.items():
            self._scores[node_id] = _Score(self._clamp(value), now)

    def _change(self, outcome: Outcome) -> int:
        changes = {
            Outcome.CORRECT: self.settings.correct_vote,
            Outcome.CONSENSUS_BONUS: self.settings.consensus_bonus,
            Outcome.INCORRECT: self.settings.incorrect_vote,
            Outcome.TIMEOUT: self.settings.timeout,
        }
        return changes[outcome]

    def _decayed(self, known: _Score, now: float) -> float:
        """Multiplicative daily decay; a clock that steps back decays nothing rather than adding."""
        days = max(0.0, now - known.as_of) / SECONDS_PER_DAY
        return self._clamp(known.value * (1.0 - self.settings.daily_decay) ** days)

    def _clamp(self, value: float) -> float:
        return min(float(self.settings.maximum), max(float(self.settings.minimum), value))


def _check_settings(settings: ReputationSettings) -> None:
    """Each bound is validated alone by the config; their order is only checkable together."""
    if not settings.minimum <= settings.initial <= settings.maximum:
        raise ConfigError(
            f"reputation: need minimum <= initial <= maximum, got "
            f"{settings.minimum} <= {settings.initial} <= {settings.maximum}"
        )
