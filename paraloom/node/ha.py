"""Coordinator HA in a running node: the role machine of :mod:`paraloom.node.coordination`
driven by the clock and the transport, its state kept in the node database.

The machine decides; this class carries its events out, in order and before the next input:
Persist and Store are committed to SQLite before any message that relies on them leaves,
Send goes out as :class:`CoordinationFrame` requests (the reply is only an acknowledgement;
the machine's own answers travel as requests of their own), RoleChanged is told to the node
(which starts or stops the coordinator's work), and Committed releases the writes waiting
for it.

Writes are grouped (:meth:`HaRole.replicate`): at most one snapshot is on its way to the
passives at a time; writes made meanwhile wait for the next one, which carries them all. A
client is answered once the snapshot holding its write is on a majority, so a failover never
loses what a client was told was accepted.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

import msgspec

from paraloom.config import CoordinatorSettings
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import NotPrimaryError, ParaloomError
from paraloom.network.wire import WireMessage
from paraloom.node.coordination import (
    Committed,
    Coordinator,
    Event,
    Persist,
    Role,
    RoleChanged,
    Send,
    Store,
)
from paraloom.node.messages import MAX_MESSAGE_SIZE, Membership, Position
from paraloom.node.protocol import Accepted, Reply
from paraloom.node.replication import GENESIS
from paraloom.storage.coordination_store import CoordinationStore

LOGGER = logging.getLogger("paraloom.node.ha")

#: Longest wait between two ticks of the role machine, in seconds.
MAX_TICK = 0.05

SendRequest = Callable[[str, WireMessage], Awaitable[Reply]]
#: Told of every change of role or primary; the snapshot state the member holds comes along,
#: which is what a new primary starts from.
RoleListener = Callable[[RoleChanged, bytes], None]
#: The coordinator's current state, encoded, taken when a snapshot is proposed.
StateSource = Callable[[], bytes]


class CoordinationFrame(WireMessage, frozen=True, tag="coordination"):
    """One signed message of the coordinator set (:mod:`paraloom.node.messages`)."""

    data: Annotated[bytes, msgspec.Meta(max_length=MAX_MESSAGE_SIZE)]


class HaRole:
    """One member's part in coordinator HA (module docstring)."""

    def __init__(
        self,
        identity: NodeIdentity,
        membership: Membership,
        settings: CoordinatorSettings,
        store: CoordinationStore,
        *,
        send: SendRequest,
        on_role: RoleListener,
        state: StateSource,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.membership = membership
        self.refused = 0
        self._store = store
        self._send = send
        self._on_role = on_role
        self._state = state
        self._clock = clock
        self._waiting: list[asyncio.Future[None]] = []
        self._in_flight: tuple[Position, list[asyncio.Future[None]]] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        now = clock()
        persisted, snapshot = store.persistent(), store.snapshot()
        fresh = persisted.term == 0 and snapshot.position == GENESIS.position
        self.machine = Coordinator(
            identity,
            membership,
            settings,
            now=now,
            jitter=jitter,
            persisted=persisted,
            snapshot=snapshot,
            stand_at=_first_stand(now, fresh, membership, settings, jitter),
        )

    @property
    def role(self) -> Role:
        return self.machine.role

    @property
    def primary(self) -> str | None:
        return self.machine.primary

    @property
    def term(self) -> int:
        return self.machine.term

    @property
    def interval(self) -> float:
        """How often :meth:`tick` must run for the machine's shortest timer."""
        return min(MAX_TICK, self.machine.settings.heartbeat_interval / 4)

    def tick(self) -> None:
        self._carry_out(self.machine.tick(self._clock()))

    async def run(self) -> None:
        """Tick until cancelled."""
        while True:
            await asyncio.sleep(self.interval)
            self.tick()

    async def on_frame(self, _peer: str, frame: CoordinationFrame) -> Reply:
        """A message from another member; one that does not open is counted and refused."""
        try:
            events = self.machine.receive(frame.data, self._clock())
        except ParaloomError:
            self.refused += 1
            raise
        self._carry_out(events)
        return Accepted()

    async def replicate(self) -> None:
        """Return once a snapshot holding every write made before the call is committed;
        NotPrimaryError if this member is not, or stops being, the primary."""
        self._require_primary()
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        if self._in_flight is None:
            self._propose()
        await waiter

    def touch(self) -> None:
        """Replicate the current state in the background (a change no client waits for)."""
        if self.machine.role is Role.PRIMARY and self._in_flight is None:
            self._propose()

    async def close(self) -> None:
        self._fail_waiters("the node is stopping")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- internals ------------------------------------------------------------------------

    def _propose(self) -> None:
        """Snapshot the state for the writes waiting now; nothing to send if it is unchanged.
        If taking or storing the snapshot fails, its waiters get the error (never a wait
        without end) and the next write tries again."""
        waiters, self._waiting = self._waiting, []
        try:
            state = self._state()
            if state == self.machine.replica.snapshot.state and self._is_committed(
                self.machine.replica.position
            ):
                _release(waiters)
                return
            position, events = self.machine.propose(state, self._clock())
            self._in_flight = (position, waiters)
            self._carry_out(events)
        except Exception as error:
            if self._in_flight is not None and self._in_flight[1] is waiters:
                self._in_flight = None
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(error)
            raise

    def _is_committed(self, position: Position) -> bool:
        committed = self.machine.committed
        return committed is not None and position <= committed

    def _carry_out(self, events: list[Event]) -> None:
        for event in events:
            match event:
                case Persist():
                    self._store.save_persistent(event.state)
                case Store():
                    self._store.save_snapshot(event.snapshot)
                case Send():
                    for recipient in event.recipients:
                        self._spawn(self._deliver(recipient, event.data))
                case RoleChanged():
                    self._role_changed(event)
                case Committed():
                    self._committed(event.position)

    def _role_changed(self, event: RoleChanged) -> None:
        LOGGER.info(
            "coordinator role: %s in term %d (primary %s)",
            event.role.value,
            event.term,
            event.primary,
        )
        if event.role is not Role.PRIMARY:
            self._fail_waiters(f"this node is no longer primary (term {event.term})")
        self._on_role(event, self.machine.replica.snapshot.state)

    def _committed(self, position: Position) -> None:
        if self._in_flight is None or self._in_flight[0] > position:
            return
        _, waiters = self._in_flight
        self._in_flight = None
        _release(waiters)
        if self._waiting:
            self._propose()

    def _fail_waiters(self, reason: str) -> None:
        waiters = self._waiting + (self._in_flight[1] if self._in_flight else [])
        self._waiting, self._in_flight = [], None
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(NotPrimaryError(f"write not replicated: {reason}"))

    def _require_primary(self) -> None:
        if self.machine.role is not Role.PRIMARY:
            primary = self.machine.primary or "not known yet"
            raise NotPrimaryError(
                f"node {self.machine.node_id} is not the primary coordinator (primary: {primary})"
            )

    async def _deliver(self, recipient: str, data: bytes) -> None:
        try:
            await self._send(recipient, CoordinationFrame(data))
        except ParaloomError as error:
            LOGGER.debug("coordination message to %s not delivered: %s", recipient, error)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _release(waiters: list[asyncio.Future[None]]) -> None:
    for waiter in waiters:
        if not waiter.done():
            waiter.set_result(None)


def _first_stand(
    now: float,
    fresh: bool,
    membership: Membership,
    settings: CoordinatorSettings,
    jitter: Callable[[], float],
) -> float | None:
    """A set starting from nothing has no primary to wait for: a lone member stands at once,
    others after a random fraction of a heartbeat (so one usually stands alone). A member
    with a term waits the full failover time, not to depose a primary it has yet to hear."""
    if not fresh:
        return None
    if len(membership.keys) == 1:
        return now
    return now + jitter() * settings.heartbeat_interval
