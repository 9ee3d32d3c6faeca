"""The coordinator's side of compute: the validator pool, cohorts, and each job's state machine.

The :class:`~paraloom.compute.jobs.Job` machines decide; this class carries out their events
(pick a cohort, dispatch, adjust reputation) and records what they decided. Every transition
is written to the :class:`~paraloom.storage.compute_store.ComputeStore` in the same
transaction as the result that caused it, so the audit log never misses a step and never
shows one whose cause is not stored. A job that finds no eligible cohort waits in
``submitted``; the clock retries it until the distribution timeout fails it. A job asked to
run on one validator is sometimes run on two (:mod:`paraloom.compute.sampling`), with a seed
only this coordinator knows.

Private jobs are sealed to the validators the coordinator names at planning time
(:meth:`plan`); their cohorts, retries included, are drawn from those recipients only.

Failover (:mod:`paraloom.node.coordinator_state`): :meth:`export` gives what a new primary
needs; the new primary :meth:`adopt` s it (validators, reputation, finished jobs) and then
:meth:`resume` s the unfinished jobs as fresh attempts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from paraloom.compute.agreement import Agreed, tally
from paraloom.compute.jobs import (
    CohortNeeded,
    Dispatch,
    Event,
    Finished,
    Job,
    JobState,
    Mismatch,
    ReputationChange,
)
from paraloom.compute.messages import (
    JobDispatch,
    JobLimits,
    JobOutcome,
    JobSpec,
    PrivateInput,
    Produced,
    decode_message,
    encode_message,
    outcome_reply,
    verify_outcome,
)
from paraloom.compute.private import PrivateJob
from paraloom.compute.registry import ValidatorRegistry, ValidatorStatus
from paraloom.compute.reputation import ReputationTracker
from paraloom.compute.sampling import first_replication
from paraloom.compute.scheduling import check_job_limits, preference, select_cohort
from paraloom.config import ComputeSettings, ReputationSettings
from paraloom.crypto.envelope import Envelope
from paraloom.crypto.identity import node_id_of, verify_encryption_key
from paraloom.errors import DistributionError, JobStateError
from paraloom.node.coordinator_state import JobEntry, ResultEntry, ValidatorEntry
from paraloom.node.protocol import Register, ValidatorHeartbeat
from paraloom.storage.compute_store import (
    ASSIGNED,
    FINAL_STATES,
    ComputeStore,
    JobResult,
    NewJob,
    Transition,
)
from paraloom.storage.database import Database

LOGGER = logging.getLogger("paraloom.node.coordinator")

#: Sends one dispatch to one validator; False when the validator did not take it.
SendDispatch = Callable[[str, JobDispatch], Awaitable[bool]]
#: Told of every job that reached a final state (state, agreed verdict's description).
FinishedListener = Callable[[Finished], None]


@dataclass(frozen=True)
class Recipient:
    """A validator a private job may be sealed to: its node id and X25519 public key."""

    node_id: str
    encryption_key: bytes


@dataclass
class _Tracked:
    """A job the coordinator is running: its machine, its spec, who may run it."""

    job: Job
    spec: JobSpec
    allowed: frozenset[str] | None
    stored: int = 1  # transitions in the store: the submission


class ComputeCoordinator:
    """Runs the coordinator role for compute jobs (module docstring)."""

    def __init__(
        self,
        settings: ComputeSettings,
        reputation: ReputationSettings,
        database: Database,
        *,
        send: SendDispatch,
        round_trip: float,
        max_message_size: int,
        on_finished: FinishedListener | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.reputation = ReputationTracker(reputation)
        self.registry = ValidatorRegistry(settings, self.reputation)
        self.store = ComputeStore(database)
        self._database = database
        self._send = send
        self._round_trip = round_trip
        self._max_size = max_message_size
        self._on_finished = on_finished
        self._clock = clock
        self._sample_seed = os.urandom(32)  # secret, so validators cannot predict sampling
        self._keys: dict[str, bytes] = {}
        self._registrations: dict[str, Register] = {}
        self._jobs: dict[str, _Tracked] = {}

    # -- the validator pool ---------------------------------------------------------------

    def register(self, peer: str, message: Register) -> None:
        """Admit ``peer`` once its public key is the one its node id names."""
        if node_id_of(message.public_key).hex() != peer:
            raise DistributionError(f"registration from {peer} carries another node's key")
        self._keys[peer] = verify_encryption_key(message.public_key, message.encryption_key)
        self._registrations[peer] = message
        status = ValidatorStatus(message.capacity.execution_limits(), message.load)
        self.registry.register(peer, self._clock(), status)
        LOGGER.info("validator %s registered", peer)

    def heartbeat(self, peer: str, message: ValidatorHeartbeat) -> None:
        status = ValidatorStatus(message.capacity.execution_limits(), message.load)
        self.registry.heartbeat(peer, self._clock(), status)

    def plan(self, count: int) -> tuple[Recipient, ...]:
        """The validators to seal a private job of replication ``count`` to: the preferred
        ``count`` first (the cohort), then every other available one (the standbys)."""
        available = sorted(self.registry.available(self._clock()), key=preference)
        if len(available) < count:
            raise DistributionError(f"need {count} validators, {len(available)} registered")
        return tuple(Recipient(v.node_id, self._keys[v.node_id]) for v in available)

    # -- jobs -----------------------------------------------------------------------------

    async def submit(self, spec: JobSpec, requester: str) -> str:
        """Queue a job and try to assign it; its hex id."""
        check_job_limits(spec.limits.execution_limits(), self.settings)
        job_id = spec.job_id.hex()
        if job_id in self._jobs or self.store.job(spec.job_id) is not None:
            raise JobStateError(f"job {job_id} was already submitted")
        new_job = NewJob(spec.job_id, self._encode(spec), requester)
        await self._start(spec, lambda: self.store.submit([new_job]))
        return job_id

    async def _start(self, spec: JobSpec, record_start: Callable[[], None]) -> None:
        """Plan the job's first attempt and dispatch it; ``record_start`` writes its queueing
        in the same transaction as the assignment."""
        job_id = spec.job_id.hex()
        timeout = spec.limits.timeout + self._round_trip
        size = first_replication(job_id, spec.replication, self._sample_seed, self.settings)
        job, events = Job.submit(job_id, self._clock(), self.settings, timeout, size)
        payload = spec.payload
        allowed = self._recipients(payload) if isinstance(payload, PrivateInput) else None
        tracked = _Tracked(job, spec, allowed)
        with self._database.transaction():
            record_start()
            dispatches = self._follow(tracked, events)
        self._jobs[job_id] = tracked
        await self._send_all(tracked, dispatches)

    async def outcome(self, peer: str, outcome: JobOutcome) -> None:
        """Count a validator's signed outcome toward its job's agreement."""
        if outcome.node_id.hex() != peer:
            raise JobStateError(f"{peer} sent an outcome in the name of {outcome.node_id.hex()}")
        verify_outcome(outcome)
        tracked = self._tracked(outcome.job_id.hex())
        if outcome.attempt != len(tracked.job.attempts):
            raise JobStateError(
                f"job {outcome.job_id.hex()}: outcome for attempt {outcome.attempt}, "
                f"the current one is {len(tracked.job.attempts)}"
            )
        with self._database.transaction():
            if isinstance(outcome.verdict, Produced):
                result = JobResult(outcome.job_id, outcome.node_id, outcome.verdict.output)
                self.store.record_results([result])
            events = tracked.job.result(peer, outcome_reply(outcome), self._clock())
            dispatches = self._follow(tracked, events)
        await self._send_all(tracked, dispatches)

    async def tick(self) -> None:
        """Drop silent validators, apply deadlines, and retry jobs still waiting for a cohort."""
        now = self._clock()
        for node_id in self.registry.remove_stale(now):
            LOGGER.warning("validator %s left the pool (no heartbeat)", node_id)
        for job_id, tracked in list(self._jobs.items()):
            job = tracked.job
            waiting = job.state is JobState.SUBMITTED
            events = job.tick(now)
            if waiting and job.state is JobState.SUBMITTED:
                events.append(CohortNeeded(job.job_id, job.size, job.excluded))
            if events:
                with self._database.transaction():
                    dispatches = self._follow(tracked, events)
                await self._send_all(tracked, dispatches)
            if job.state not in _ACTIVE and (not job.attempts or now >= job.attempts[-1].deadline):
                del self._jobs[job_id]

    def verdict_output(self, job_id: bytes) -> bytes | None:
        """The output a quorum of the job's last attempt agreed on, from the store."""
        record = self.store.job(job_id)
        if record is None or record.state != JobState.COMPLETED.value:
            return None
        results = [r for r in self.store.results(job_id) if r.attempt == record.attempts]
        replies = {r.node_id.hex(): r.result_hash for r in results}
        outcome = tally([node.hex() for node in record.cohort], replies)
        if not isinstance(outcome, Agreed):
            return None
        return next(r.output for r in results if r.result_hash == outcome.verdict)

    def pool(self) -> dict[str, Any]:
        """The validator pool as clients see it: each available validator's load, score and
        heartbeat age, and the score of every node ever judged (a stale one keeps its score)."""
        now = self._clock()
        available = [
            {
                "node_id": info.node_id,
                "load": info.load,
                "reputation": round(info.reputation, 2),
                "heartbeat_age": round(now - info.last_heartbeat, 3),
            }
            for info in self.registry.available(now)
        ]
        return {"validators": available, "reputation": self.reputation.scores(now)}

    # -- failover -------------------------------------------------------------------------

    def export_jobs(self, recent: int) -> list[JobEntry]:
        """The unfinished jobs, then the ``recent`` that finished last with their deciding
        attempt's cohort and results."""
        active = [
            self._entry(tracked.spec.job_id, finished=False)
            for tracked in self._jobs.values()
            if tracked.job.state in _ACTIVE
        ]
        finished = [
            self._entry(job_id, finished=True) for job_id in self.store.recently_finished(recent)
        ]
        return active + finished

    def export_validators(self) -> list[ValidatorEntry]:
        """The validators available now, with the keys and capacity they registered (not
        their load, which their next heartbeat to the new primary tells)."""
        entries = []
        for info in self.registry.available(self._clock()):
            registration = self._registrations[info.node_id]
            entries.append(
                ValidatorEntry(
                    info.node_id,
                    registration.public_key,
                    registration.encryption_key,
                    JobLimits.of(info.capacity),
                )
            )
        return entries

    def adopt(
        self,
        jobs: list[JobEntry],
        validators: list[ValidatorEntry],
        reputation: dict[str, float],
        term: int,
    ) -> None:
        """Take over an earlier primary's pool, scores and finished jobs; each validator's keys
        are checked again, as at registration. Unfinished jobs wait for :meth:`resume`."""
        self.reputation.restore(reputation, self._clock())
        for validator in validators:
            registration = Register(
                validator.public_key, validator.encryption_key, validator.capacity, 0.0
            )
            self.register(validator.node_id, registration)
        reason = f"adopted at term {term}: finished under an earlier primary"
        for entry in jobs:
            if entry.state in FINAL_STATES:
                self.store.conclude(*_concluded(entry, reason))

    async def resume(self, jobs: list[JobEntry], term: int) -> None:
        """Run the unfinished jobs of an earlier primary again, each as a new first attempt
        (the guest is deterministic and the attempt agreed, so the output cannot change)."""
        reason = f"resumed at term {term} after a failover"
        for entry in jobs:
            if entry.state not in FINAL_STATES and entry.job_id.hex() not in self._jobs:
                await self._resume(entry, reason)

    async def _resume(self, entry: JobEntry, reason: str) -> None:
        record = self.store.job(entry.job_id)
        if record is not None and record.state in FINAL_STATES:
            return
        spec = decode_message(entry.spec, JobSpec, max_size=self._max_size)

        def record_start() -> None:
            if record is None:
                self.store.submit([NewJob(entry.job_id, entry.spec, entry.requester)])
            else:
                self.store.apply([Transition(entry.job_id, "submitted", reason)])

        await self._start(spec, record_start)

    def _entry(self, job_id: bytes, *, finished: bool) -> JobEntry:
        record = self.store.job(job_id)
        if record is None:
            raise JobStateError(f"job {job_id.hex()} is tracked but not stored")
        if not finished:
            return JobEntry(job_id, record.spec, record.requester, record.state, [], [])
        results = [
            ResultEntry(result.node_id, result.output)
            for result in self.store.results(job_id)
            if result.attempt == record.attempts
        ]
        return JobEntry(
            job_id, record.spec, record.requester, record.state, list(record.cohort), results
        )

    # -- internals ------------------------------------------------------------------------

    def _follow(self, tracked: _Tracked, events: list[Event]) -> list[Dispatch]:
        """Act on ``events`` and those they lead to, and store the job's new transitions, all
        inside the caller's transaction; the dispatches are left to send once it commits,
        because awaiting the network inside a transaction would let another task's writes
        nest in it."""
        queue, dispatches = list(events), []
        while queue:
            event = queue.pop(0)
            if isinstance(event, Dispatch):
                dispatches.append(event)
            else:
                queue.extend(self._act(tracked, event))
        self._store_transitions(tracked)
        return dispatches

    async def _send_all(self, tracked: _Tracked, dispatches: list[Dispatch]) -> None:
        """Send each dispatch to its cohort at once; a member that does not take it is silent."""
        while dispatches:
            dispatch = dispatches.pop(0)
            cohort = tuple(bytes.fromhex(node) for node in dispatch.nodes)
            spec = tracked.spec
            message = JobDispatch(spec.job_id, dispatch.attempt, cohort, spec)
            taken = await asyncio.gather(*(self._send(node, message) for node in dispatch.nodes))
            with self._database.transaction():
                events = self._acknowledged(
                    tracked.job, dict(zip(dispatch.nodes, taken, strict=True))
                )
                dispatches.extend(self._follow(tracked, events))

    def _acknowledged(self, job: Job, taken: dict[str, bool]) -> list[Event]:
        """Tell the job who started and who refused; replies may have overtaken the answers,
        so a job that moved on already is no error."""
        events: list[Event] = []
        now = self._clock()
        for node, ok in taken.items():
            try:
                events.extend(job.started(node, now) if ok else job.result(node, None, now))
            except JobStateError as error:
                LOGGER.debug("job %s: %s", job.job_id, error)
        return events

    def _act(self, tracked: _Tracked, event: Event) -> list[Event]:
        if isinstance(event, CohortNeeded):
            return self._assign(tracked, event)
        if isinstance(event, ReputationChange):
            self.reputation.record(event.node_id, event.outcome, self._clock())
        elif isinstance(event, Mismatch):
            LOGGER.warning("job %s attempt %d: votes differ: %s", *_mismatch_fields(event))
        elif isinstance(event, Finished) and self._on_finished is not None:
            self._on_finished(event)
        return []

    def _assign(self, tracked: _Tracked, event: CohortNeeded) -> list[Event]:
        exclude = set(event.exclude)
        now = self._clock()
        available = self.registry.available(now)
        if tracked.allowed is not None:
            exclude |= {v.node_id for v in available if v.node_id not in tracked.allowed}
        requirement = tracked.spec.limits.execution_limits()
        try:
            cohort = select_cohort(available, event.size, requirement, exclude)
        except DistributionError as error:
            LOGGER.info("job %s waits for a cohort: %s", event.job_id, error)
            return []
        self.registry.assign(cohort)
        return tracked.job.assign(cohort, now)

    def _store_transitions(self, tracked: _Tracked) -> None:
        """Write the transitions the store does not hold yet; an assignment with its cohort."""
        job = tracked.job
        attempt = sum(1 for step in job.history[: tracked.stored] if step.state is _ASSIGNED)
        transitions = []
        for step in job.history[tracked.stored :]:
            cohort: tuple[bytes, ...] = ()
            if step.state is _ASSIGNED:
                cohort = tuple(bytes.fromhex(node) for node in job.attempts[attempt].cohort)
                attempt += 1
            transitions.append(
                Transition(tracked.spec.job_id, step.state.value, step.reason, cohort)
            )
        self.store.apply(transitions)
        tracked.stored = len(job.history)

    def _tracked(self, job_id: str) -> _Tracked:
        tracked = self._jobs.get(job_id)
        if tracked is None:
            raise JobStateError(f"job {job_id} is not running on this coordinator")
        return tracked

    def _recipients(self, payload: PrivateInput) -> frozenset[str]:
        """The registered validators a private job was sealed to (the envelope lists their
        keys in the clear); only they can open it, so only they may form its cohorts."""
        envelope = Envelope.from_bytes(PrivateJob.from_bytes(payload.job).envelope)
        sealed_to = {slot.public_key for slot in envelope.recipients}
        return frozenset(node for node, key in self._keys.items() if key in sealed_to)

    def _encode(self, spec: JobSpec) -> bytes:
        return encode_message(spec, max_size=self._max_size)


_ASSIGNED = JobState.ASSIGNED
_ACTIVE = frozenset({JobState.SUBMITTED, JobState.ASSIGNED, JobState.EXECUTING, JobState.VERIFYING})


def _concluded(entry: JobEntry, reason: str) -> tuple[NewJob, list[Transition], list[JobResult]]:
    """The store records that bring a job to the final state ``entry`` holds."""
    transitions = [Transition(entry.job_id, ASSIGNED, reason, tuple(entry.cohort))]
    transitions = transitions if entry.cohort else []
    transitions.append(Transition(entry.job_id, entry.state, reason))
    results = [JobResult(entry.job_id, result.node_id, result.output) for result in entry.results]
    return NewJob(entry.job_id, entry.spec, entry.requester), transitions, results


def _mismatch_fields(event: Mismatch) -> tuple[str, int, str]:
    votes = ", ".join(f"{node}: {vote!r}" for node, vote in event.votes)
    return event.job_id, event.attempt, votes
