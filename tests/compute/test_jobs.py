"""The job state machine: lifecycle, retries, rejection, reputation events, refusals."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from paraloom.compute.agreement import Failure, Reply, Vote, quorum
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
from paraloom.config import ComputeSettings
from paraloom.errors import DistributionError, JobStateError

RIGHT = hashlib.sha256(b"right output").digest()
WRONG = hashlib.sha256(b"wrong output").digest()
OTHER = hashlib.sha256(b"other output").digest()
SETTINGS = ComputeSettings()
ATTEMPT = 40.0
S = JobState

#: The lifecycle of the issue, written out independently of the implementation's table:
#: forward along submitted → assigned → executing → verifying → an end, a result may skip
#: executing, and a running attempt may go back to submitted (retry) or end rejected.
SPEC_EDGES = {
    (S.SUBMITTED, S.ASSIGNED),
    (S.SUBMITTED, S.FAILED),
    (S.ASSIGNED, S.EXECUTING),
    (S.ASSIGNED, S.VERIFYING),
    (S.EXECUTING, S.VERIFYING),
    (S.VERIFYING, S.COMPLETED),
    (S.VERIFYING, S.FAILED),
    *(
        (running, end)
        for running in (S.ASSIGNED, S.EXECUTING, S.VERIFYING)
        for end in (S.SUBMITTED, S.REJECTED)
    ),
}
ENDS = {S.COMPLETED, S.FAILED, S.REJECTED}


def submit(replication: int | None = None, config: ComputeSettings = SETTINGS) -> Job:
    job, events = Job.submit("job-1", 0.0, config, ATTEMPT, replication)
    assert events == [CohortNeeded("job-1", replication or config.replication, frozenset())]
    return job


def states(job: Job) -> list[str]:
    return [transition.state.value for transition in job.history]


def changes(events: Sequence[Event]) -> list[tuple[str, str]]:
    return [(e.node_id, e.outcome.value) for e in events if isinstance(e, ReputationChange)]


def finished(events: Sequence[Event]) -> Finished:
    (event,) = [e for e in events if isinstance(e, Finished)]
    return event


def test_an_honest_cohort_completes() -> None:
    job = submit()
    assert job.assign(["a", "b", "c"], now=1.0) == [Dispatch("job-1", 1, ("a", "b", "c"))]
    assert job.started("a", now=2.0) == []
    assert job.result("a", RIGHT, now=3.0) == []
    events = job.result("c", RIGHT, now=4.0)
    assert changes(events) == [
        ("a", "correct"),
        ("a", "consensus_bonus"),
        ("c", "correct"),
        ("c", "consensus_bonus"),
    ]
    done = finished(events)
    assert (done.state, done.verdict) == (S.COMPLETED, RIGHT)
    assert states(job) == ["submitted", "assigned", "executing", "verifying", "completed"]
    assert [t.at for t in job.history] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert job.history[-1].reason == f"2 of 3 agree on {RIGHT.hex()}"
    assert job.verdict == RIGHT


@pytest.mark.parametrize(
    ("late", "expected"), [(RIGHT, "correct"), (WRONG, "incorrect"), (None, "timeout")]
)
def test_a_straggler_is_judged_against_the_verdict(late: Reply, expected: str) -> None:
    job = submit()
    job.assign(["a", "b", "c"], now=1.0)
    job.result("a", RIGHT, now=2.0)
    job.result("b", RIGHT, now=2.0)
    assert changes(job.result("c", late, now=3.0)) == [("c", expected)]
    assert job.tick(now=100.0) == []
    assert job.state is S.COMPLETED


def test_a_straggler_that_never_replies_times_out_at_the_deadline() -> None:
    job = submit()
    job.assign(["a", "b", "c"], now=1.0)
    job.result("a", RIGHT, now=2.0)
    job.result("b", RIGHT, now=2.0)
    assert job.tick(now=40.9) == []
    assert changes(job.tick(now=41.0)) == [("c", "timeout")]
    assert job.tick(now=90.0) == []


def test_a_dissenter_in_an_agreeing_cohort_is_incorrect_and_recorded() -> None:
    job = submit()
    job.assign(["a", "b", "c"], now=1.0)
    job.result("a", RIGHT, now=2.0)
    job.result("b", WRONG, now=2.0)
    events = job.result("c", RIGHT, now=3.0)
    assert ("b", "incorrect") in changes(events)
    assert Mismatch("job-1", 1, (("a", RIGHT), ("b", WRONG), ("c", RIGHT))) in events


def test_silence_retries_once_then_rejects() -> None:
    job = submit()
    job.assign(["a", "b", "c"], now=1.0)
    events = job.tick(now=41.0)
    assert changes(events) == [("a", "timeout"), ("b", "timeout"), ("c", "timeout")]
    assert events[-1] == CohortNeeded("job-1", 3, frozenset("abc"))
    assert job.state is S.SUBMITTED
    with pytest.raises(JobStateError, match="excludes a"):
        job.assign(["a", "d", "e"], now=42.0)
    job.assign(["d", "e", "f"], now=42.0)
    job.result("d", RIGHT, now=43.0)
    events = job.tick(now=82.0)
    assert changes(events) == [("e", "timeout"), ("f", "timeout")]
    assert finished(events).state is S.REJECTED
    assert states(job) == [
        "submitted",
        "assigned",
        "submitted",
        "assigned",
        "verifying",
        "rejected",
    ]
    assert "retry 1 of 1" in job.history[2].reason
    assert "no retry left" in job.history[-1].reason


def test_three_different_results_retry_and_the_verdict_judges_the_first_cohort() -> None:
    job = submit()
    job.assign(["a", "b", "c"], now=1.0)
    job.result("a", RIGHT, now=2.0)
    job.result("b", WRONG, now=2.0)
    events = job.result("c", OTHER, now=3.0)
    assert events == [
        Mismatch("job-1", 1, (("a", RIGHT), ("b", WRONG), ("c", OTHER))),
        CohortNeeded("job-1", 3, frozenset("abc")),
    ]
    assert changes(events) == []
    job.assign(["d", "e", "f"], now=4.0)
    job.result("d", RIGHT, now=5.0)
    events = job.result("e", RIGHT, now=5.0)
    assert changes(events) == [
        ("a", "correct"),
        ("b", "incorrect"),
        ("c", "incorrect"),
        ("d", "correct"),
        ("d", "consensus_bonus"),
        ("e", "correct"),
        ("e", "consensus_bonus"),
    ]
    assert finished(events).verdict == RIGHT


def test_a_lone_vote_without_quorum_is_not_excluded() -> None:
    job = submit()
    job.assign(["a", "b", "c"], now=1.0)
    job.result("a", RIGHT, now=2.0)
    job.result("b", None, now=2.0)
    events = job.result("c", None, now=2.0)
    assert events[-1] == CohortNeeded("job-1", 3, frozenset("bc"))
    job.assign(["a", "d", "e"], now=3.0)


def test_a_sampled_job_escalates_a_mismatch_to_full_replication() -> None:
    job = submit(replication=2)
    job.assign(["a", "b"], now=1.0)
    job.result("a", RIGHT, now=2.0)
    events = job.result("b", WRONG, now=2.0)
    assert events == [
        Mismatch("job-1", 1, (("a", RIGHT), ("b", WRONG))),
        CohortNeeded("job-1", 3, frozenset("ab")),
    ]
    job.assign(["c", "d", "e"], now=3.0)
    job.result("c", RIGHT, now=4.0)
    events = job.result("d", RIGHT, now=4.0)
    assert changes(events)[:2] == [("a", "correct"), ("b", "incorrect")]
    assert finished(events).state is S.COMPLETED


def test_a_sampled_job_that_matches_completes() -> None:
    job = submit(replication=2)
    job.assign(["a", "b"], now=1.0)
    job.result("a", RIGHT, now=2.0)
    assert finished(job.result("b", RIGHT, now=2.0)).verdict == RIGHT


def test_a_non_replicated_job_completes_on_one_result() -> None:
    job = submit(replication=1)
    job.assign(["a"], now=1.0)
    assert finished(job.result("a", RIGHT, now=2.0)).state is S.COMPLETED


def test_an_agreed_failure_fails_the_job_without_blaming_the_cohort() -> None:
    job = submit()
    job.assign(["a", "b", "c"], now=1.0)
    job.result("a", Failure("out of fuel"), now=2.0)
    events = job.result("b", Failure("out of fuel"), now=2.0)
    assert changes(events) == [
        ("a", "correct"),
        ("a", "consensus_bonus"),
        ("b", "correct"),
        ("b", "consensus_bonus"),
    ]
    done = finished(events)
    assert (done.state, done.verdict) == (S.FAILED, Failure("out of fuel"))
    assert "failure (out of fuel)" in done.reason


def test_no_cohort_within_the_distribution_timeout_fails() -> None:
    job = submit()
    assert job.tick(now=299.0) == []
    done = finished(job.tick(now=300.0))
    assert done.state is S.FAILED
    assert "distribution timeout of 5m" in done.reason


def test_the_distribution_timeout_restarts_with_a_retry() -> None:
    job = submit()
    job.assign(["a", "b", "c"], now=250.0)
    job.tick(now=290.0)
    assert job.state is S.SUBMITTED
    assert job.tick(now=589.0) == []
    assert finished(job.tick(now=590.0)).state is S.FAILED


def test_retries_come_from_settings() -> None:
    job = submit(config=ComputeSettings(retries=0))
    job.assign(["a", "b", "c"], now=1.0)
    assert finished(job.tick(now=41.0)).state is S.REJECTED
    job = submit(config=ComputeSettings(retries=2))
    for attempt, cohort in enumerate((["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"])):
        job.assign(cohort, now=100.0 * attempt)
        job.tick(now=100.0 * attempt + ATTEMPT)
    assert job.state is S.REJECTED
    assert len(job.attempts) == 3


def test_an_identical_repeated_reply_is_ignored() -> None:
    job = submit()
    job.assign(["a", "b", "c"], now=1.0)
    job.result("a", RIGHT, now=2.0)
    assert job.result("a", RIGHT, now=3.0) == []
    assert len(job.history) == 3


@pytest.mark.parametrize(
    ("setup", "message", "match"),
    [
        ([], lambda j: j.result("a", RIGHT, 1.0), "submitted; no result is due from a"),
        ([], lambda j: j.started("a", 1.0), "not in the running cohort"),
        (["assign"], lambda j: j.assign(["d", "e", "f"], 1.0), "from assigned to assigned"),
        (["assign"], lambda j: j.result("z", RIGHT, 1.0), "not in the running cohort"),
        (["assign"], lambda j: j.started("z", 1.0), "not in the running cohort"),
        (["assign"], lambda j: j.result("a", b"short", 1.0), "5 bytes, not a 32-byte"),
        (
            ["assign", "a"],
            lambda j: j.result("a", WRONG, 1.0),
            "different reply from a",
        ),
        (["assign", "a", "b"], lambda j: j.assign(["d", "e", "f"], 1.0), "from completed"),
        (["assign", "a", "b"], lambda j: j.result("z", RIGHT, 1.0), "completed; no result"),
    ],
)
def test_refused_messages_change_nothing(
    setup: list[str], message: Callable[[Job], list[Event]], match: str
) -> None:
    job = submit()
    for step in setup:
        if step == "assign":
            job.assign(["a", "b", "c"], now=0.5)
        else:
            job.result(step, RIGHT, now=0.5)
    before = snapshot(job)
    with pytest.raises(JobStateError, match=match):
        message(job)
    assert snapshot(job) == before


@pytest.mark.parametrize("cohort", [["a", "b"], ["a", "a", "b"], ["a", "b", "c", "d"]])
def test_a_cohort_of_the_wrong_shape_is_refused(cohort: list[str]) -> None:
    job = submit()
    with pytest.raises(JobStateError, match="needs 3 distinct validators"):
        job.assign(cohort, now=1.0)
    assert job.state is S.SUBMITTED
    assert job.attempts == ()


@pytest.mark.parametrize(("replication", "timeout"), [(0, 10.0), (3, 0.0), (3, float("nan"))])
def test_impossible_job_parameters_are_refused(replication: int, timeout: float) -> None:
    with pytest.raises(DistributionError):
        Job.submit("j", 0.0, SETTINGS, timeout, replication)


def snapshot(job: Job) -> object:
    return (
        job.state,
        job.history,
        [(a.cohort, dict(a.replies)) for a in job.attempts],
        job.excluded,
        job.size,
        job.verdict,
    )


def check_history(job: Job) -> None:
    history = job.history
    assert history[0].state is S.SUBMITTED
    assert history[-1].state is job.state
    for before, after in itertools.pairwise(history):
        assert (before.state, after.state) in SPEC_EDGES
        assert before.at <= after.at
    assert all(t.reason for t in history)


# -- simulated networks: honest, faulty and silent validators -------------------------------

WRONG_VOTES: list[Vote] = [WRONG, OTHER, Failure("trap")]
faulty_votes = st.sampled_from(WRONG_VOTES) | st.binary(min_size=32, max_size=32).filter(
    lambda b: b != RIGHT
)

BEHAVIOURS: list[st.SearchStrategy[Reply | str]] = [st.just(RIGHT), faulty_votes, st.just("silent")]


@st.composite
def networks(draw: st.DrawFn) -> dict[str, Reply | str]:
    """Node id -> RIGHT (honest), a faulty vote, or "silent"."""
    size = draw(st.integers(min_value=3, max_value=9))
    network: dict[str, Reply | str] = {}
    for index in range(size):
        network[f"v{index}"] = draw(draw(st.sampled_from(BEHAVIOURS)))
    return network


def drive(job: Job, network: dict[str, Reply | str], data: st.DataObject) -> list[Event]:
    """Run a job to its end: cohorts drawn from the pool, replies in a drawn order."""
    events: list[Event] = [CohortNeeded(job.job_id, job.size, frozenset())]
    log: list[Event] = []
    now = 0.0
    while events:
        event = events.pop(0)
        log.append(event)
        if isinstance(event, CohortNeeded):
            free = [n for n in network if n not in event.exclude]
            if len(free) < event.size:
                now += SETTINGS.distribution_timeout
                events.extend(job.tick(now))
                continue
            cohort = data.draw(st.permutations(free))[: event.size]
            events.extend(job.assign(cohort, now))
        elif isinstance(event, Dispatch):
            for node in data.draw(st.permutations(event.nodes)):
                vote = network[node]
                due = job.state in (S.ASSIGNED, S.EXECUTING, S.VERIFYING) or job.verdict
                if vote != "silent" and due:
                    now += 1.0
                    events.extend(job.result(node, vote, now))  # type: ignore[arg-type]
            now = job.attempts[-1].deadline
            events.extend(job.tick(now))
    return log


@settings(max_examples=200)
@given(networks(), st.data())
def test_simulated_networks(network: dict[str, Reply | str], data: st.DataObject) -> None:
    job, _ = Job.submit("job-1", 0.0, SETTINGS, ATTEMPT)
    log = drive(job, network, data)
    event(f"{job.state.value} after {len(job.attempts)} attempts")
    check_history(job)
    assert job.state in ENDS
    assert next(e for e in log if isinstance(e, Finished)).state is job.state
    assert len(job.attempts) <= SETTINGS.retries + 1
    honest_won = job.verdict in (RIGHT, None)
    for node, outcome in changes(log):
        if network[node] == "silent":
            assert outcome == "timeout"
        elif network[node] == RIGHT:
            assert outcome != "timeout"
            assert outcome != "incorrect" or not honest_won
        else:
            assert outcome != "timeout"
            assert outcome == "incorrect" or not honest_won
    first = job.attempts[0].cohort if job.attempts else ()
    if sum(network[n] == RIGHT for n in first) >= quorum(len(first)) > 0:
        assert job.state is S.COMPLETED
        assert job.verdict == RIGHT
        assert len(job.attempts) == 1
    if job.verdict is not None and job.verdict != RIGHT:
        deciding = job.attempts[-1].cohort
        assert sum(network[n] not in (RIGHT, "silent") for n in deciding) >= quorum(len(deciding))
    barred: set[str] = set()
    for attempt in job.attempts:
        assert barred.isdisjoint(attempt.cohort)
        votes = {r for r in attempt.replies.values() if r is not None}
        barred |= {n for n, r in attempt.replies.items() if r is None or len(votes) > 1}


# -- any sequence of messages ---------------------------------------------------------------

POOL = [f"n{i}" for i in range(6)]
ANY_REPLY: list[Reply] = [RIGHT, WRONG, Failure("trap"), None]
replies = st.sampled_from(ANY_REPLY)


class JobMachine(RuleBasedStateMachine):
    """Random messages, legal or not: refusals change nothing, the history stays legal."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self.job, self.log = Job.submit("job-m", 0.0, SETTINGS, ATTEMPT)
        self.ended_as: JobState | None = None

    def send(self, message: Callable[[], list[Event]]) -> None:
        before = snapshot(self.job)
        try:
            self.log.extend(message())
        except JobStateError:
            assert snapshot(self.job) == before

    @precondition(lambda self: self.job.state is S.SUBMITTED)
    @rule(data=st.data())
    def assign_eligible(self, data: st.DataObject) -> None:
        free = [n for n in POOL if n not in self.job.excluded]
        if len(free) >= self.job.size:
            cohort = data.draw(st.permutations(free))[: self.job.size]
            self.send(lambda: self.job.assign(cohort, self.now))

    @rule(cohort=st.lists(st.sampled_from(POOL), max_size=4))
    def assign_anything(self, cohort: list[str]) -> None:
        self.send(lambda: self.job.assign(cohort, self.now))

    @rule(node=st.sampled_from(POOL))
    def started(self, node: str) -> None:
        self.send(lambda: self.job.started(node, self.now))

    @rule(node=st.sampled_from(POOL), reply=replies)
    def result(self, node: str, reply: Reply) -> None:
        self.send(lambda: self.job.result(node, reply, self.now))

    @precondition(lambda self: bool(self.job.attempts))
    @rule(data=st.data(), reply=st.just(RIGHT) | replies)
    def result_from_member(self, data: st.DataObject, reply: Reply) -> None:
        node = data.draw(st.sampled_from(self.job.attempts[-1].cohort))
        self.send(lambda: self.job.result(node, reply, self.now))

    @rule(elapsed=st.floats(min_value=0.0, max_value=60.0))
    def tick(self, elapsed: float) -> None:
        self.now += elapsed
        self.send(lambda: self.job.tick(self.now))

    @invariant()
    def history_is_legal(self) -> None:
        event(self.job.state.value)
        check_history(self.job)
        assert len(self.job.attempts) <= SETTINGS.retries + 1

    @invariant()
    def an_end_is_final_and_announced_once(self) -> None:
        if self.ended_as is not None:
            assert self.job.state is self.ended_as
        ends = [e for e in self.log if isinstance(e, Finished)]
        if self.job.state in ENDS:
            self.ended_as = self.job.state
            assert [e.state for e in ends] == [self.job.state]
            assert ends[0].verdict == self.job.verdict
        else:
            assert ends == []

    @invariant()
    def the_verdict_has_a_quorum(self) -> None:
        if self.job.verdict is not None:
            attempt = self.job.attempts[-1]
            agreeing = [r for r in attempt.replies.values() if r == self.job.verdict]
            assert len(agreeing) >= quorum(len(attempt.cohort))


TestJobMachine = JobMachine.TestCase
