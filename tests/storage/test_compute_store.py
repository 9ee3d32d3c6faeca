"""The compute store against a model: jobs, attempts and cohorts, results, the audit log."""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from paraloom.errors import StorageError
from paraloom.storage.compute_store import (
    JOB_STATES,
    AuditEntry,
    ComputeStore,
    JobResult,
    NewJob,
    Transition,
)
from paraloom.storage.database import Database, open_database

from .support import label

JOBS = [label("job", number) for number in range(3)]
NODES = [label("node", number) for number in range(4)]


@dataclass
class ModelJob:
    state: str = "submitted"
    attempts: int = 0
    cohort: tuple[bytes, ...] = ()
    audit: list[tuple[str | None, str, str]] = field(
        default_factory=lambda: [(None, "submitted", "submitted")]
    )
    results: set[tuple[int, bytes, bytes]] = field(default_factory=set)


def transitions_for(job_id: bytes) -> st.SearchStrategy[Transition]:
    cohorts = st.lists(st.sampled_from(NODES), min_size=1, max_size=3, unique=True).map(tuple)
    reasons = st.sampled_from(["dispatched", "quorum 2/3", "timeout", ""])
    return st.sampled_from(JOB_STATES).flatmap(
        lambda state: st.builds(
            Transition,
            st.just(job_id),
            st.just(state),
            reasons,
            cohorts if state == "assigned" else st.just(()),
        )
    )


class ComputeStoreMachine(RuleBasedStateMachine):
    """Every operation either applies whole, as the model says, or fails and changes nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.path = Path(self.folder.name) / "node.sqlite3"
        self.database = open_database(self.path, synchronous="NORMAL")
        self.store = ComputeStore(self.database)
        self.model: dict[bytes, ModelJob] = {}

    def teardown(self) -> None:
        self.database.close()
        self.folder.cleanup()

    @rule(batch=st.lists(st.sampled_from(JOBS), min_size=1, max_size=2))
    def submit(self, batch: list[bytes]) -> None:
        if len(set(batch)) < len(batch) or any(job in self.model for job in batch):
            with pytest.raises(StorageError, match="already exists"):
                self.store.submit(NewJob(job, b"spec", "alice") for job in batch)
            return
        self.store.submit(NewJob(job, b"spec", "alice") for job in batch)
        self.model.update((job, ModelJob()) for job in batch)

    @rule(data=st.data())
    def apply(self, data: st.DataObject) -> None:
        jobs = data.draw(st.lists(st.sampled_from(JOBS), min_size=1, max_size=3))
        batch = [data.draw(transitions_for(job)) for job in jobs]
        if any(transition.job_id not in self.model for transition in batch):
            with pytest.raises(StorageError, match="no job"):
                self.store.apply(batch)
            return
        self.store.apply(batch)
        for transition in batch:
            job = self.model[transition.job_id]
            job.audit.append((job.state, transition.state, transition.reason))
            job.state = transition.state
            if transition.cohort:
                job.attempts += 1
                job.cohort = transition.cohort

    @rule(job_id=st.sampled_from(JOBS), node=st.sampled_from(NODES), output=st.binary(max_size=8))
    def record(self, job_id: bytes, node: bytes, output: bytes) -> None:
        job = self.model.get(job_id)
        refusal = (
            "no job"
            if job is None
            else "not in the cohort"
            if node not in job.cohort
            else "already returned a result"
            if any(attempt == job.attempts and who == node for attempt, who, _ in job.results)
            else None
        )
        if refusal:
            with pytest.raises(StorageError, match=refusal):
                self.store.record_results([JobResult(job_id, node, output)])
            return
        assert job is not None
        self.store.record_results([JobResult(job_id, node, output)])
        job.results.add((job.attempts, node, output))

    @precondition(lambda self: bool(self.model))
    @rule()
    def reopen(self) -> None:
        self.database.close()
        self.database = open_database(self.path, synchronous="NORMAL")
        self.store = ComputeStore(self.database)

    @invariant()
    def matches_the_model(self) -> None:
        for job_id in JOBS:
            record, job = self.store.job(job_id), self.model.get(job_id)
            if job is None:
                assert record is None
                assert self.store.audit_log(job_id) == ()
                continue
            assert record is not None
            assert (record.state, record.attempts, record.cohort) == (
                job.state,
                job.attempts,
                job.cohort,
            )
            log = self.store.audit_log(job_id)
            assert [(e.from_state, e.to_state, e.reason) for e in log] == job.audit
            assert [e.at for e in log] == sorted(e.at for e in log)
            results = self.store.results(job_id)
            assert {(r.attempt, r.node_id, r.output) for r in results} == job.results
            assert all(r.result_hash == hashlib.sha256(r.output).digest() for r in results)
        counts = dict.fromkeys(JOB_STATES, 0)
        for job in self.model.values():
            counts[job.state] += 1
        assert self.store.count_by_state() == counts


ComputeStoreMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=15)
test_the_compute_store_follows_its_model = ComputeStoreMachine.TestCase


# -- single cases and refusals ------------------------------------------------------------


@pytest.fixture
def store(database: Database) -> ComputeStore:
    compute = ComputeStore(database)
    compute.submit([NewJob(JOBS[0], b"wasm", "alice"), NewJob(JOBS[1], b"wasm", "bob")])
    return compute


def test_a_retry_starts_a_new_attempt_with_its_own_cohort(store: ComputeStore) -> None:
    store.apply([Transition(JOBS[0], "assigned", "dispatched", (NODES[0], NODES[1]))])
    store.record_results([JobResult(JOBS[0], NODES[0], b"out")])
    store.apply(
        [
            Transition(JOBS[0], "verifying", "results in"),
            Transition(JOBS[0], "assigned", "retry", (NODES[2], NODES[3])),
        ]
    )
    with pytest.raises(StorageError, match=r"not in the cohort .*\(attempt 2\)"):
        store.record_results([JobResult(JOBS[0], NODES[0], b"out")])
    store.record_results([JobResult(JOBS[0], NODES[2], b"out2")])
    record = store.job(JOBS[0])
    assert record is not None
    assert (record.attempts, record.cohort) == (2, (NODES[2], NODES[3]))
    assert [(r.attempt, r.node_id) for r in store.results(JOBS[0])] == [
        (1, NODES[0]),
        (2, NODES[2]),
    ]


def test_the_queue_lists_jobs_by_state_oldest_first(store: ComputeStore) -> None:
    assert store.jobs_in_state("submitted") == (JOBS[0], JOBS[1])
    store.apply([Transition(JOBS[0], "failed", "invalid module")])
    assert store.jobs_in_state("submitted") == (JOBS[1],)
    assert store.jobs_in_state("failed") == (JOBS[0],)
    with pytest.raises(StorageError, match="a job state 'lost' is not one of"):
        store.jobs_in_state("lost")


def test_a_failing_group_applies_none_of_its_transitions(store: ComputeStore) -> None:
    before = store.audit_log(JOBS[0])
    with pytest.raises(StorageError, match="no job"):
        store.apply([Transition(JOBS[0], "failed", "x"), Transition(JOBS[2], "failed", "x")])
    assert store.audit_log(JOBS[0]) == before
    with pytest.raises(StorageError, match="already exists"):
        store.submit([NewJob(JOBS[2], b"", "carol"), NewJob(JOBS[0], b"", "carol")])
    assert store.job(JOBS[2]) is None


@pytest.mark.parametrize(
    ("transition", "message"),
    [
        (Transition(JOBS[0], "running", "x"), "a job state 'running' is not one of submitted"),
        (Transition(JOBS[0], "assigned", "x"), "a cohort comes with the move to 'assigned'"),
        (Transition(JOBS[0], "executing", "x", (NODES[0],)), "and only with it"),
        (Transition(JOBS[0], "assigned", "x", (NODES[0], NODES[0])), "appears twice"),
        (Transition(JOBS[0], "assigned", "x", (b"short",)), "a cohort node id must be 32"),
        (Transition(b"j", "failed", "x"), "a job id must be 32 bytes"),
        (Transition(JOBS[0], "failed", None), "a transition reason must be a string"),  # type: ignore[arg-type]
    ],
)
def test_a_malformed_transition_is_refused_naming_the_field(
    store: ComputeStore, transition: Transition, message: str
) -> None:
    with pytest.raises(StorageError, match=message):
        store.apply([Transition(JOBS[1], "failed", "first"), transition])
    assert store.count_by_state()["submitted"] == 2


@pytest.mark.parametrize(
    ("job", "message"),
    [
        (NewJob(b"j", b"", "a"), "a job id must be 32 bytes"),
        (NewJob(JOBS[2], "spec", "a"), "a job spec must be bytes"),  # type: ignore[arg-type]
        (NewJob(JOBS[2], b"", b"a"), "a job requester must be a string"),  # type: ignore[arg-type]
    ],
)
def test_a_malformed_job_is_refused(store: ComputeStore, job: NewJob, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        store.submit([job])


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (JobResult(JOBS[0], b"n", b""), "a result's node id must be 32 bytes"),
        (JobResult(JOBS[0], NODES[0], "out"), "a result's output must be bytes"),  # type: ignore[arg-type]
    ],
)
def test_a_malformed_result_is_refused(
    store: ComputeStore, result: JobResult, message: str
) -> None:
    with pytest.raises(StorageError, match=message):
        store.record_results([result])


def test_a_raw_state_change_is_audited_and_the_log_cannot_be_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    with open_database(path) as database:
        ComputeStore(database).submit([NewJob(JOBS[0], b"", "alice")])
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE jobs SET state = 'failed'")  # the reason stays the last one
        for statement in ("DELETE FROM job_audit", "UPDATE job_audit SET reason = ''"):
            with pytest.raises(sqlite3.IntegrityError, match="job_audit is append-only"):
                raw.execute(statement)
    with open_database(path) as database:
        log = ComputeStore(database).audit_log(JOBS[0])
        assert [(e.from_state, e.to_state, e.reason) for e in log] == [
            (None, "submitted", "submitted"),
            ("submitted", "failed", "submitted"),
        ]
        assert all(isinstance(entry, AuditEntry) for entry in log)


def test_times_come_from_the_database_clock(tmp_path: Path) -> None:
    ticks = iter(range(100, 200))
    with open_database(tmp_path / "node.sqlite3", clock=lambda: next(ticks)) as database:
        store = ComputeStore(database)
        store.submit([NewJob(JOBS[0], b"", "alice")])
        store.apply([Transition(JOBS[0], "failed", "x")])
        assert [entry.at for entry in store.audit_log(JOBS[0])] == [100_000, 101_000]
        record = store.job(JOBS[0])
        assert record is not None
        assert (record.created_at, record.updated_at) == (100_000, 101_000)


# -- taking over another coordinator's finished jobs ---------------------------------------


def _concluded(job_id: bytes, state: str = "completed") -> tuple[list[Transition], list[JobResult]]:
    cohort = (NODES[0], NODES[1])
    transitions = [
        Transition(job_id, "assigned", "adopted", cohort),
        Transition(job_id, state, "adopted"),
    ]
    return transitions, [JobResult(job_id, node, b"out") for node in cohort]


def test_a_job_finished_elsewhere_is_recorded_with_its_deciding_attempt(
    store: ComputeStore,
) -> None:
    unknown = label("job", 9)
    transitions, results = _concluded(unknown)
    assert store.conclude(NewJob(unknown, b"wasm", "carol"), transitions, results)
    record = store.job(unknown)
    assert record is not None
    assert (record.state, record.attempts, record.cohort) == ("completed", 1, (NODES[0], NODES[1]))
    assert {r.node_id for r in store.results(unknown)} == {NODES[0], NODES[1]}
    states = [(entry.from_state, entry.to_state) for entry in store.audit_log(unknown)]
    assert states == [(None, "submitted"), ("submitted", "assigned"), ("assigned", "completed")]
    assert store.recently_finished(5) == (unknown,)


def test_a_running_job_is_brought_to_the_state_decided_elsewhere(store: ComputeStore) -> None:
    store.apply([Transition(JOBS[0], "assigned", "attempt 1", (NODES[2],))])
    transitions, results = _concluded(JOBS[0])
    assert store.conclude(NewJob(JOBS[0], b"wasm", "alice"), transitions, results)
    record = store.job(JOBS[0])
    assert record is not None
    assert (record.state, record.attempts, record.cohort) == ("completed", 2, (NODES[0], NODES[1]))


def test_a_job_final_here_is_never_moved_again(store: ComputeStore) -> None:
    store.apply([Transition(JOBS[1], "failed", "no cohort in time")])
    before = store.audit_log(JOBS[1])
    transitions, results = _concluded(JOBS[1])
    assert not store.conclude(NewJob(JOBS[1], b"wasm", "bob"), transitions, results)
    assert store.audit_log(JOBS[1]) == before


def test_a_conclusion_with_a_foreign_result_records_nothing(store: ComputeStore) -> None:
    unknown = label("job", 8)
    transitions, _ = _concluded(unknown)
    with pytest.raises(StorageError, match="not in the cohort"):
        store.conclude(
            NewJob(unknown, b"wasm", "carol"), transitions, [JobResult(unknown, NODES[3], b"x")]
        )
    assert store.job(unknown) is None
