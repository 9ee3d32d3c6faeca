"""The node process: one identity, one database, one transport, and the roles it takes.

:class:`Node` assembles what the config selects and runs it on asyncio. Inbound requests go
through a :class:`~paraloom.node.protocol.Dispatcher` keyed by message type, so other roles
(withdrawal consensus, coordinator HA) plug in with :meth:`Node.dispatcher` registrations.
Roles:

- validator (every node unless told otherwise): registers with the coordinator, heartbeats,
  runs dispatched jobs in a worker thread (:mod:`paraloom.node.validator_role`);
- coordinator, taken by the member of the coordinator set (``coordinator.members``; alone
  with ``NodeRoles.coordinator`` when no set is configured) that the set elects primary
  (:mod:`paraloom.node.ha`): the validator pool, cohorts and job state machines
  (:mod:`paraloom.node.compute_coordinator`) and withdrawal rounds, with a clock task for
  deadlines and stale validators. A new primary starts from the replicated state
  (:mod:`paraloom.node.coordinator_state`); one that steps down drops its in-memory work,
  which its successor holds. Members that are not primary refuse the coordinator's messages
  with the name of the primary they know.

The node serves the client API on ``node.api_listen`` (loopback only) and, when
``health.enabled``, ``/health``, ``/ready`` and ``/metrics`` on ``health.listen`` if that
address is free (on a localnet, the first node gets it and the others go without).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paraloom.components import Executor, Transport
from paraloom.compute.jobs import Finished
from paraloom.compute.messages import JobDispatch, JobOutcome
from paraloom.config import Config
from paraloom.crypto.identity import NodeIdentity, node_id_of, require_public_key
from paraloom.errors import (
    ConfigError,
    DistributionError,
    NodeApiError,
    NotPrimaryError,
    ParaloomError,
    TransportError,
)
from paraloom.network.wire import TrafficCounters, WireMessage
from paraloom.node.api import ClientApi, require_loopback
from paraloom.node.compute_coordinator import ComputeCoordinator
from paraloom.node.coordination import Role, RoleChanged
from paraloom.node.coordinator_state import (
    RECENT_FINISHED,
    CoordinatorState,
    decode_state,
    encode_state,
)
from paraloom.node.faults import Faults, require_localnet
from paraloom.node.ha import CoordinationFrame, HaRole
from paraloom.node.health import NodeMetrics, NodeReadings
from paraloom.node.http import HttpServer
from paraloom.node.messages import Membership
from paraloom.node.protocol import (
    Accepted,
    ApiCall,
    ApiReply,
    Dispatcher,
    Register,
    Reply,
    ValidatorHeartbeat,
)
from paraloom.node.validator_role import ValidatorOptions, ValidatorRole
from paraloom.node.withdrawals import (
    DepositNotice,
    ProofVerifier,
    SpentNotice,
    VoteRequest,
    WithdrawalCoordinator,
    WithdrawalVoter,
)
from paraloom.storage.coordination_store import CoordinationStore
from paraloom.storage.database import Database, database_path, open_database
from paraloom.storage.nullifiers import NullifierSet

LOGGER = logging.getLogger("paraloom.node")

#: Room for the JSON around a base64 job spec in an API request body.
JSON_OVERHEAD = 4096
#: Longest wait between two runs of the coordinator's clock, in seconds.
MAX_TICK = 0.5


@dataclass(frozen=True)
class NodeRoles:
    """Which roles the node takes. ``coordinator`` makes a node outside any configured
    coordinator set its own set of one. ``coordinator_id`` names the coordinator when known;
    else a validator offers its registration to the coordinator set's members, or without a
    set to each peer, until one takes it."""

    coordinator: bool = False
    validator: bool = True
    coordinator_id: str | None = None


class Node:
    """One running node (module docstring); ``start`` it, then ``stop`` it."""

    def __init__(
        self,
        config: Config,
        identity: NodeIdentity,
        transport: Transport,
        executor: Executor | None,
        *,
        roles: NodeRoles = NodeRoles(),
        validator_options: ValidatorOptions | None = None,
        hooks: Any = None,
        withdraw_proofs: ProofVerifier | None = None,
    ) -> None:
        self._validating = _validator_parts(roles, executor, validator_options)
        self.config = config
        self.identity = identity
        self.transport = transport
        self.executor = executor
        self.roles = roles
        self.hooks = hooks
        self.dispatcher = Dispatcher(config.network.max_frame_size)
        self.faults = Faults(config.testing)
        self.database: Database | None = None
        self.coordinator: ComputeCoordinator | None = None
        self.validator: ValidatorRole | None = None
        self.withdrawals: WithdrawalCoordinator | None = None
        self.voter: WithdrawalVoter | None = None
        self.ha: HaRole | None = None
        self._primary_tasks: list[asyncio.Task[None]] = []
        self._captured: tuple[object, bytes] | None = None
        self._withdraw_proofs = withdraw_proofs
        self.metrics = NodeMetrics(self._readings, self.ready)
        self._api_server: HttpServer | None = None
        self._health_server: HttpServer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._api = ClientApi(
            coordinator=lambda: self.coordinator,
            withdrawals=lambda: self.withdrawals,
            forward=self._forward,
            status=self._status,
            max_message_size=config.network.max_frame_size,
            committed=self._replicated,
        )

    @property
    def node_id(self) -> str:
        return self.identity.node_id_hex

    @property
    def api_address(self) -> tuple[str, int] | None:
        return self._api_server.address if self._api_server is not None else None

    @property
    def health_address(self) -> tuple[str, int] | None:
        return self._health_server.address if self._health_server is not None else None

    def ready(self) -> bool:
        """Able to do its work: a validator once registered, else once it knows a primary."""
        if self.database is None:
            return False
        if self.validator is not None:
            return self.validator.registered
        return self._known_coordinator() is not None

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the database, start the roles, the transport and the HTTP endpoints."""
        require_localnet(self.config)
        data_dir = Path(self.config.node.data_dir).expanduser()
        data_dir.mkdir(parents=True, exist_ok=True)
        self.database = open_database(database_path(data_dir))
        try:
            self._start_roles(self.database)
            await self.transport.start(self.node_id, self.faults.handler(self.dispatcher))
            if self.ha is not None:
                self.ha.tick()  # a lone member is primary before the node serves anything
            await self._serve_api()
            await self._serve_health()
        except BaseException:
            await self.stop()
            raise
        self._spawn_tasks()
        if self.hooks is not None:
            self.hooks.paraloom_node_started(node_id=self.node_id, config=self.config)
        LOGGER.info("node %s started", self.node_id)

    async def stop(self) -> None:
        """Stop taking work, then close everything in the reverse order of ``start``; every
        write was committed when it was acknowledged, so nothing is left to flush."""
        if self.hooks is not None and self.database is not None:
            self.hooks.paraloom_node_stopping(node_id=self.node_id)
        tasks = self._tasks + self._primary_tasks
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._primary_tasks.clear()
        for server in (self._health_server, self._api_server):
            if server is not None:
                await server.close()
        self._health_server = self._api_server = None
        if self.validator is not None:
            await self.validator.close()
        if self.withdrawals is not None:
            await self.withdrawals.close()
        if self.ha is not None:
            await self.ha.close()
        await self.transport.close()
        if self.database is not None:
            self.database.close()
            self.database = None

    async def run(self, stop: asyncio.Event) -> None:
        """Start, serve until ``stop`` is set, then stop."""
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()

    # -- messaging ------------------------------------------------------------------------

    async def request(self, peer: str, message: WireMessage) -> Reply:
        """Send ``message`` to ``peer`` and return its reply; a message to this node itself
        is handled here (a coordinator that also validates dispatches to itself)."""
        if peer == self.node_id:
            return await self.dispatcher.handle(peer, message)
        payload = self.dispatcher.encode(message)
        reply = await self.transport.request(peer, payload, self.config.network.request_timeout)
        return self.dispatcher.decode_reply(reply)

    # -- internals ------------------------------------------------------------------------

    def _start_roles(self, database: Database) -> None:
        membership = self._membership()
        if membership is not None:
            self.ha = HaRole(
                self.identity,
                membership,
                self.config.coordinator,
                CoordinationStore(database),
                send=self.request,
                on_role=self._role_changed,
                state=self._capture_state,
            )
            self._take_coordinator_messages(self.ha)
        if self._validating is not None:
            self._start_validator(*self._validating)

    def _membership(self) -> Membership | None:
        """The coordinator set this node is a member of, if any (NodeRoles docstring)."""
        configured = self.config.coordinator.members
        if configured:
            membership = Membership.of(_public_key(text) for text in configured)
            if self.node_id in membership:
                return membership
            if self.roles.coordinator:
                raise ConfigError(
                    f"this node ({self.node_id}) takes the coordinator role but its public key "
                    "is not in coordinator.members"
                )
            return None
        if self.roles.coordinator:
            return Membership.of([self.identity.public_key])
        return None

    def _take_coordinator_messages(self, ha: HaRole) -> None:
        """Route the coordinator's messages to its role while this node is primary; refused
        with the primary's name otherwise."""

        async def register(peer: str, message: Register) -> Reply:
            coordinator, withdrawals = self._primary()
            coordinator.register(peer, message)
            withdrawals.register(peer, message.public_key)
            return Accepted()

        async def heartbeat(peer: str, message: ValidatorHeartbeat) -> Reply:
            self._primary()[0].heartbeat(peer, message)
            return Accepted()

        async def outcome(peer: str, message: JobOutcome) -> Reply:
            await self._primary()[0].outcome(peer, message)
            return Accepted()

        self.dispatcher.on(Register, register)
        self.dispatcher.on(ValidatorHeartbeat, heartbeat)
        self.dispatcher.on(JobOutcome, outcome)
        self.dispatcher.on(ApiCall, self._api.on_call)
        self.dispatcher.on(CoordinationFrame, ha.on_frame)

    def _primary(self) -> tuple[ComputeCoordinator, WithdrawalCoordinator]:
        coordinator, withdrawals = self.coordinator, self.withdrawals
        if coordinator is None or withdrawals is None:
            primary = self._known_coordinator() or "not known yet"
            raise NotPrimaryError(f"node {self.node_id} is not the coordinator (it is {primary})")
        return coordinator, withdrawals

    def _role_changed(self, change: RoleChanged, state: bytes) -> None:
        if change.role is Role.PRIMARY and self.coordinator is None:
            self._become_primary(decode_state(state), change.term)
        elif change.role is not Role.PRIMARY and self.coordinator is not None:
            self._step_down()

    def _become_primary(self, state: CoordinatorState, term: int) -> None:
        """Take the coordinator's work over from the replicated state (module docstring)."""
        assert self.database is not None
        coordinator, withdrawals = self._coordinator_parts(self.database)
        try:
            coordinator.adopt(state.jobs, state.validators, state.reputation, term)
            withdrawals.adopt(state.deposits, state.decisions)
        except ParaloomError as error:
            LOGGER.error("the replicated coordinator state was not taken over whole: %s", error)
        for validator in state.validators:
            if validator.node_id in coordinator.registry:
                withdrawals.register(validator.node_id, validator.public_key)
        self.coordinator, self.withdrawals = coordinator, withdrawals
        LOGGER.info("node %s is the primary coordinator of term %d", self.node_id, term)
        self._primary_tasks = [
            asyncio.create_task(self._clock(coordinator)),
            asyncio.create_task(self._resume(coordinator, withdrawals, state, term)),
        ]

    def _step_down(self) -> None:
        """Stop the coordinator's work; the primary that replaced this one carries it on."""
        withdrawals = self.withdrawals
        for task in self._primary_tasks:
            task.cancel()
        self._primary_tasks = []
        self.coordinator = self.withdrawals = None
        self._captured = None
        if withdrawals is not None:
            self._tasks.append(asyncio.create_task(withdrawals.close()))
        LOGGER.info("node %s is no longer the primary coordinator", self.node_id)

    async def _resume(
        self,
        coordinator: ComputeCoordinator,
        withdrawals: WithdrawalCoordinator,
        state: CoordinatorState,
        term: int,
    ) -> None:
        try:
            await coordinator.resume(state.jobs, term)
            await withdrawals.resume(state.voting)
        except ParaloomError as error:
            LOGGER.error("resuming the earlier primary's work: %s", error)

    def _coordinator_parts(
        self, database: Database
    ) -> tuple[ComputeCoordinator, WithdrawalCoordinator]:
        coordinator = ComputeCoordinator(
            self.config.compute,
            self.config.reputation,
            database,
            send=self._send_dispatch,
            round_trip=self.config.network.request_timeout,
            max_message_size=self.config.network.max_frame_size,
            on_finished=self._job_finished,
        )
        withdrawals = WithdrawalCoordinator(
            self.config.consensus,
            database,
            coordinator.reputation,
            registry=coordinator.registry,
            send=self.request,
        )
        return coordinator, withdrawals

    def _capture_state(self) -> bytes:
        """The coordinator state to replicate, taken again only when the database or the
        validator pool changed since the last time."""
        coordinator, withdrawals, database = self.coordinator, self.withdrawals, self.database
        assert self.ha is not None
        if coordinator is None or withdrawals is None or database is None:
            return self.ha.machine.replica.snapshot.state
        now = time.monotonic()
        pool = tuple(info.node_id for info in coordinator.registry.available(now))
        key = (database.total_changes, pool)
        if self._captured is not None and self._captured[0] == key:
            return self._captured[1]
        state = CoordinatorState(
            jobs=coordinator.export_jobs(RECENT_FINISHED),
            validators=coordinator.export_validators(),
            reputation=coordinator.reputation.scores(now),
            deposits=withdrawals.export_deposits(),
            decisions=withdrawals.export_decisions(RECENT_FINISHED),
            voting=withdrawals.voting(),
        )
        encoded = encode_state(state)
        self._captured = (key, encoded)
        return encoded

    async def _replicated(self) -> None:
        """Wait until this primary's writes so far are on a majority of the coordinator set."""
        if self.ha is not None:
            await self.ha.replicate()

    def _start_validator(self, executor: Executor, options: ValidatorOptions) -> None:
        self.validator = ValidatorRole(
            self.identity,
            executor,
            self.config.compute,
            options,
            send=self.request,
            candidates=self._coordinator_candidates,
            faults=self.faults,
        )
        self.dispatcher.on(JobDispatch, self.validator.on_dispatch)
        if self._withdraw_proofs is not None and self.database is not None:
            self._start_voter(self.database, self._withdraw_proofs)

    def _start_voter(self, database: Database, proofs: ProofVerifier) -> None:
        validator = self.validator
        voter = WithdrawalVoter(
            self.identity,
            database,
            proofs,
            coordinator=lambda: validator.coordinator if validator is not None else None,
            observe_verification=self.metrics.observe_verification,
        )
        self.voter = voter
        self.dispatcher.on(VoteRequest, voter.on_vote_request)
        self.dispatcher.on(DepositNotice, voter.on_deposit)
        self.dispatcher.on(SpentNotice, voter.on_spent)

    def _coordinator_candidates(self) -> list[str]:
        """Where to register: the known primary first, then the other members of the set."""
        if self.roles.coordinator_id is not None:
            return [self.roles.coordinator_id]
        members = sorted(
            node_id_of(_public_key(text)).hex() for text in self.config.coordinator.members
        )
        if self.ha is not None:
            members = list(self.ha.membership.keys)
        if not members:
            return sorted(self.transport.peers())
        known = self._known_coordinator()
        return sorted(members, key=lambda member: member != known)

    async def _serve_api(self) -> None:
        host, port = self.config.node.api_listen
        max_body = self.config.network.max_frame_size * 4 // 3 + JSON_OVERHEAD  # base64
        server = HttpServer(self._api.handle, max_body)
        await server.start(require_loopback(host), port)
        self._api_server = server

    async def _serve_health(self) -> None:
        if not self.config.health.enabled:
            return
        host, port = self.config.health.listen
        server = HttpServer(self.metrics.handle, 0)
        try:
            await server.start(host, port)
        except TransportError as error:
            LOGGER.warning("health endpoints not served: %s", error)
            return
        self._health_server = server

    def _spawn_tasks(self) -> None:
        if self.validator is not None:
            self._tasks.append(asyncio.create_task(self.validator.keep_registered()))
        if self.ha is not None:
            self._tasks.append(asyncio.create_task(self.ha.run()))

    async def _clock(self, coordinator: ComputeCoordinator) -> None:
        """Apply deadlines and drop stale validators, often enough for the shortest timer,
        then replicate what changed (job progress no client waits for)."""
        interval = min(MAX_TICK, self.config.compute.heartbeat_interval)
        while True:
            await asyncio.sleep(interval)
            try:
                await coordinator.tick()
                if self.withdrawals is not None:
                    self.withdrawals.tick()
                if self.ha is not None:
                    self.ha.touch()
            except ParaloomError as error:
                LOGGER.error("coordinator clock: %s", error)

    async def _send_dispatch(self, peer: str, dispatch: JobDispatch) -> bool:
        try:
            reply = await self.request(peer, dispatch)
        except ParaloomError as error:
            LOGGER.info("dispatch of job %s to %s failed: %s", dispatch.job_id.hex(), peer, error)
            return False
        return isinstance(reply, Accepted)

    def _known_coordinator(self) -> str | None:
        if self.coordinator is not None:
            return self.node_id
        if self.ha is not None and self.ha.primary is not None:
            return self.ha.primary
        known = self.validator.coordinator if self.validator is not None else None
        return self.roles.coordinator_id or known

    async def _forward(self, call: ApiCall) -> ApiReply:
        coordinator = self._known_coordinator()
        if coordinator is None:
            raise DistributionError("this node knows no coordinator yet; try again shortly")
        reply = await self.request(coordinator, call)
        if not isinstance(reply, ApiReply):
            raise NodeApiError(f"coordinator {coordinator} did not answer the API call: {reply}")
        return reply

    def _job_finished(self, event: Finished) -> None:
        LOGGER.info("job %s %s: %s", event.job_id, event.state.value, event.reason)
        if self.hooks is not None:
            details = {"reason": event.reason, "verdict": repr(event.verdict)}
            self.hooks.paraloom_job_completed(
                job_id=event.job_id, state=event.state.value, details=details
            )

    def _status(self) -> Mapping[str, Any]:
        readings = self._readings()
        coordinator = self.coordinator
        return {
            "node_id": self.node_id,
            "coordinator": coordinator is not None,
            "coordinator_role": self.ha.role.value if self.ha is not None else None,
            "term": self.ha.term if self.ha is not None else None,
            "validator": self.validator is not None,
            "known_coordinator": self._known_coordinator(),
            "ready": self.ready(),
            "peers": list(self.transport.peers()),
            "validators": len(coordinator.registry) if coordinator is not None else None,
            "jobs": dict(readings.jobs_by_state),
        }

    def _readings(self) -> NodeReadings:
        database = self.database
        dropped = dict(_transport_drops(self.transport))
        dropped["malformed_request"] = self.dispatcher.dropped
        if self.ha is not None:
            dropped["refused_coordination"] = self.ha.refused  # forged, foreign, malformed
        if self.withdrawals is not None:
            dropped["refused_vote"] = self.withdrawals.refused_votes
        return NodeReadings(
            jobs_by_state=self.coordinator.store.count_by_state() if self.coordinator else {},
            peers=len(self.transport.peers()),
            coordinator=self.coordinator is not None,
            dropped=dropped,
            nullifiers=NullifierSet(database).count() if database is not None else 0,
        )


def _validator_parts(
    roles: NodeRoles, executor: Executor | None, options: ValidatorOptions | None
) -> tuple[Executor, ValidatorOptions] | None:
    """What the validator role runs with; None when the node does not validate."""
    if not roles.validator:
        return None
    if executor is None or options is None:
        raise NodeApiError("a validator needs an executor and its capacity")
    return executor, options


def _public_key(text: str) -> bytes:
    """A member's key from ``coordinator.members`` (64 hex digits)."""
    try:
        return require_public_key(bytes.fromhex(text))
    except (ValueError, ParaloomError):
        raise ConfigError(
            f"coordinator.members: {text!r} is not an Ed25519 public key in hex (64 digits)"
        ) from None


def _transport_drops(transport: Transport) -> Mapping[str, int]:
    """The transport's drop counters, for transports that keep them (both built-ins do)."""
    counters = getattr(transport, "counters", None)
    if not isinstance(counters, TrafficCounters):
        return {}
    return {str(reason): count for reason, count in counters.dropped.items()}
