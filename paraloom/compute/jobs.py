"""The life of one distributed job, as a state machine driven by messages and a clock.

submitted → assigned → executing → verifying → completed | failed | rejected. The machine does
no I/O and picks no validators: it answers each message with events the node acts on (find a
cohort, dispatch to these nodes, change these reputations, the job finished), so the same code
runs under a real transport, a localnet and the tests. Every transition is recorded with the
time and the reason.

A retry returns the job to ``submitted`` (waiting for a cohort) with the dissenting and silent
nodes of every earlier attempt excluded. Voters of an attempt without a quorum are judged only
once a later attempt reaches a verdict, against that verdict; if none does, only silence is
penalised, because nobody can tell who was right.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from paraloom.compute.agreement import Agreed, Failure, NoAgreement, Reply, Vote, tally
from paraloom.compute.reputation import Outcome
from paraloom.compute.sampling import retry_replication
from paraloom.config import ComputeSettings
from paraloom.crypto.hashes import HASHLIB_DIGEST_SIZES
from paraloom.errors import DistributionError, JobStateError
from paraloom.units import format_duration

RESULT_HASH_BYTES = HASHLIB_DIGEST_SIZES["sha256"]


class JobState(enum.Enum):
    """Where a job is; the values are what status output and the job store show."""

    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    EXECUTING = "executing"
    VERIFYING = "verifying"
    COMPLETED = "completed"
    FAILED = "failed"
    REJECTED = "rejected"


_S = JobState
#: Legal transitions. Back to SUBMITTED is the retry; REJECTED ends the last attempt without a
#: quorum; FAILED is an agreed failure or no cohort within the distribution timeout.
ALLOWED: dict[JobState, frozenset[JobState]] = {
    _S.SUBMITTED: frozenset({_S.ASSIGNED, _S.FAILED}),
    _S.ASSIGNED: frozenset({_S.EXECUTING, _S.VERIFYING, _S.SUBMITTED, _S.REJECTED}),
    _S.EXECUTING: frozenset({_S.VERIFYING, _S.SUBMITTED, _S.REJECTED}),
    _S.VERIFYING: frozenset({_S.COMPLETED, _S.FAILED, _S.SUBMITTED, _S.REJECTED}),
    _S.COMPLETED: frozenset(),
    _S.FAILED: frozenset(),
    _S.REJECTED: frozenset(),
}
#: States in which the current cohort is working on the job.
RUNNING = frozenset({_S.ASSIGNED, _S.EXECUTING, _S.VERIFYING})


@dataclass(frozen=True)
class Transition:
    """One entry of a job's audit trail: the state entered, why, and when."""

    state: JobState
    reason: str
    at: float


@dataclass(frozen=True)
class CohortNeeded:
    """Choose ``size`` validators, none of ``exclude``, and call :meth:`Job.assign`."""

    job_id: str
    size: int
    exclude: frozenset[str]


@dataclass(frozen=True)
class Dispatch:
    """Send the job to these nodes; their results belong to this attempt."""

    job_id: str
    attempt: int
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class ReputationChange:
    """Apply ``outcome`` to the node's reputation (see ReputationTracker.record)."""

    node_id: str
    outcome: Outcome


@dataclass(frozen=True)
class Mismatch:
    """An attempt's votes were not all equal: evidence against the nodes, for the audit log."""

    job_id: str
    attempt: int
    votes: tuple[tuple[str, Vote], ...]


@dataclass(frozen=True)
class Finished:
    """The job reached a final state; ``verdict`` is the agreed result hash or failure."""

    job_id: str
    state: JobState
    verdict: Vote | None
    reason: str


Event = CohortNeeded | Dispatch | ReputationChange | Mismatch | Finished


@dataclass
class Attempt:
    """One cohort's run of the job; ``replies`` fills in as results arrive."""

    number: int
    cohort: tuple[str, ...]
    deadline: float
    replies: dict[str, Reply] = field(default_factory=dict)

    def pending(self) -> list[str]:
        return sorted(node for node in self.cohort if node not in self.replies)


class Job:
    """One job's state machine; build it with :meth:`submit`."""

    def __init__(
        self, job_id: str, settings: ComputeSettings, attempt_timeout: float, replication: int
    ) -> None:
        if replication < 1 or not attempt_timeout > 0:
            raise DistributionError(
                f"job {job_id}: replication must be >= 1 and the attempt timeout positive, got "
                f"{replication} and {attempt_timeout}"
            )
        self.job_id = job_id
        self.settings = settings
        self.attempt_timeout = attempt_timeout
        self.size = replication
        self.state = JobState.SUBMITTED
        self.verdict: Vote | None = None
        self.excluded: frozenset[str] = frozenset()
        self._history: list[Transition] = []
        self._attempts: list[Attempt] = []
        self._assign_by = 0.0

    @classmethod
    def submit(
        cls,
        job_id: str,
        now: float,
        settings: ComputeSettings,
        attempt_timeout: float,
        replication: int | None = None,
    ) -> tuple[Job, list[Event]]:
        """A new job waiting for its first cohort of ``replication`` (default: the config's K).

        ``attempt_timeout`` is how long a cohort has to reply (the job's own timeout plus the
        network's round trip, which only the node knows).
        """
        size = settings.replication if replication is None else replication
        job = cls(job_id, settings, attempt_timeout, size)
        job._history.append(Transition(JobState.SUBMITTED, "submitted", now))
        job._assign_by = now + settings.distribution_timeout
        return job, [CohortNeeded(job_id, job.size, job.excluded)]

    @property
    def history(self) -> tuple[Transition, ...]:
        return tuple(self._history)

    @property
    def attempts(self) -> tuple[Attempt, ...]:
        return tuple(self._attempts)

    def assign(self, cohort: Sequence[str], now: float) -> list[Event]:
        """Start an attempt on ``cohort``: exactly ``size`` distinct nodes, none excluded."""
        self._check_move(JobState.ASSIGNED)
        self._check_cohort(cohort)
        attempt = Attempt(len(self._attempts) + 1, tuple(cohort), now + self.attempt_timeout)
        self._attempts.append(attempt)
        self._move(JobState.ASSIGNED, f"attempt {attempt.number} on {', '.join(cohort)}", now)
        return [Dispatch(self.job_id, attempt.number, attempt.cohort)]

    def started(self, node_id: str, now: float) -> list[Event]:
        """A cohort member acknowledged the job; the first acknowledgement means executing."""
        self._running_attempt(node_id)
        if self.state is JobState.ASSIGNED:
            self._move(JobState.EXECUTING, f"{node_id} started", now)
        return []

    def result(self, node_id: str, reply: Reply, now: float) -> list[Event]:
        """A member's vote (result SHA-256 or Failure), or ``None`` when it gave up.

        A repeated identical reply is ignored (transports may redeliver); a different one is
        equivocation and refused. After a verdict, the replies of the last attempt's stragglers
        are still judged against it.
        """
        _check_reply(node_id, reply)
        if self._attempts and node_id in self._attempts[-1].replies:
            return self._repeated(node_id, reply)
        if self.state in RUNNING:
            return self._record(node_id, reply, now)
        if self.verdict is not None and node_id in self._attempts[-1].cohort:
            self._attempts[-1].replies[node_id] = reply
            return [self._judge(node_id, reply, self.verdict)]
        raise JobStateError(
            f"job {self.job_id} is {self.state.value}; no result is due from {node_id}"
        )

    def tick(self, now: float) -> list[Event]:
        """Apply the deadlines due at ``now``: the distribution timeout while waiting for a
        cohort, the attempt deadline while it runs (and for stragglers after a verdict)."""
        if self.state is JobState.SUBMITTED:
            return self._distribution_deadline(now)
        if not self._attempts or now < self._attempts[-1].deadline:
            return []
        if self.state in RUNNING:
            return self._silence_pending() + self._evaluate(now)
        return self._silence_pending() if self.verdict is not None else []

    # -- internals ----------------------------------------------------------------------

    def _check_move(self, target: JobState) -> None:
        if target not in ALLOWED[self.state]:
            raise JobStateError(
                f"job {self.job_id} cannot go from {self.state.value} to {target.value}"
            )

    def _move(self, target: JobState, reason: str, now: float) -> None:
        self._check_move(target)
        self.state = target
        self._history.append(Transition(target, reason, now))

    def _check_cohort(self, cohort: Sequence[str]) -> None:
        if len(set(cohort)) != len(cohort) or len(cohort) != self.size:
            raise JobStateError(
                f"job {self.job_id} needs {self.size} distinct validators, got {list(cohort)}"
            )
        barred = sorted(self.excluded.intersection(cohort))
        if barred:
            raise JobStateError(f"job {self.job_id} excludes {', '.join(barred)} from retries")

    def _running_attempt(self, node_id: str) -> Attempt:
        if self.state not in RUNNING or node_id not in self._attempts[-1].cohort:
            raise JobStateError(
                f"{node_id} is not in the running cohort of job {self.job_id} ({self.state.value})"
            )
        return self._attempts[-1]

    def _repeated(self, node_id: str, reply: Reply) -> list[Event]:
        if self._attempts[-1].replies[node_id] != reply:
            raise JobStateError(
                f"job {self.job_id} already holds a different reply from {node_id} "
                "(or counted it silent)"
            )
        return []

    def _record(self, node_id: str, reply: Reply, now: float) -> list[Event]:
        attempt = self._running_attempt(node_id)
        attempt.replies[node_id] = reply
        if self.state is not JobState.VERIFYING:
            self._move(JobState.VERIFYING, f"first reply from {node_id}", now)
        timeout = [ReputationChange(node_id, Outcome.TIMEOUT)] if reply is None else []
        return [*timeout, *self._evaluate(now)]

    def _silence_pending(self) -> list[Event]:
        attempt = self._attempts[-1]
        silenced = attempt.pending()
        attempt.replies.update(dict.fromkeys(silenced))
        return [ReputationChange(node_id, Outcome.TIMEOUT) for node_id in silenced]

    def _distribution_deadline(self, now: float) -> list[Event]:
        if now < self._assign_by:
            return []
        reason = (
            f"no cohort of {self.size} validators within the distribution timeout of "
            f"{format_duration(self.settings.distribution_timeout)}"
        )
        self._move(JobState.FAILED, reason, now)
        return [Finished(self.job_id, JobState.FAILED, None, reason)]

    def _evaluate(self, now: float) -> list[Event]:
        attempt = self._attempts[-1]
        outcome = tally(attempt.cohort, attempt.replies)
        if isinstance(outcome, Agreed):
            return self._conclude(outcome, now)
        if isinstance(outcome, NoAgreement):
            return self._retry_or_reject(outcome, now)
        return []

    def _conclude(self, agreed: Agreed, now: float) -> list[Event]:
        verdict = self.verdict = agreed.verdict
        events: list[Event] = [*self._mismatch(), *self._judge_earlier(verdict)]
        for node_id in sorted(agreed.agreeing):
            events.append(ReputationChange(node_id, Outcome.CORRECT))
            events.append(ReputationChange(node_id, Outcome.CONSENSUS_BONUS))
        events.extend(
            ReputationChange(node_id, Outcome.INCORRECT) for node_id in sorted(agreed.dissenting)
        )
        state = JobState.FAILED if isinstance(verdict, Failure) else JobState.COMPLETED
        reason = f"{len(agreed.agreeing)} of {self.size} agree on {_describe(verdict)}"
        self._move(state, reason, now)
        return [*events, Finished(self.job_id, state, verdict, reason)]

    def _retry_or_reject(self, outcome: NoAgreement, now: float) -> list[Event]:
        attempt = self._attempts[-1]
        self.excluded |= outcome.dissenting | outcome.silent
        votes = {reply for reply in attempt.replies.values() if reply is not None}
        reason = (
            f"attempt {attempt.number}: no quorum ({len(votes)} distinct votes, "
            f"{len(outcome.silent)} silent of {len(attempt.cohort)})"
        )
        if attempt.number > self.settings.retries:
            self._move(JobState.REJECTED, f"{reason}; no retry left", now)
            return [*self._mismatch(), Finished(self.job_id, JobState.REJECTED, None, reason)]
        self.size = retry_replication(self.size, bool(outcome.dissenting), self.settings)
        self._assign_by = now + self.settings.distribution_timeout
        retry = f"retry {attempt.number} of {self.settings.retries} on {self.size} validators"
        self._move(JobState.SUBMITTED, f"{reason}; {retry}", now)
        return [*self._mismatch(), CohortNeeded(self.job_id, self.size, self.excluded)]

    def _mismatch(self) -> list[Event]:
        attempt = self._attempts[-1]
        votes = tuple(sorted((n, r) for n, r in attempt.replies.items() if r is not None))
        if len({vote for _, vote in votes}) < 2:
            return []
        return [Mismatch(self.job_id, attempt.number, votes)]

    def _judge_earlier(self, verdict: Vote) -> Iterable[Event]:
        for attempt in self._attempts[:-1]:
            for node_id, reply in sorted(attempt.replies.items()):
                if reply is not None:
                    yield self._judge(node_id, reply, verdict)

    @staticmethod
    def _judge(node_id: str, reply: Reply, verdict: Vote) -> ReputationChange:
        if reply is None:
            return ReputationChange(node_id, Outcome.TIMEOUT)
        outcome = Outcome.CORRECT if reply == verdict else Outcome.INCORRECT
        return ReputationChange(node_id, outcome)


def _describe(verdict: Vote) -> str:
    """A verdict for a transition reason: the result hash in hex, or the failure."""
    return f"failure ({verdict.reason})" if isinstance(verdict, Failure) else verdict.hex()


def _check_reply(node_id: str, reply: Reply) -> None:
    if isinstance(reply, bytes) and len(reply) != RESULT_HASH_BYTES:
        raise JobStateError(
            f"result from {node_id} is {len(reply)} bytes, not a {RESULT_HASH_BYTES}-byte SHA-256"
        )
