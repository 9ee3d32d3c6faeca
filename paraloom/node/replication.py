"""Snapshot replication of the coordinator's state from the primary to the passives.

The state is opaque bytes at a :class:`~paraloom.node.messages.Position` with its SHA-256. The
primary pushes each new snapshot to every passive; a passive installs it only if it is newer
than the one it holds, and answers with what it holds. The primary counts a snapshot
committed, and may acknowledge the clients whose writes it contains, only once a majority of
the coordinator set holds it or a later one of the same term. Any majority that elects a later
primary then includes a holder, and a holder votes only for candidates at least as far along
(:mod:`paraloom.node.coordination`), so a failover never loses an acknowledged write.

Only snapshots of the primary's own term are counted (Raft's rule): one inherited from an
earlier term can sit on a majority and still be superseded, so a new primary first re-stamps
its state in its own term and commits that.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from paraloom.errors import CoordinationError
from paraloom.node.messages import MAX_STATE_SIZE, Membership, Position, SnapshotPush


@dataclass(frozen=True)
class Snapshot:
    """The coordinator's state at ``position``; built only with a matching SHA-256."""

    position: Position
    state: bytes
    sha256: bytes

    def __post_init__(self) -> None:
        if len(self.state) > MAX_STATE_SIZE:
            raise CoordinationError(
                f"a state snapshot of {len(self.state)} bytes exceeds {MAX_STATE_SIZE}"
            )
        if hashlib.sha256(self.state).digest() != self.sha256:
            raise CoordinationError(
                f"snapshot {_describe(self.position)}: the state does not match its SHA-256"
            )

    @classmethod
    def of(cls, position: Position, state: bytes) -> Snapshot:
        return cls(position, bytes(state), hashlib.sha256(state).digest())

    @classmethod
    def from_push(cls, push: SnapshotPush) -> Snapshot:
        return cls(push.snapshot, push.state, push.sha256)

    def push(self, term: int, sender: str) -> SnapshotPush:
        return SnapshotPush(term, sender, self.position, self.sha256, self.state)


#: What every node holds before the first primary writes anything.
GENESIS = Snapshot.of(Position(0, 0), b"")


class Replica:
    """The snapshot one node holds; it only ever moves forward."""

    def __init__(self, snapshot: Snapshot = GENESIS) -> None:
        self.snapshot = snapshot

    @property
    def position(self) -> Position:
        return self.snapshot.position

    def install(self, snapshot: Snapshot) -> bool:
        """Hold ``snapshot``; False if it is the one already held.

        An older snapshot is refused, and so is a different state at the held position (only
        one primary writes in a term, so that means a member signed two histories).
        """
        if snapshot.position < self.position:
            raise CoordinationError(
                f"snapshot {_describe(snapshot.position)} is older than the held "
                f"{_describe(self.position)}"
            )
        if snapshot.position == self.position:
            if snapshot.sha256 != self.snapshot.sha256:
                raise CoordinationError(
                    f"snapshot {_describe(snapshot.position)} conflicts with the one held"
                )
            return False
        self.snapshot = snapshot
        return True


class CommitTracker:
    """The primary's view of which of its term's snapshots each member holds."""

    def __init__(self, term: int, membership: Membership) -> None:
        self.term = term
        self.membership = membership
        self.committed: Position | None = None
        self._held: dict[str, Position] = {}

    def record(self, member: str, position: Position) -> Position | None:
        """Note that ``member`` holds ``position``; the newly committed position, if any."""
        if member not in self.membership or position.term != self.term:
            return None
        held = self._held.get(member)
        if held is not None and position <= held:
            return None
        self._held[member] = position
        return self._advance()

    def lags(self, member: str, latest: Position) -> bool:
        """Whether ``member`` is not known to hold ``latest``."""
        held = self._held.get(member)
        return held is None or held < latest

    def _advance(self) -> Position | None:
        ranked = sorted(self._held.values(), reverse=True)
        if len(ranked) < self.membership.majority:
            return None
        candidate = ranked[self.membership.majority - 1]
        if self.committed is not None and candidate <= self.committed:
            return None
        self.committed = candidate
        return candidate


def _describe(position: Position) -> str:
    return f"{position.version} of term {position.term}"
