"""A deterministic network of coordinators for the tests: a virtual clock and a message queue
with drops, delays, partitions, crashes and restarts, all drawn from one seeded generator.

Each member's "disk" keeps what its Persist and Store events said, which is all a restart
gets. The cluster records what the safety checks need: who became primary in which term and
holding what, and which snapshots were committed.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field

from paraloom.config import CoordinatorSettings
from paraloom.crypto.identity import NodeIdentity
from paraloom.node.coordination import (
    Committed,
    Coordinator,
    Event,
    Persist,
    PersistentState,
    Role,
    RoleChanged,
    Send,
    Store,
)
from paraloom.node.messages import Membership, Position
from paraloom.node.replication import GENESIS, Snapshot

SETTINGS = CoordinatorSettings()
STEP = 0.05
"""Seconds between ticks of the virtual clock."""

IDENTITIES = [
    NodeIdentity.from_seed(hashlib.sha256(f"coordinator {index}".encode()).digest())
    for index in range(5)
]


def membership(size: int) -> Membership:
    return Membership.of(identity.public_key for identity in IDENTITIES[:size])


@dataclass
class Faults:
    """How the network misbehaves: each message is lost with ``drop`` or else delayed."""

    drop: float = 0.0
    min_delay: float = 0.005
    max_delay: float = 0.05


@dataclass(frozen=True)
class Election:
    """A member became primary of ``term`` at ``time`` holding ``snapshot``."""

    time: float
    term: int
    node_id: str
    snapshot: Snapshot


@dataclass
class Disk:
    state: PersistentState = field(default_factory=PersistentState)
    snapshot: Snapshot = GENESIS


class Cluster:
    """``size`` members under one seed; ``run_until`` advances the clock."""

    def __init__(self, size: int, seed: int, faults: Faults | None = None) -> None:
        self.identities = {item.node_id_hex: item for item in IDENTITIES[:size]}
        self.ids = list(self.identities)
        self.membership = membership(size)
        self.rng = random.Random(seed)
        self.faults = faults or Faults()
        self.now = 0.0
        self.disks = {node_id: Disk() for node_id in self.ids}
        self.nodes: dict[str, Coordinator] = {}
        self.blocked: set[tuple[str, str]] = set()
        self.elections: list[Election] = []
        self.candidacies: defaultdict[str, int] = defaultdict(int)
        self.commits: list[Snapshot] = []
        self.stored: dict[Position, Snapshot] = {}
        self._queue: list[tuple[float, int, str, str, bytes]] = []
        self._order = itertools.count()
        for node_id in self.ids:
            self.start(node_id)

    # -- faults -----------------------------------------------------------------------------

    def start(self, node_id: str) -> Coordinator:
        """Start (or restart) a member from what its disk holds."""
        disk = self.disks[node_id]
        node = Coordinator(
            self.identities[node_id],
            self.membership,
            SETTINGS,
            now=self.now,
            jitter=self.rng.random,
            persisted=disk.state,
            snapshot=disk.snapshot,
        )
        self.nodes[node_id] = node
        return node

    def kill(self, node_id: str) -> None:
        self.nodes.pop(node_id, None)

    def partition(self, *groups: set[str]) -> None:
        """Cut every link between members of different groups (in both directions)."""
        self.blocked = {
            (one, other)
            for first, second in itertools.permutations(groups, 2)
            for one in first
            for other in second
        }

    def heal(self) -> None:
        self.blocked = set()

    # -- running ----------------------------------------------------------------------------

    def run_until(self, until: float) -> None:
        while self.now + STEP <= until + 1e-9:
            self.now = round(self.now + STEP, 9)
            self._deliver()
            for node_id, node in list(self.nodes.items()):
                self._apply(node_id, node.tick(self.now))

    def write(self, payload: bytes) -> Position | None:
        """Append ``payload`` to the state at the live primary of the highest term, if any."""
        primary = self.primary()
        if primary is None:
            return None
        node = self.nodes[primary]
        position, events = node.propose(node.replica.snapshot.state + payload + b";", self.now)
        self._apply(primary, events)
        return position

    # -- observations -----------------------------------------------------------------------

    def primary(self) -> str | None:
        """The live member that believes itself primary in the highest term, if any."""
        ranked = sorted(
            (node.term, node_id)
            for node_id, node in self.nodes.items()
            if node.role is Role.PRIMARY
        )
        return ranked[-1][1] if ranked else None

    def settled(self) -> str | None:
        """The primary, if every live member is in its term and follows it."""
        primary = self.primary()
        if primary is None:
            return None
        term = self.nodes[primary].term
        agree = all(node.term == term and node.primary == primary for node in self.nodes.values())
        return primary if agree else None

    def run_until_settled(self, limit: float) -> str | None:
        while self.now < limit:
            if (primary := self.settled()) is not None:
                return primary
            self.run_until(self.now + STEP)
        return self.settled()

    def fail_over(self, limit: float) -> float | None:
        """Kill the settled primary; seconds until the others settle on a new one (None: no
        primary to kill, or none within ``limit`` seconds)."""
        first = self.settled()
        if first is None:
            return None
        killed_at = self.now
        self.kill(first)
        second = self.run_until_settled(limit=killed_at + limit)
        return None if second is None else self.now - killed_at

    # -- internals --------------------------------------------------------------------------

    def _deliver(self) -> None:
        while self._queue and self._queue[0][0] <= self.now:
            _, _, source, target, data = heapq.heappop(self._queue)
            node = self.nodes.get(target)
            if node is None or (source, target) in self.blocked:
                continue
            self._apply(target, node.receive(data, self.now))

    def _apply(self, node_id: str, events: list[Event]) -> None:
        for event in events:
            match event:
                case Persist(state):
                    self.disks[node_id].state = state
                case Store(snapshot):
                    self.disks[node_id].snapshot = snapshot
                    self.stored[snapshot.position] = snapshot
                case Send(recipients, data):
                    for target in recipients:
                        self._post(node_id, target, data)
                case RoleChanged(Role.PRIMARY, term, _):
                    snapshot = self.nodes[node_id].replica.snapshot
                    self.elections.append(Election(self.now, term, node_id, snapshot))
                case RoleChanged(Role.CANDIDATE, _, _):
                    self.candidacies[node_id] += 1
                case Committed(position):
                    self.commits.append(self.stored[position])

    def _post(self, source: str, target: str, data: bytes) -> None:
        if self.rng.random() < self.faults.drop:
            return
        delay = self.rng.uniform(self.faults.min_delay, self.faults.max_delay)
        heapq.heappush(self._queue, (self.now + delay, next(self._order), source, target, data))
