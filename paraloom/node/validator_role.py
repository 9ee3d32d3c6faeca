"""The validator role: join the coordinator's pool, keep announcing itself, run what it is sent.

A dispatched job runs in a worker thread (the executor blocks), so the node keeps answering
heartbeats and other requests while it runs; the dispatch is acknowledged at once and the
signed outcome follows as a request of its own. A job refused before it runs (not for this
node, over the caps, a private job that does not open) is only logged: the coordinator counts
the node silent, as :mod:`paraloom.compute.runner` intends.

Which node is the coordinator is asked of a :data:`CoordinatorLocator`; until the HA role
exists, the node either knows it from its options or finds it by offering its registration to
each peer in turn (a node without the role refuses it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from paraloom.components import Executor
from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.messages import JobDispatch, JobLimits, JobOutcome
from paraloom.compute.runner import run_dispatched_job
from paraloom.config import ComputeSettings
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ParaloomError
from paraloom.network.wire import WireMessage
from paraloom.node.faults import NO_FAULTS, Faults
from paraloom.node.protocol import Accepted, Refused, Register, Reply, ValidatorHeartbeat

LOGGER = logging.getLogger("paraloom.node.validator")
#: Longest wait between registration attempts, in seconds.
REGISTRATION_RETRY = 1.0

#: Sends a request to a peer and returns its reply; raises TransportError when it cannot.
SendRequest = Callable[[str, WireMessage], Awaitable[Reply]]


@dataclass(frozen=True)
class ValidatorOptions:
    """What a validator announces: its executor's limits and how many jobs it runs at once."""

    capacity: ExecutionLimits
    slots: int


class ValidatorRole:
    """One node's validator role (module docstring)."""

    def __init__(
        self,
        identity: NodeIdentity,
        executor: Executor,
        settings: ComputeSettings,
        options: ValidatorOptions,
        *,
        send: SendRequest,
        candidates: Callable[[], Sequence[str]],
        faults: Faults = NO_FAULTS,
    ) -> None:
        self.identity = identity
        self.executor = faults.executor(executor)
        self.settings = settings
        self.options = options
        self.coordinator: str | None = None
        self._send = send
        self._candidates = candidates
        self._faults = faults
        self._running: set[asyncio.Task[None]] = set()

    @property
    def registered(self) -> bool:
        return self.coordinator is not None

    @property
    def load(self) -> float:
        return min(1.0, len(self._running) / self.options.slots)

    async def keep_registered(self) -> None:
        """Register, then heartbeat every ``compute.heartbeat_interval``; re-register whenever
        the coordinator no longer knows this node or cannot be reached."""
        while True:
            try:
                await self._beat()
            except ParaloomError as error:
                LOGGER.info("validator %s: %s", self.identity.node_id_hex, error)
                self.coordinator = None
            await asyncio.sleep(self._interval())

    async def on_dispatch(self, peer: str, dispatch: JobDispatch) -> Accepted:
        """Take the job and run it in the background; the outcome goes back to ``peer``."""
        task = asyncio.create_task(self._run(peer, dispatch))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return Accepted()

    async def close(self) -> None:
        """Stop reporting on running jobs: their outcomes would reach a network this node is
        leaving. Their threads end on their own, within the executor's timeout."""
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    # -- internals ------------------------------------------------------------------------

    def _interval(self) -> float:
        """The heartbeat period, shortened to a second while looking for a coordinator, so a
        node that starts before its peers joins soon after they come up."""
        interval = self.settings.heartbeat_interval
        return interval if self.registered else min(interval, REGISTRATION_RETRY)

    async def _beat(self) -> None:
        if self.coordinator is None:
            await self._register()
            return
        heartbeat = ValidatorHeartbeat(JobLimits.of(self.options.capacity), self.load)
        reply = await self._send(self.coordinator, heartbeat)
        if isinstance(reply, Refused):
            LOGGER.info("heartbeat refused (%s); registering again", reply.reason)
            self.coordinator = None
            await self._register()

    async def _register(self) -> None:
        """Offer the registration to each candidate until one takes it."""
        register = Register(
            self.identity.public_key,
            self.identity.encryption_key_announcement(),
            JobLimits.of(self.options.capacity),
            self.load,
        )
        for peer in self._candidates():
            try:
                reply = await self._send(peer, register)
            except ParaloomError as error:
                LOGGER.debug("registration with %s failed: %s", peer, error)
                continue
            if isinstance(reply, Accepted):
                self.coordinator = peer
                LOGGER.info("validator %s registered with %s", self.identity.node_id_hex, peer)
                return

    async def _run(self, peer: str, dispatch: JobDispatch) -> None:
        try:
            outcome: JobOutcome = await asyncio.to_thread(
                run_dispatched_job,
                self.executor,
                self.identity,
                dispatch,
                settings=self.settings,
            )
        except ParaloomError as error:
            LOGGER.warning("job %s refused: %s", dispatch.job_id.hex(), error)
            return
        if self._faults.drops_vote():
            LOGGER.warning("job %s: outcome withheld (testing.drop_votes)", dispatch.job_id.hex())
            return
        try:
            reply = await self._send(peer, outcome)
        except ParaloomError as error:
            LOGGER.warning("job %s: outcome not delivered: %s", dispatch.job_id.hex(), error)
            return
        if isinstance(reply, Refused):
            LOGGER.warning("job %s: outcome refused: %s", dispatch.job_id.hex(), reply.reason)
