"""Coordinator high availability (DESIGN §6): which validator is the primary coordinator.

A minimal Raft over the configured coordinator set, as a state machine driven by messages and
a clock ``now``; it does no I/O and answers :meth:`Coordinator.tick` and
:meth:`Coordinator.receive` with events, which the node acts on in order.

- Roles passive, candidate, primary; terms number the elections. The primary sends a
  heartbeat every ``heartbeat_interval``; members answer it with the snapshot they hold, and
  the primary pushes its latest snapshot to any member that lags (:mod:`.replication`).
- A member that hears no new heartbeat for ``failover_after`` plus a jitter drawn from the
  injected source (up to ``election_jitter``, default one heartbeat interval) stands as
  candidate in term + 1 and asks the others for votes. The jitter spreads candidates apart so
  that votes are rarely split. A candidate whose election has not concluded stands again in
  the next term after one heartbeat interval plus a fresh jitter, not after ``failover_after``:
  its own election already shows the primary is gone, and a winner announces itself at once,
  so waiting longer only prolongs a split vote or one lost to dropped messages.
- A member votes at most once per term, and only for a candidate whose snapshot is at least
  as far along as its own, so that every primary holds every committed snapshot. A majority of
  the configured set, the candidate's own vote included, wins.
- A message of a higher term makes its receiver adopt that term and become passive: this is
  how a stale primary, back from a partition or a pause, learns it was replaced. Members answer
  a stale primary's heartbeats and pushes with their own, higher, term.
- What a restart must keep is :class:`PersistentState` (term and vote; a :class:`Persist`
  event comes before any message that relies on it) and the snapshot (a :class:`Store` event).
  A restarted node starts passive from both, so it never votes twice in one term.

Not implemented: Raft's pre-vote. A member cut off from the others keeps raising its term (once
per retry timeout), so when it comes back the primary steps down and one extra election
follows; the returning member cannot win it without the committed snapshot.

Timing never decides safety (one vote per term, a majority to win); it decides liveness, which
needs a heartbeat interval longer than a message round trip, as the heartbeats already do.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from paraloom.config import CoordinatorSettings
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ConfigError, CoordinationError, NotPrimaryError
from paraloom.node.messages import (
    Heartbeat,
    Membership,
    Message,
    Position,
    SnapshotAck,
    SnapshotPush,
    VoteReply,
    VoteRequest,
    open_message,
    seal,
)
from paraloom.node.replication import GENESIS, CommitTracker, Replica, Snapshot

Jitter = Callable[[], float]
"""The injected randomness: each call returns a fraction in [0, 1), like ``random.random``."""


class Role(enum.Enum):
    """A member's part; the values are what /metrics and status output show."""

    PASSIVE = "passive"
    CANDIDATE = "candidate"
    PRIMARY = "primary"


@dataclass(frozen=True)
class PersistentState:
    """What a member stores durably: its term and whom it voted for in it."""

    term: int = 0
    voted_for: str | None = None


@dataclass(frozen=True)
class Persist:
    """Store ``state`` durably before acting on the events after it."""

    state: PersistentState


@dataclass(frozen=True)
class Store:
    """Store ``snapshot`` durably, as this member's coordinator state, before going on."""

    snapshot: Snapshot


@dataclass(frozen=True)
class Send:
    """Deliver ``data`` (a signed message) to each of ``recipients``."""

    recipients: tuple[str, ...]
    data: bytes


@dataclass(frozen=True)
class RoleChanged:
    """This member's role, or the primary it follows (None: unknown), changed."""

    role: Role
    term: int
    primary: str | None


@dataclass(frozen=True)
class Committed:
    """A majority holds the snapshot at ``position``: the writes in it may be acknowledged."""

    position: Position


Event = Persist | Store | Send | RoleChanged | Committed


class Coordinator:
    """One member's role machine; constructing one is also how a member restarts."""

    def __init__(
        self,
        identity: NodeIdentity,
        membership: Membership,
        settings: CoordinatorSettings,
        *,
        now: float,
        jitter: Jitter,
        persisted: PersistentState = PersistentState(),
        snapshot: Snapshot = GENESIS,
        election_jitter: float | None = None,
        stand_at: float | None = None,
    ) -> None:
        """``stand_at`` is when to stand first if no primary is heard of by then; by default
        a full ``failover_after`` (with jitter) from ``now``, which a member restarting into a
        running set needs. A set starting from nothing has no primary to wait for."""
        self.node_id = identity.node_id_hex
        if self.node_id not in membership:
            raise CoordinationError(f"node {self.node_id} is not in the coordinator set")
        _check_timing(settings, election_jitter)
        self.identity, self.membership, self.settings = identity, membership, settings
        self.election_jitter = (
            settings.heartbeat_interval if election_jitter is None else election_jitter
        )
        self._jitter = jitter
        self.role = Role.PASSIVE
        self.term, self.voted_for = persisted.term, persisted.voted_for
        self.primary: str | None = None
        #: The latest snapshot position the primary announced (replication lag = its distance).
        self.announced: Position | None = None
        self.replica = Replica(snapshot)
        self._votes: set[str] = set()
        self._tracker: CommitTracker | None = None
        self._last_beat: tuple[int, int] | None = None
        self._beats = 0
        self._next_beat = now
        self._deadline = self._election_deadline(now) if stand_at is None else stand_at

    @property
    def persistent(self) -> PersistentState:
        return PersistentState(self.term, self.voted_for)

    @property
    def committed(self) -> Position | None:
        """The newest snapshot of this primary's term on a majority (None unless primary)."""
        return None if self._tracker is None else self._tracker.committed

    def tick(self, now: float) -> list[Event]:
        """Let time pass: the primary's heartbeat, or an election when it is overdue."""
        if self.role is Role.PRIMARY:
            return self._heartbeat(now) if now >= self._next_beat else []
        return self._stand(now) if now >= self._deadline else []

    def receive(self, data: bytes, now: float) -> list[Event]:
        """Act on one message from another member.

        Malformed, forged and foreign messages are refused (FormatError, SignatureError,
        CoordinationError) before anything changes; the node drops and counts them.
        """
        message = open_message(data, self.membership, self.node_id)
        events = self._observe(message.term, now)
        return events + self._handle(message, now)

    def propose(self, state: bytes, now: float) -> tuple[Position, list[Event]]:
        """Write a new state as primary; its clients wait for a Committed at this position."""
        if self._tracker is None:
            known = f"the primary is {self.primary}" if self.primary else "no primary is known"
            raise NotPrimaryError(f"node {self.node_id} is {self.role.value}, not primary; {known}")
        position = Position(self.term, self.replica.position.version + 1)
        return position, self._write(self._tracker, Snapshot.of(position, state))

    # -- messages ---------------------------------------------------------------------------

    def _handle(self, message: Message, now: float) -> list[Event]:
        match message:
            case Heartbeat():
                return self._on_heartbeat(message, now)
            case VoteRequest():
                return self._on_vote_request(message, now)
            case VoteReply():
                return self._on_vote_reply(message, now)
            case SnapshotPush():
                return self._on_push(message, now)
            case SnapshotAck():
                return self._on_ack(message)

    def _observe(self, term: int, now: float) -> list[Event]:
        """Adopt a higher term, as a passive that knows no primary yet."""
        if term <= self.term:
            return []
        self.term, self.voted_for = term, None
        return [Persist(self.persistent), *self._become(Role.PASSIVE, None, now)]

    def _on_heartbeat(self, beat: Heartbeat, now: float) -> list[Event]:
        if beat.term < self.term:
            return self._ack(beat.sender)
        events = self._follow(beat.sender, now)
        if self._last_beat is None or (beat.term, beat.sequence) > self._last_beat:
            self._last_beat = (beat.term, beat.sequence)
            self._deadline = self._election_deadline(now)
            self.announced = beat.snapshot
        return events + self._ack(beat.sender)

    def _on_vote_request(self, request: VoteRequest, now: float) -> list[Event]:
        granted = (
            request.term == self.term
            and self.voted_for in (None, request.sender)
            and request.snapshot >= self.replica.position
        )
        events: list[Event] = []
        if granted and self.voted_for is None:
            self.voted_for = request.sender
            self._deadline = self._election_deadline(now)
            events.append(Persist(self.persistent))
        reply = VoteReply(self.term, self.node_id, request.sender, granted)
        return events + self._send((request.sender,), reply)

    def _on_vote_reply(self, reply: VoteReply, now: float) -> list[Event]:
        counts = (
            self.role is Role.CANDIDATE
            and reply.term == self.term
            and reply.candidate == self.node_id
            and reply.granted
        )
        if not counts:
            return []
        self._votes.add(reply.sender)
        return self._win(now) if len(self._votes) >= self.membership.majority else []

    def _on_push(self, push: SnapshotPush, now: float) -> list[Event]:
        if push.term < self.term:
            return self._ack(push.sender)
        events = self._follow(push.sender, now)
        snapshot = Snapshot.from_push(push)
        if snapshot.position >= self.replica.position and self.replica.install(snapshot):
            events.append(Store(snapshot))
        return events + self._ack(push.sender)

    def _on_ack(self, ack: SnapshotAck) -> list[Event]:
        tracker = self._tracker
        if tracker is None or ack.term != self.term:
            return []
        events = self._committed(tracker.record(ack.sender, ack.snapshot))
        if tracker.lags(ack.sender, self.replica.position):
            events += self._send((ack.sender,), self.replica.snapshot.push(self.term, self.node_id))
        return events

    # -- transitions ------------------------------------------------------------------------

    def _follow(self, sender: str, now: float) -> list[Event]:
        """Accept ``sender`` as the primary of the current term."""
        if self.role is Role.PRIMARY:
            raise CoordinationError(
                f"{sender} claims to be primary of term {self.term}, which this node holds"
            )
        return self._become(Role.PASSIVE, sender, now)

    def _stand(self, now: float) -> list[Event]:
        self.term += 1
        self.voted_for = self.node_id
        self._votes = {self.node_id}
        self._deadline = self._retry_deadline(now)
        events = [Persist(self.persistent), *self._become(Role.CANDIDATE, None, now)]
        if len(self._votes) >= self.membership.majority:
            return events + self._win(now)
        request = VoteRequest(self.term, self.node_id, self.replica.position)
        return events + self._send(self.membership.others(self.node_id), request)

    def _win(self, now: float) -> list[Event]:
        """Become primary and re-stamp the state in this term, the first snapshot it commits."""
        events = self._become(Role.PRIMARY, self.node_id, now)
        self._tracker = tracker = CommitTracker(self.term, self.membership)
        self._beats = 0
        position = Position(self.term, self.replica.position.version + 1)
        events += self._write(tracker, Snapshot.of(position, self.replica.snapshot.state))
        return events + self._heartbeat(now)

    def _become(self, role: Role, primary: str | None, now: float) -> list[Event]:
        """Change role; a member that stops leading or starts following waits anew.

        A candidate that only learns of a higher term keeps its retry deadline (Raft's rule:
        only a primary, a granted vote or standing restarts the wait). Else a candidate
        that cannot win, its snapshot behind, would push the one that can back by a whole
        ``failover_after`` each time it retries, and failover would last until chance
        ended it.
        """
        if (role, primary) == (self.role, self.primary):
            return []
        leaves = self.role is Role.PRIMARY or (self.role is Role.CANDIDATE and primary is not None)
        if role is Role.PASSIVE and leaves:
            self._deadline = self._election_deadline(now)
        if role is not Role.PRIMARY:
            self._tracker = None
        self.role, self.primary = role, primary
        return [RoleChanged(role, self.term, primary)]

    def _write(self, tracker: CommitTracker, snapshot: Snapshot) -> list[Event]:
        """Hold a snapshot of this primary's making and push it to every other member."""
        self.replica.install(snapshot)
        events: list[Event] = [Store(snapshot)]
        events += self._committed(tracker.record(self.node_id, snapshot.position))
        push = snapshot.push(self.term, self.node_id)
        return events + self._send(self.membership.others(self.node_id), push)

    def _heartbeat(self, now: float) -> list[Event]:
        self._beats += 1
        self._next_beat = now + self.settings.heartbeat_interval
        beat = Heartbeat(self.term, self.node_id, self._beats, self.replica.position)
        return self._send(self.membership.others(self.node_id), beat)

    # -- helpers ----------------------------------------------------------------------------

    def _ack(self, recipient: str) -> list[Event]:
        return self._send((recipient,), SnapshotAck(self.term, self.node_id, self.replica.position))

    def _send(self, recipients: tuple[str, ...], message: Message) -> list[Event]:
        if not recipients:
            return []
        return [Send(recipients, seal(self.identity, message))]

    @staticmethod
    def _committed(position: Position | None) -> list[Event]:
        return [] if position is None else [Committed(position)]

    def _election_deadline(self, now: float) -> float:
        """When a member that last heard of a primary (or voted) at ``now`` stands."""
        return self._jittered(now + self.settings.failover_after)

    def _retry_deadline(self, now: float) -> float:
        """When a candidate that stood at ``now`` and has not won stands again."""
        return self._jittered(now + self.settings.heartbeat_interval)

    def _jittered(self, deadline: float) -> float:
        """A fresh draw each time, so members that collided once are unlikely to again."""
        fraction = self._jitter()
        if not 0.0 <= fraction < 1.0:
            raise CoordinationError(f"the election jitter source gave {fraction}, not [0, 1)")
        return deadline + fraction * self.election_jitter


def _check_timing(settings: CoordinatorSettings, election_jitter: float | None) -> None:
    """Refuse timings under which passives would depose a healthy primary."""
    if settings.heartbeat_interval >= settings.failover_after:
        raise ConfigError(
            "coordinator.heartbeat_interval must be shorter than coordinator.failover_after, got "
            f"{settings.heartbeat_interval} s and {settings.failover_after} s"
        )
    if election_jitter is not None and not election_jitter >= 0:
        raise ConfigError(f"the election jitter must be >= 0 s, got {election_jitter}")
