"""The compute store: the job queue, each attempt's cohort, results and the audit log.

A job's state changes only with an audit entry (state before and after, reason, time) in the
same transaction: the schema's triggers append it for every INSERT into and every UPDATE of
``jobs.state``, so no code path, not even raw SQL, can move a job without logging it. Each
assignment starts a new attempt with its cohort (the validators that run it), and a result
is accepted only from a member of the current attempt's cohort. Whether a transition is
allowed is the job state machine's business (:mod:`paraloom.compute`); the store records
what it decided, validating only the state names. A result's hash is SHA-256 of its output
bytes (the ciphertext, for private jobs), the value validators compare.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from paraloom.crypto.identity import NODE_ID_SIZE
from paraloom.errors import StorageError
from paraloom.storage.database import Database
from paraloom.storage.validation import require_bytes, require_choice, require_size, require_text

JOB_STATES = (
    "submitted",
    "assigned",
    "executing",
    "verifying",
    "completed",
    "failed",
    "rejected",
)
#: The state that starts an attempt, and so takes a cohort.
ASSIGNED = "assigned"
#: States a job never leaves.
FINAL_STATES = ("completed", "failed", "rejected")
JOB_ID_SIZE = 32


@dataclass(frozen=True)
class NewJob:
    job_id: bytes
    spec: bytes
    requester: str


@dataclass(frozen=True)
class Transition:
    """Move a job to ``state``; a move to "assigned" names the cohort of the new attempt."""

    job_id: bytes
    state: str
    reason: str
    cohort: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class JobResult:
    job_id: bytes
    node_id: bytes
    output: bytes


@dataclass(frozen=True)
class JobRecord:
    """A job as stored; ``cohort`` is that of the current attempt (empty before any)."""

    job_id: bytes
    spec: bytes
    requester: str
    state: str
    attempts: int
    cohort: tuple[bytes, ...]
    created_at: int
    updated_at: int


@dataclass(frozen=True)
class StoredResult:
    job_id: bytes
    attempt: int
    node_id: bytes
    result_hash: bytes
    output: bytes
    recorded_at: int


@dataclass(frozen=True)
class AuditEntry:
    """One state change; ``from_state`` is None for the submission."""

    job_id: bytes
    from_state: str | None
    to_state: str
    reason: str
    at: int


class ComputeStore:
    """Jobs, results and the audit log; each call is one transaction, committed on return."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def submit(self, jobs: Iterable[NewJob]) -> None:
        """Queue jobs in the "submitted" state; StorageError, queueing none, on a known id."""
        checked = [require_new_job(job) for job in jobs]
        with self._database.transaction():
            for job in checked:
                self._refuse_known(job.job_id)
                now = self._database.now_ms()
                self._database.execute(
                    "INSERT INTO jobs (job_id, spec, requester, state, reason, created_at, "
                    "updated_at) VALUES (?, ?, ?, 'submitted', 'submitted', ?, ?)",
                    (job.job_id, job.spec, job.requester, now, now),
                )

    def apply(self, transitions: Iterable[Transition]) -> None:
        """Apply transitions in order, in one transaction; StorageError applies none."""
        checked = [require_transition(transition) for transition in transitions]
        with self._database.transaction():
            for transition in checked:
                self._apply(transition)

    def record_results(self, results: Iterable[JobResult]) -> None:
        """Record results of the jobs' current attempts; StorageError records none.

        Refused: a node outside the current cohort, or a second result of one node.
        """
        checked = [require_result(result) for result in results]
        with self._database.transaction():
            for result in checked:
                self._record(result)

    def conclude(
        self,
        job: NewJob,
        transitions: Iterable[Transition],
        results: Iterable[JobResult],
    ) -> bool:
        """Record a job as another coordinator finished it: queued if unknown here, then
        ``transitions`` with ``results`` recorded after the first (the deciding attempt's
        assignment), in one transaction. A job already in a final state here is left as it
        is (a final state is never left); False then.
        """
        checked = [require_transition(transition) for transition in transitions]
        outputs = [require_result(result) for result in results]
        with self._database.transaction():
            state = self._database.value(
                "SELECT state FROM jobs WHERE job_id = ?", (require_new_job(job).job_id,)
            )
            if state in FINAL_STATES:
                return False
            if state is None:
                self.submit([job])
            for index, transition in enumerate(checked):
                self._apply(transition)
                if index == 0:
                    for result in outputs:
                        self._record(result)
        return True

    def job(self, job_id: bytes) -> JobRecord | None:
        found = self._database.rows(
            "SELECT job_id, spec, requester, state, attempts, created_at, updated_at "
            "FROM jobs WHERE job_id = ?",
            (require_size(job_id, JOB_ID_SIZE, "a job id"),),
        )
        if not found:
            return None
        job_id, spec, requester, state, attempts, created_at, updated_at = found[0]
        cohort = self._cohort(job_id, attempts)
        return JobRecord(job_id, spec, requester, state, attempts, cohort, created_at, updated_at)

    def audit_log(self, job_id: bytes) -> tuple[AuditEntry, ...]:
        """The job's state changes, oldest first."""
        rows = self._database.rows(
            "SELECT job_id, from_state, to_state, reason, at FROM job_audit WHERE job_id = ? "
            "ORDER BY seq",
            (require_size(job_id, JOB_ID_SIZE, "a job id"),),
        )
        return tuple(AuditEntry(*row) for row in rows)

    def results(self, job_id: bytes) -> tuple[StoredResult, ...]:
        """Every attempt's results, by attempt, then node id."""
        rows = self._database.rows(
            "SELECT job_id, attempt, node_id, result_hash, output, recorded_at FROM job_results "
            "WHERE job_id = ? ORDER BY attempt, node_id",
            (require_size(job_id, JOB_ID_SIZE, "a job id"),),
        )
        return tuple(StoredResult(*row) for row in rows)

    def jobs_in_state(self, state: str) -> tuple[bytes, ...]:
        """Ids of the jobs in ``state``, oldest submission first (the queue's order)."""
        rows = self._database.rows(
            "SELECT job_id FROM jobs WHERE state = ? ORDER BY created_at, job_id",
            (require_choice(state, JOB_STATES, "a job state"),),
        )
        return tuple(job_id for (job_id,) in rows)

    def recently_finished(self, limit: int) -> tuple[bytes, ...]:
        """Ids of the ``limit`` jobs that reached a final state last, latest first."""
        rows = self._database.rows(
            "SELECT job_id FROM jobs WHERE state IN ('completed', 'failed', 'rejected') "
            "ORDER BY updated_at DESC, job_id LIMIT ?",
            (limit,),
        )
        return tuple(job_id for (job_id,) in rows)

    def count_by_state(self) -> dict[str, int]:
        """Jobs per state, every state present (what /metrics reports)."""
        counts = dict.fromkeys(JOB_STATES, 0)
        counts.update(self._database.rows("SELECT state, count(*) FROM jobs GROUP BY state"))
        return counts

    def _apply(self, transition: Transition) -> None:
        attempts = self._attempts(transition.job_id)
        starts_attempt = transition.state == ASSIGNED
        if starts_attempt:
            attempts += 1
            self._database.execute_many(
                "INSERT INTO job_cohorts (job_id, attempt, position, node_id) VALUES (?, ?, ?, ?)",
                (
                    (transition.job_id, attempts, position, node_id)
                    for position, node_id in enumerate(transition.cohort)
                ),
            )
        self._database.execute(
            "UPDATE jobs SET state = ?, reason = ?, attempts = ?, updated_at = ? WHERE job_id = ?",
            (
                transition.state,
                transition.reason,
                attempts,
                self._database.now_ms(),
                transition.job_id,
            ),
        )

    def _record(self, result: JobResult) -> None:
        attempt = self._attempts(result.job_id)
        if result.node_id not in self._cohort(result.job_id, attempt):
            raise StorageError(
                f"{self._database.path}: node {result.node_id.hex()} is not in the cohort of "
                f"job {result.job_id.hex()} (attempt {attempt})"
            )
        known = self._database.value(
            "SELECT 1 FROM job_results WHERE job_id = ? AND attempt = ? AND node_id = ?",
            (result.job_id, attempt, result.node_id),
        )
        if known is not None:
            raise StorageError(
                f"{self._database.path}: node {result.node_id.hex()} already returned a result "
                f"for job {result.job_id.hex()} (attempt {attempt})"
            )
        self._database.execute(
            "INSERT INTO job_results (job_id, attempt, node_id, result_hash, output, "
            "recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                result.job_id,
                attempt,
                result.node_id,
                hashlib.sha256(result.output).digest(),
                result.output,
                self._database.now_ms(),
            ),
        )

    def _attempts(self, job_id: bytes) -> int:
        attempts = self._database.value("SELECT attempts FROM jobs WHERE job_id = ?", (job_id,))
        if attempts is None:
            raise StorageError(f"{self._database.path}: no job {job_id.hex()}")
        return int(attempts)

    def _cohort(self, job_id: bytes, attempt: int) -> tuple[bytes, ...]:
        rows = self._database.rows(
            "SELECT node_id FROM job_cohorts WHERE job_id = ? AND attempt = ? ORDER BY position",
            (job_id, attempt),
        )
        return tuple(node_id for (node_id,) in rows)

    def _refuse_known(self, job_id: bytes) -> None:
        if self._database.value("SELECT 1 FROM jobs WHERE job_id = ?", (job_id,)) is not None:
            raise StorageError(f"{self._database.path}: job {job_id.hex()} already exists")


def require_new_job(job: NewJob) -> NewJob:
    require_size(job.job_id, JOB_ID_SIZE, "a job id")
    require_bytes(job.spec, "a job spec")
    require_text(job.requester, "a job requester")
    return job


def require_transition(transition: Transition) -> Transition:
    """Known state names; a cohort of distinct node ids exactly when the job is assigned."""
    require_size(transition.job_id, JOB_ID_SIZE, "a job id")
    state = require_choice(transition.state, JOB_STATES, "a job state")
    require_text(transition.reason, "a transition reason")
    cohort = [require_size(node, NODE_ID_SIZE, "a cohort node id") for node in transition.cohort]
    if (state == ASSIGNED) != bool(cohort):
        raise StorageError(
            f"job {transition.job_id.hex()}: a cohort comes with the move to {ASSIGNED!r} "
            f"and only with it (state {state!r}, {len(cohort)} nodes)"
        )
    if len(set(cohort)) != len(cohort):
        raise StorageError(f"job {transition.job_id.hex()}: a node appears twice in the cohort")
    return transition


def require_result(result: JobResult) -> JobResult:
    require_size(result.job_id, JOB_ID_SIZE, "a job id")
    require_size(result.node_id, NODE_ID_SIZE, "a result's node id")
    require_bytes(result.output, "a result's output")
    return result
