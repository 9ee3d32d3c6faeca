"""The validator-side runner on the real wasmtime executor and the shipped guests.

Oracles are independent of the runner: Python's own byte reversal and SHA-256 for results,
the guests' header comments for the failures they must produce, verify_poe for the proofs,
and an executor wrapper that records whether anything reached the executor at all.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator

import msgspec
import pytest
import wasmtime
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.compute.execution import ExecutionLimits, ExecutionResult
from paraloom.compute.guests import guest_wasm
from paraloom.compute.messages import (
    Failed,
    JobDispatch,
    JobOutcome,
    JobSpec,
    PrivateInput,
    Produced,
    TimedOut,
    decode_message,
    encode_message,
    outcome_reply,
    signed_result,
    verify_outcome,
)
from paraloom.compute.poe import ProofOfExecution, verify_poe
from paraloom.compute.requester import (
    new_job_id,
    open_private_result,
    private_job_spec,
    public_job_spec,
)
from paraloom.compute.runner import run_dispatched_job
from paraloom.compute.wasmtime_executor import WasmtimeExecutor
from paraloom.config import ComputeSettings
from paraloom.crypto import g1, schnorr
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import (
    EnvelopeError,
    FormatError,
    JobLimitError,
    JobStateError,
    PrivateJobError,
)

LIMITS = ExecutionLimits(memory_limit=64 * 2**20, fuel=10**9, timeout=30.0)
SETTINGS = ComputeSettings()
REQUESTER = schnorr.KeyPair.from_secret(20241122)
INTRUDER = schnorr.KeyPair.from_secret(77)
VALIDATORS = tuple(NodeIdentity.from_seed(bytes([seed]) * 32) for seed in (11, 22, 33))
STANDBY = NodeIdentity.from_seed(b"\x2c" * 32)
STRANGER = NodeIdentity.from_seed(b"\x37" * 32)
COHORT = tuple(validator.node_id for validator in VALIDATORS)
REVERSE = guest_wasm("reverse")
HASH_CHAIN = guest_wasm("hash_chain")
INPUT = b"the quick brown fox"
#: Grows its memory one page at a time until the limit stops it, then gives up.
GREEDY = bytes(
    wasmtime.wat2wasm(
        """(module
      (memory (export "memory") 1)
      (func (export "alloc") (param i32) (result i32) (i32.const 1024))
      (func (export "run") (param i32 i32) (result i64)
        (loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
        unreachable))"""
    )
)
#: Spins until something stops it.
ENDLESS = bytes(
    wasmtime.wat2wasm(
        """(module
      (memory (export "memory") 1)
      (func (export "alloc") (param i32) (result i32) (i32.const 1024))
      (func (export "run") (param i32 i32) (result i64) (loop $spin (br $spin)) (i64.const 0)))"""
    )
)


class RecordingExecutor:
    """Passes jobs to a real executor and remembers that it did."""

    def __init__(self, inner: WasmtimeExecutor) -> None:
        self.inner = inner
        self.calls = 0

    def execute(
        self, wasm: bytes, job_input: bytes, limits: ExecutionLimits | None = None
    ) -> ExecutionResult:
        self.calls += 1
        return self.inner.execute(wasm, job_input, limits)


@pytest.fixture(scope="module")
def wasmtime_executor() -> Iterator[WasmtimeExecutor]:
    with WasmtimeExecutor(LIMITS) as executor:
        yield executor


@pytest.fixture
def executor(wasmtime_executor: WasmtimeExecutor) -> RecordingExecutor:
    return RecordingExecutor(wasmtime_executor)


def x25519(identity: NodeIdentity) -> bytes:
    return identity.encryption_key().public_key().public_bytes_raw()


def public_dispatch(
    wasm: bytes = REVERSE, job_input: bytes = INPUT, limits: ExecutionLimits = LIMITS
) -> JobDispatch:
    spec = public_job_spec(new_job_id(), wasm, job_input, limits, REQUESTER.public, replication=3)
    return JobDispatch(spec.job_id, 1, COHORT, spec)


PRIVATE_SPEC, SECRETS = private_job_spec(
    new_job_id(),
    REVERSE,
    INPUT,
    LIMITS,
    REQUESTER,
    cohort=[x25519(validator) for validator in VALIDATORS],
    standby=[x25519(STANDBY)],
    replication=3,
)
PRIVATE = JobDispatch(PRIVATE_SPEC.job_id, 1, COHORT, PRIVATE_SPEC)


def private_job_bytes(spec: JobSpec) -> bytes:
    assert isinstance(spec.payload, PrivateInput)
    return spec.payload.job


PRIVATE_JOB = private_job_bytes(PRIVATE_SPEC)


def run_everywhere(executor: RecordingExecutor, dispatch: JobDispatch) -> list[JobOutcome]:
    """Each validator receives the dispatch off the wire and runs it."""
    received = decode_message(encode_message(dispatch), JobDispatch)
    return [
        run_dispatched_job(executor, validator, received, settings=SETTINGS)
        for validator in VALIDATORS
    ]


def assert_attributed(outcomes: list[JobOutcome], job_id: bytes) -> None:
    """Each outcome carries a proof by its own node over the job and its verdict."""
    for validator, outcome in zip(VALIDATORS, outcomes, strict=True):
        assert outcome.node_id == validator.node_id
        proof = ProofOfExecution.from_bytes(outcome.poe)
        verify_poe(
            proof, request_id=job_id, result=signed_result(outcome.verdict), node_id=outcome.node_id
        )
        assert proof.public_key == validator.public_key
        assert verify_outcome(outcome) == proof
        assert decode_message(encode_message(outcome), JobOutcome) == outcome


# -- honest runs ---------------------------------------------------------------------------------


def test_a_public_job_gives_the_same_attributed_result_on_every_validator(
    executor: RecordingExecutor,
) -> None:
    dispatch = public_dispatch()
    outcomes = run_everywhere(executor, dispatch)
    expected = INPUT[::-1]
    for outcome in outcomes:
        assert outcome.verdict == Produced(hashlib.sha256(expected).digest(), expected)
        assert outcome.attempt == 1
        assert outcome.fuel_consumed > 0
    assert len({outcome.fuel_consumed for outcome in outcomes}) == 1
    assert len({outcome.poe for outcome in outcomes}) == 3
    assert_attributed(outcomes, dispatch.job_id)


def test_a_private_job_gives_identical_ciphertexts_only_the_requester_opens(
    executor: RecordingExecutor,
) -> None:
    outcomes = run_everywhere(executor, PRIVATE)
    verdicts = {outcome.verdict for outcome in outcomes}
    assert len(verdicts) == 1
    (verdict,) = verdicts
    assert isinstance(verdict, Produced)
    assert INPUT[::-1] not in verdict.output
    assert INPUT not in PRIVATE_JOB
    assert verdict.result_sha256 == hashlib.sha256(verdict.output).digest()
    assert_attributed(outcomes, PRIVATE.job_id)
    for outcome in outcomes:
        assert open_private_result(outcome, SECRETS) == INPUT[::-1]


def test_a_retry_on_a_standby_validator_agrees_with_the_first_cohort(
    executor: RecordingExecutor,
) -> None:
    first = run_dispatched_job(executor, VALIDATORS[0], PRIVATE, settings=SETTINGS)
    retry = JobDispatch(PRIVATE.job_id, 2, (STANDBY.node_id,), PRIVATE_SPEC)
    again = run_dispatched_job(executor, STANDBY, retry, settings=SETTINGS)
    assert again.verdict == first.verdict
    assert again.attempt == 2


def test_a_referenced_module_is_resolved_from_the_modules_the_node_holds(
    executor: RecordingExecutor,
) -> None:
    spec = public_job_spec(
        new_job_id(), REVERSE, INPUT, LIMITS, REQUESTER.public, replication=1, inline_wasm=False
    )
    assert spec.wasm is None
    dispatch = JobDispatch(spec.job_id, 1, COHORT[:1], spec)
    held = {hashlib.sha256(REVERSE).digest(): REVERSE}
    outcome = run_dispatched_job(
        executor, VALIDATORS[0], dispatch, settings=SETTINGS, modules=held.get
    )
    assert outcome_reply(outcome) == hashlib.sha256(INPUT[::-1]).digest()


# -- failures are outcomes, the same on every validator ------------------------------------------


@pytest.mark.parametrize(
    ("wasm", "job_input", "limits", "reason"),
    [
        (HASH_CHAIN, b"\x01", LIMITS, "GuestTrapError"),  # shorter than its 4-byte count
        (
            HASH_CHAIN,
            struct.pack("<I", 10**6),
            ExecutionLimits(64 * 2**20, 10**6, 30.0),
            "OutOfFuelError",
        ),
        (GREEDY, b"", ExecutionLimits(2**20, 10**9, 30.0), "MemoryLimitError"),
        (b"\0asm\1\0\0\0", b"", LIMITS, "InvalidModuleError"),
    ],
)
def test_a_misbehaving_guest_fails_alike_on_every_validator(
    executor: RecordingExecutor, wasm: bytes, job_input: bytes, limits: ExecutionLimits, reason: str
) -> None:
    dispatch = public_dispatch(wasm, job_input, limits)
    outcomes = run_everywhere(executor, dispatch)
    assert {outcome.verdict for outcome in outcomes} == {Failed(reason)}
    assert {outcome_reply(outcome) for outcome in outcomes} == {outcome_reply(outcomes[0])}
    assert_attributed(outcomes, dispatch.job_id)


def test_a_failing_private_job_is_a_plain_failure(executor: RecordingExecutor) -> None:
    spec, _ = private_job_spec(
        new_job_id(),
        HASH_CHAIN,
        b"\x01",
        LIMITS,
        REQUESTER,
        cohort=[x25519(VALIDATORS[0])],
        replication=1,
    )
    dispatch = JobDispatch(spec.job_id, 1, COHORT[:1], spec)
    outcome = run_dispatched_job(executor, VALIDATORS[0], dispatch, settings=SETTINGS)
    assert outcome.verdict == Failed("GuestTrapError")
    with pytest.raises(JobStateError, match="no output"):
        open_private_result(outcome, SECRETS)


def test_a_wall_clock_timeout_is_reported_apart_and_counts_as_silence(
    executor: RecordingExecutor,
) -> None:
    limits = ExecutionLimits(64 * 2**20, SETTINGS.max_fuel, 0.05)
    dispatch = public_dispatch(ENDLESS, b"", limits)
    outcome = run_dispatched_job(executor, VALIDATORS[0], dispatch, settings=SETTINGS)
    assert outcome.verdict == TimedOut()
    assert outcome_reply(outcome) is None
    verify_outcome(outcome)


# -- refusals before anything runs ----------------------------------------------------------------


def refused(
    executor: RecordingExecutor,
    dispatch: JobDispatch,
    error: type[Exception],
    match: str | None,
    *,
    identity: NodeIdentity = VALIDATORS[0],
) -> None:
    with pytest.raises(error, match=match):
        run_dispatched_job(executor, identity, dispatch, settings=SETTINGS)
    assert executor.calls == 0


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def with_private_job(job: bytes, requester: bytes = PRIVATE_SPEC.requester) -> JobDispatch:
    spec = msgspec.structs.replace(PRIVATE_SPEC, payload=PrivateInput(job), requester=requester)
    return JobDispatch(spec.job_id, 1, COHORT, spec)


@settings(max_examples=25)
@given(index=st.integers(0, len(PRIVATE_JOB) - 1))
def test_a_tampered_private_job_is_refused_before_it_runs(
    wasmtime_executor: WasmtimeExecutor, index: int
) -> None:
    executor = RecordingExecutor(wasmtime_executor)
    refused(executor, with_private_job(flip(PRIVATE_JOB, index)), EnvelopeError, None)


def test_a_private_job_under_another_requesters_key_is_refused(
    executor: RecordingExecutor,
) -> None:
    intruder = g1.encode_point(INTRUDER.public)
    refused(executor, with_private_job(PRIVATE_JOB, intruder), PrivateJobError, "ownership proof")


def test_a_requester_key_off_the_curve_is_refused(executor: RecordingExecutor) -> None:
    refused(executor, with_private_job(PRIVATE_JOB, b"\x01" * 64), PrivateJobError, "requester")


def test_a_private_job_moved_to_another_job_id_is_refused(executor: RecordingExecutor) -> None:
    spec = msgspec.structs.replace(PRIVATE_SPEC, job_id=new_job_id())
    refused(executor, JobDispatch(spec.job_id, 1, COHORT, spec), PrivateJobError, "sealed for job")


def test_a_cohort_member_the_job_was_not_sealed_to_cannot_open_it(
    executor: RecordingExecutor,
) -> None:
    dispatch = JobDispatch(PRIVATE.job_id, 1, (STRANGER.node_id,), PRIVATE_SPEC)
    refused(executor, dispatch, EnvelopeError, "not addressed", identity=STRANGER)


def test_a_dispatch_to_another_cohort_is_refused(executor: RecordingExecutor) -> None:
    refused(executor, public_dispatch(), JobStateError, "without this node", identity=STRANGER)


def test_a_module_that_is_not_the_one_named_is_refused(executor: RecordingExecutor) -> None:
    spec = msgspec.structs.replace(public_dispatch().spec, wasm=HASH_CHAIN)
    refused(executor, JobDispatch(spec.job_id, 1, COHORT, spec), FormatError, "SHA-256 is")


@pytest.mark.parametrize("held", [{}, {hashlib.sha256(REVERSE).digest(): HASH_CHAIN}])
def test_a_referenced_module_missing_or_corrupt_is_refused(
    executor: RecordingExecutor, held: dict[bytes, bytes]
) -> None:
    spec = msgspec.structs.replace(public_dispatch().spec, wasm=None)
    dispatch = JobDispatch(spec.job_id, 1, COHORT, spec)
    with pytest.raises(FormatError, match="does not hold" if not held else "SHA-256 is"):
        run_dispatched_job(executor, VALIDATORS[0], dispatch, settings=SETTINGS, modules=held.get)
    assert executor.calls == 0


@pytest.mark.parametrize(
    ("limits", "cap"),
    [
        (ExecutionLimits(2 * 2**30, 10**9, 30.0), "max_memory_limit"),
        (ExecutionLimits(64 * 2**20, 10**11, 30.0), "max_fuel"),
        (ExecutionLimits(64 * 2**20, 10**9, 301.0), "max_timeout"),
    ],
)
def test_limits_above_the_network_caps_are_refused(
    executor: RecordingExecutor, limits: ExecutionLimits, cap: str
) -> None:
    refused(executor, public_dispatch(limits=limits), JobLimitError, cap)


def test_limits_at_the_caps_run(executor: RecordingExecutor) -> None:
    at_caps = ExecutionLimits(SETTINGS.max_memory_limit, SETTINGS.max_fuel, SETTINGS.max_timeout)
    outcome = run_dispatched_job(
        executor, VALIDATORS[0], public_dispatch(limits=at_caps), settings=SETTINGS
    )
    assert isinstance(outcome.verdict, Produced)
    assert executor.calls == 1
