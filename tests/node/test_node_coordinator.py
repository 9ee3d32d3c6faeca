"""The coordinator role without a network: a fake clock, dispatches recorded, outcomes signed
here with the validators' identities.

The invariant under test: whatever the validators do, the store's audit log holds exactly the
job machine's transitions, in order, and the stored state is the machine's.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.messages import (
    Failed,
    JobDispatch,
    JobLimits,
    JobOutcome,
    JobSpec,
    Produced,
    Verdict,
    signed_result,
)
from paraloom.compute.poe import make_poe
from paraloom.compute.requester import new_job_id, public_job_spec
from paraloom.config import ComputeSettings, ReputationSettings
from paraloom.crypto import schnorr
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import (
    DistributionError,
    JobLimitError,
    JobStateError,
    ProofOfExecutionError,
    SignatureError,
)
from paraloom.node.compute_coordinator import ComputeCoordinator
from paraloom.node.protocol import Register, ValidatorHeartbeat
from paraloom.storage.database import Database, open_database

LIMITS = ExecutionLimits(memory_limit=2**20, fuel=10**6, timeout=1.0)
SETTINGS = ComputeSettings(heartbeat_interval=1.0, validator_timeout=10.0, distribution_timeout=5.0)
VALIDATORS = tuple(NodeIdentity.from_seed(bytes([seed]) * 32) for seed in range(1, 6))
BY_ID = {identity.node_id_hex: identity for identity in VALIDATORS}
REQUESTER = schnorr.KeyPair.from_secret(4242)
GOOD, WRONG = b"good output", b"bad output"
BEAT = ValidatorHeartbeat(JobLimits.of(LIMITS), 0.0)
#: What one validator does with a dispatch: the agreed output, another one, a failure, silence.
BEHAVIOURS = ("honest", "wrong", "failure", "silent", "unreachable")


@dataclass
class Harness:
    """A coordinator on a fake clock; ``sent`` records every dispatch it sends."""

    database: Database
    now: float = 1000.0
    unreachable: set[str] = field(default_factory=set)
    sent: list[tuple[str, JobDispatch]] = field(default_factory=list)
    coordinator: ComputeCoordinator = field(init=False)

    def __post_init__(self) -> None:
        self.coordinator = ComputeCoordinator(
            SETTINGS,
            ReputationSettings(),
            self.database,
            send=self._send,
            round_trip=1.0,
            max_message_size=2**20,
            clock=lambda: self.now,
        )

    async def _send(self, node: str, dispatch: JobDispatch) -> bool:
        self.sent.append((node, dispatch))
        return node not in self.unreachable

    def register_all(self) -> None:
        for identity in VALIDATORS:
            self.coordinator.register(identity.node_id_hex, _register(identity))

    def heartbeat_all(self) -> None:
        for identity in VALIDATORS:
            self.coordinator.heartbeat(identity.node_id_hex, BEAT)

    def check_store_matches(self, job_id: str) -> None:
        tracked = self.coordinator._jobs.get(job_id)
        record = self.coordinator.store.job(bytes.fromhex(job_id))
        assert record is not None
        audit = self.coordinator.store.audit_log(bytes.fromhex(job_id))
        if tracked is not None:
            history = tracked.job.history
            assert [e.to_state for e in audit] == [step.state.value for step in history]
            assert [e.reason for e in audit] == [step.reason for step in history]
            assert record.state == tracked.job.state.value


def _register(identity: NodeIdentity, announcement: bytes | None = None) -> Register:
    return Register(
        identity.public_key,
        announcement or identity.encryption_key_announcement(),
        JobLimits.of(LIMITS),
        0.0,
    )


def _outcome(identity: NodeIdentity, dispatch: JobDispatch, verdict: Verdict) -> JobOutcome:
    poe = make_poe(identity, dispatch.job_id, signed_result(verdict))
    return JobOutcome(
        dispatch.job_id, dispatch.attempt, identity.node_id, verdict, 1, 0.1, poe.to_bytes()
    )


def _verdict(behaviour: str) -> Verdict:
    if behaviour == "failure":
        return Failed("GuestTrapError")
    output = GOOD if behaviour == "honest" else WRONG
    return Produced(hashlib.sha256(output).digest(), output)


def _spec(replication: int) -> JobSpec:
    return public_job_spec(
        new_job_id(), b"\0asm\1\0\0\0", b"in", LIMITS, REQUESTER.public, replication=replication
    )


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    harness = Harness(open_database(tmp_path / "node.db"))
    harness.register_all()
    return harness


@settings(max_examples=30, deadline=None)
@given(
    replication=st.integers(1, 4),
    behaviours=st.lists(st.sampled_from(BEHAVIOURS), min_size=5, max_size=5),
)
async def test_audit_log_follows_the_machine_whatever_validators_do(
    replication: int, behaviours: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        harness = Harness(open_database(Path(directory) / "node.db"))
        harness.register_all()
        plan = dict(zip(sorted(BY_ID), behaviours, strict=True))
        harness.unreachable = {node for node, b in plan.items() if b == "unreachable"}
        spec = _spec(replication)
        job_id = await harness.coordinator.submit(spec, "tester")
        answered = 0
        for _ in range(12):  # attempts, retries and deadlines, a second apart
            while answered < len(harness.sent):
                node, dispatch = harness.sent[answered]
                answered += 1
                harness.check_store_matches(job_id)
                if plan[node] in ("honest", "wrong", "failure"):
                    outcome = _outcome(BY_ID[node], dispatch, _verdict(plan[node]))
                    with contextlib.suppress(JobStateError):  # a straggler of a finished job
                        await harness.coordinator.outcome(node, outcome)
            harness.check_store_matches(job_id)
            harness.now += 1.5
            harness.heartbeat_all()
            await harness.coordinator.tick()
        record = harness.coordinator.store.job(bytes.fromhex(job_id))
        assert record is not None
        assert record.state in ("completed", "failed", "rejected")
        if record.state == "completed":
            output = harness.coordinator.verdict_output(bytes.fromhex(job_id))
            if "wrong" in behaviours:  # a lying cohort may outvote the honest (K=1: sampled)
                assert output in (GOOD, WRONG)
            else:
                assert output == GOOD
        harness.database.close()


async def test_outcome_checks(harness: Harness) -> None:
    job_id = await harness.coordinator.submit(_spec(3), "tester")
    node, dispatch = harness.sent[0]
    other = next(n for n in BY_ID if n != node)
    good = _outcome(BY_ID[node], dispatch, _verdict("honest"))
    with pytest.raises(JobStateError, match="in the name of"):
        await harness.coordinator.outcome(other, good)
    forged = _outcome(BY_ID[other], dispatch, _verdict("honest"))
    forged = JobOutcome(good.job_id, good.attempt, good.node_id, good.verdict, 1, 0.1, forged.poe)
    with pytest.raises(ProofOfExecutionError):
        await harness.coordinator.outcome(node, forged)
    late = JobOutcome(good.job_id, 2, good.node_id, good.verdict, 1, 0.1, good.poe)
    with pytest.raises(JobStateError, match="attempt 2"):
        await harness.coordinator.outcome(node, late)
    unknown = JobOutcome(b"\x01" * 32, 1, good.node_id, good.verdict, 1, 0.1, good.poe)
    with pytest.raises(ProofOfExecutionError):
        await harness.coordinator.outcome(node, unknown)
    await harness.coordinator.outcome(node, good)
    with pytest.raises(Exception, match="already"):
        await harness.coordinator.outcome(node, good)
    harness.check_store_matches(job_id)


async def test_registration_and_heartbeat_checks(harness: Harness) -> None:
    stranger = NodeIdentity.from_seed(b"\x63" * 32)
    with pytest.raises(DistributionError, match="another node's key"):
        harness.coordinator.register(VALIDATORS[0].node_id_hex, _register(stranger))
    forged = _register(stranger, VALIDATORS[0].encryption_key_announcement())
    with pytest.raises(SignatureError):
        harness.coordinator.register(stranger.node_id_hex, forged)
    beat = ValidatorHeartbeat(JobLimits.of(LIMITS), 0.5)
    with pytest.raises(DistributionError, match="unknown validator"):
        harness.coordinator.heartbeat(stranger.node_id_hex, beat)
    harness.coordinator.heartbeat(VALIDATORS[0].node_id_hex, beat)


async def test_silent_validators_leave_the_pool(harness: Harness) -> None:
    harness.now += SETTINGS.validator_timeout / 2
    harness.coordinator.heartbeat(
        VALIDATORS[0].node_id_hex, ValidatorHeartbeat(JobLimits.of(LIMITS), 0.0)
    )
    harness.now += SETTINGS.validator_timeout / 2 + 1
    await harness.coordinator.tick()
    assert len(harness.coordinator.registry) == 1
    with pytest.raises(DistributionError, match="need 2 validators"):
        harness.coordinator.plan(2)


async def test_jobs_over_the_caps_are_refused(harness: Harness) -> None:
    limits = ExecutionLimits(LIMITS.memory_limit, SETTINGS.max_fuel + 1, LIMITS.timeout)
    spec = public_job_spec(new_job_id(), b"w", b"", limits, REQUESTER.public, replication=1)
    with pytest.raises(JobLimitError, match="max_fuel"):
        await harness.coordinator.submit(spec, "tester")
    assert harness.sent == []
