"""The pool of validators a coordinator can hand jobs to, kept fresh by heartbeats.

Pure state driven by messages and a clock: the node feeds registrations and heartbeats with the
time it received them and asks for the pool at a given time, so stale removal is testable
without waiting. Reputation is not stored here but read from the tracker, which outlives a
validator's membership of the pool.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.reputation import ReputationTracker
from paraloom.config import ComputeSettings
from paraloom.errors import DistributionError


@dataclass(frozen=True)
class ValidatorStatus:
    """What a validator announces in a registration or heartbeat.

    ``capacity`` is the largest job it runs (its executor's limits); ``load`` the fraction of
    its job slots in use (1.0: full); ``latency`` the round trip the coordinator measured, in
    seconds. Values arrive from peers, so impossible ones are refused here.
    """

    capacity: ExecutionLimits
    load: float = 0.0
    latency: float = 0.0

    def __post_init__(self) -> None:
        for name in ("load", "latency"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise DistributionError(f"validator {name} must be finite and >= 0, got {value}")
        for name in ("memory_limit", "fuel", "timeout"):
            if not getattr(self.capacity, name) > 0:
                raise DistributionError(f"validator capacity {name} must be positive")


@dataclass(frozen=True)
class ValidatorInfo:
    """One validator as the scheduler sees it at one moment."""

    node_id: str
    capacity: ExecutionLimits
    load: float
    reputation: float
    latency: float
    last_heartbeat: float
    #: Cohorts it joined since it (re)registered.
    assigned: int = 0


@dataclass(frozen=True)
class _Entry:
    status: ValidatorStatus
    last_heartbeat: float


class ValidatorRegistry:
    """Registered validators; one silent for longer than ``validator_timeout`` is stale."""

    def __init__(self, settings: ComputeSettings, reputation: ReputationTracker) -> None:
        self.settings = settings
        self.reputation = reputation
        self._entries: dict[str, _Entry] = {}
        self._assigned: dict[str, int] = {}

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def register(self, node_id: str, now: float, status: ValidatorStatus) -> None:
        """Join the pool, or rejoin it after being removed as stale."""
        self._entries[node_id] = _Entry(status, now)
        self._assigned.pop(node_id, None)

    def heartbeat(self, node_id: str, now: float, status: ValidatorStatus) -> None:
        """Refresh a member; a removed validator must register again, so it learns it was out."""
        if node_id not in self._entries:
            raise DistributionError(
                f"heartbeat from unknown validator {node_id} (never registered or removed as "
                "stale); register again"
            )
        self._entries[node_id] = _Entry(status, now)

    def assign(self, node_ids: Iterable[str]) -> None:
        """Note that each of ``node_ids`` joined a cohort: among equally loaded validators the
        scheduler prefers those given fewer jobs for their reputation, so that jobs spread
        over the pool, also a burst that comes between two heartbeats."""
        for node_id in node_ids:
            if node_id in self._entries:
                self._assigned[node_id] = self._assigned.get(node_id, 0) + 1

    def _is_stale(self, node_id: str, now: float) -> bool:
        """True once the validator has been silent for longer than the validator timeout."""
        entry = self._entries[node_id]
        return now - entry.last_heartbeat > self.settings.validator_timeout

    def remove_stale(self, now: float) -> tuple[str, ...]:
        """Drop the stale validators and return their ids, sorted."""
        stale = tuple(sorted(node for node in self._entries if self._is_stale(node, now)))
        for node_id in stale:
            del self._entries[node_id]
        return stale

    def available(self, now: float) -> tuple[ValidatorInfo, ...]:
        """The members that are not stale at ``now``, sorted by id, with current reputation."""
        return tuple(
            self._info(node_id, now)
            for node_id in sorted(self._entries)
            if not self._is_stale(node_id, now)
        )

    def _info(self, node_id: str, now: float) -> ValidatorInfo:
        entry = self._entries[node_id]
        return ValidatorInfo(
            node_id=node_id,
            capacity=entry.status.capacity,
            load=entry.status.load,
            reputation=self.reputation.score(node_id, now),
            latency=entry.status.latency,
            last_heartbeat=entry.last_heartbeat,
            assigned=self._assigned.get(node_id, 0),
        )
