"""Compute wire messages: strict round trips, every refusal typed, outcomes bound by their PoE."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.compute.agreement import Failure
from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.messages import (
    MAX_ATTEMPT,
    MAX_COHORT_SIZE,
    MAX_REASON_LENGTH,
    ComputeMessage,
    Failed,
    JobDispatch,
    JobLimits,
    JobOutcome,
    JobSpec,
    PrivateInput,
    Produced,
    PublicInput,
    TimedOut,
    Verdict,
    decode_message,
    encode_message,
    outcome_reply,
    signed_result,
    verify_outcome,
)
from paraloom.compute.poe import ENCODED_SIZE, make_poe
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import FormatError, ProofOfExecutionError
from paraloom.network.wire import WireMessage

ids = st.binary(min_size=32, max_size=32)
blobs = st.binary(max_size=300)
limits = st.builds(
    JobLimits,
    memory_limit=st.integers(1, 2**64 - 1),
    fuel=st.integers(1, 2**64 - 1),
    timeout=st.floats(min_value=1e-9, allow_nan=False),
)
payloads = st.one_of(st.builds(PublicInput, blobs), st.builds(PrivateInput, blobs))
specs = st.builds(
    JobSpec,
    job_id=ids,
    wasm_sha256=ids,
    wasm=st.none() | blobs,
    limits=limits,
    replication=st.integers(1, MAX_COHORT_SIZE),
    payload=payloads,
    requester=st.binary(min_size=64, max_size=64),
)
cohorts = st.lists(ids, min_size=1, max_size=8, unique=True).map(tuple)
attempts = st.integers(1, MAX_ATTEMPT)
dispatches = st.builds(
    lambda spec, attempt, cohort: JobDispatch(spec.job_id, attempt, cohort, spec),
    specs,
    attempts,
    cohorts,
)
produced = blobs.map(lambda output: Produced(sha256(output), output))
failed = st.builds(Failed, st.text(min_size=1, max_size=MAX_REASON_LENGTH))
verdicts: st.SearchStrategy[Verdict] = st.one_of(produced, failed, st.just(TimedOut()))
outcomes = st.builds(
    JobOutcome,
    job_id=ids,
    attempt=attempts,
    node_id=ids,
    verdict=verdicts,
    fuel_consumed=st.integers(0, 2**64 - 1),
    elapsed=st.floats(min_value=0, allow_nan=False),
    poe=st.binary(min_size=ENCODED_SIZE, max_size=ENCODED_SIZE),
)
messages: st.SearchStrategy[ComputeMessage] = st.one_of(specs, dispatches, outcomes)
KINDS: tuple[type[JobSpec] | type[JobDispatch] | type[JobOutcome], ...] = (
    JobSpec,
    JobDispatch,
    JobOutcome,
)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


SPEC = JobSpec(
    job_id=bytes(range(32)),
    wasm_sha256=sha256(b"\0asm"),
    wasm=b"\0asm",
    limits=JobLimits(64 * 2**20, 10**9, 30.0),
    replication=3,
    payload=PublicInput(b"input"),
    requester=bytes(64),
)
NODES = (b"\1" * 32, b"\2" * 32, b"\3" * 32)
DISPATCH = JobDispatch(SPEC.job_id, 1, NODES, SPEC)
IDENTITY = NodeIdentity.from_seed(b"\7" * 32)
OUTPUT = b"tuptuo"
RESULT = Produced(sha256(OUTPUT), OUTPUT)


def signed_outcome(verdict: Verdict, identity: NodeIdentity = IDENTITY) -> JobOutcome:
    poe = make_poe(identity, SPEC.job_id, signed_result(verdict))
    return JobOutcome(SPEC.job_id, 1, identity.node_id, verdict, 1234, 0.5, poe.to_bytes())


OUTCOME = signed_outcome(RESULT)


def tree(message: Any) -> Any:
    """The message as plain data, bytes kept, to be altered and re-encoded by hand."""
    return msgspec.to_builtins(message, builtin_types=(bytes,))


def altered(message: ComputeMessage, path: tuple[str, ...], value: Any) -> bytes:
    data = tree(message)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return msgspec.msgpack.encode(data)


# -- round trips ---------------------------------------------------------------------------------


@given(message=messages)
def test_every_message_survives_a_round_trip(message: ComputeMessage) -> None:
    assert decode_message(encode_message(message), type(message)) == message


@given(job_limits=limits)
def test_limits_convert_to_execution_limits_and_back(job_limits: JobLimits) -> None:
    assert JobLimits.of(job_limits.execution_limits()) == job_limits
    assert isinstance(job_limits.execution_limits(), ExecutionLimits)


def test_the_messages_are_tagged_wire_messages() -> None:
    assert all(issubclass(kind, WireMessage) for kind in KINDS)
    assert {tree(message)["type"] for message in (SPEC, DISPATCH, OUTCOME)} == {
        "job-spec",
        "job-dispatch",
        "job-outcome",
    }


# -- refusals: anything malformed is a FormatError ------------------------------------------------


@given(message=messages, data=st.data())
def test_a_truncated_message_is_refused(message: ComputeMessage, data: st.DataObject) -> None:
    encoded = encode_message(message)
    cut = data.draw(st.integers(0, len(encoded) - 1))
    with pytest.raises(FormatError, match=type(message).__name__):
        decode_message(encoded[:cut], type(message))


@given(message=messages, extra=st.binary(min_size=1, max_size=4))
def test_trailing_bytes_are_refused(message: ComputeMessage, extra: bytes) -> None:
    with pytest.raises(FormatError):
        decode_message(encode_message(message) + extra, type(message))


@given(data=st.binary(max_size=400), kind=st.sampled_from(KINDS))
def test_arbitrary_bytes_decode_or_raise_format_error_only(
    data: bytes, kind: type[JobSpec] | type[JobDispatch] | type[JobOutcome]
) -> None:
    try:
        decoded = decode_message(data, kind)
    except FormatError:
        return
    assert isinstance(decoded, kind)


@given(message=messages, kind=st.sampled_from(KINDS))
def test_a_message_of_another_kind_is_refused(
    message: ComputeMessage, kind: type[JobSpec] | type[JobDispatch] | type[JobOutcome]
) -> None:
    if isinstance(message, kind):
        return
    with pytest.raises(FormatError, match=kind.__name__):
        decode_message(encode_message(message), kind)


def test_an_unknown_field_is_refused() -> None:
    for message in (SPEC, DISPATCH, OUTCOME):
        data = tree(message)
        data["extra"] = 1
        with pytest.raises(FormatError, match="extra"):
            decode_message(msgspec.msgpack.encode(data), type(message))


BAD_FIELDS: list[tuple[ComputeMessage, tuple[str, ...], Any, str]] = [
    (SPEC, ("job_id",), bytes(31), "job_id"),
    (SPEC, ("job_id",), bytes(33), "job_id"),
    (SPEC, ("wasm_sha256",), bytes(31), "wasm_sha256"),
    (SPEC, ("wasm",), "not bytes", "wasm"),
    (SPEC, ("replication",), 0, "replication"),
    (SPEC, ("replication",), MAX_COHORT_SIZE + 1, "replication"),
    (SPEC, ("limits", "memory_limit"), 0, "memory_limit"),
    (SPEC, ("limits", "fuel"), 0, "fuel"),
    (SPEC, ("limits", "fuel"), 1.5, "fuel"),
    (SPEC, ("limits", "timeout"), 0.0, "timeout"),
    (SPEC, ("limits", "timeout"), float("nan"), "timeout"),
    (SPEC, ("limits", "timeout"), -1.0, "timeout"),
    (SPEC, ("payload", "kind"), "secret", "payload"),
    (SPEC, ("payload",), {"kind": "private", "data": b""}, "payload"),
    (SPEC, ("requester",), bytes(63), "requester"),
    (SPEC, ("type",), "job-outcome", "type"),
    (DISPATCH, ("attempt",), 0, "attempt"),
    (DISPATCH, ("attempt",), MAX_ATTEMPT + 1, "attempt"),
    (DISPATCH, ("cohort",), [], "cohort"),
    (DISPATCH, ("cohort",), [bytes(32)] * (MAX_COHORT_SIZE + 1), "cohort"),
    (DISPATCH, ("cohort",), [NODES[0], bytes(31)], "cohort"),
    (DISPATCH, ("cohort",), [NODES[0], NODES[0]], "names a node twice"),
    (DISPATCH, ("job_id",), bytes(32), "carries the spec of job"),
    (DISPATCH, ("spec", "limits", "fuel"), -1, "fuel"),
    (OUTCOME, ("node_id",), bytes(31), "node_id"),
    (OUTCOME, ("fuel_consumed",), -1, "fuel_consumed"),
    (OUTCOME, ("elapsed",), -0.5, "elapsed"),
    (OUTCOME, ("poe",), bytes(ENCODED_SIZE - 1), "poe"),
    (OUTCOME, ("verdict", "result_sha256"), sha256(b"other"), "not the SHA-256 of the output"),
    (OUTCOME, ("verdict", "output"), b"other", "not the SHA-256 of the output"),
    (OUTCOME, ("verdict",), {"kind": "failure", "reason": ""}, "reason"),
    (OUTCOME, ("verdict",), {"kind": "failure", "reason": "x" * 129}, "reason"),
    (OUTCOME, ("verdict",), {"kind": "timeout", "reason": "late"}, "reason"),
    (OUTCOME, ("verdict",), {"kind": "crashed"}, "verdict"),
]


@pytest.mark.parametrize(("message", "path", "value", "named"), BAD_FIELDS)
def test_a_field_out_of_its_bounds_is_refused_and_named(
    message: ComputeMessage, path: tuple[str, ...], value: Any, named: str
) -> None:
    with pytest.raises(FormatError, match=named):
        decode_message(altered(message, path, value), type(message))


@pytest.mark.parametrize("placeholder", [b"GuestTrapError", b"reason"])
def test_a_string_that_is_not_utf8_is_refused(placeholder: bytes) -> None:
    encoded = encode_message(signed_outcome(Failed("GuestTrapError")))
    assert placeholder in encoded
    broken = encoded.replace(placeholder, b"\x80" * len(placeholder))
    with pytest.raises(FormatError, match="not UTF-8"):
        decode_message(broken, JobOutcome)


def test_the_unaltered_trees_decode() -> None:
    """The baseline of the table above: only the alteration makes those messages bad."""
    for message in (SPEC, DISPATCH, OUTCOME):
        assert decode_message(msgspec.msgpack.encode(tree(message)), type(message)) == message


def test_a_message_above_the_size_limit_is_refused_both_ways() -> None:
    encoded = encode_message(SPEC)
    assert decode_message(encoded, JobSpec, max_size=len(encoded)) == SPEC
    with pytest.raises(FormatError, match="exceeds the limit"):
        encode_message(SPEC, max_size=len(encoded) - 1)
    with pytest.raises(FormatError, match="exceeds the limit"):
        decode_message(encoded, JobSpec, max_size=len(encoded) - 1)


def test_encoding_refuses_a_message_its_receiver_would_refuse() -> None:
    with pytest.raises(FormatError, match=r"JobSpec.*job_id"):
        encode_message(msgspec.structs.replace(SPEC, job_id=bytes(31)))


def test_encoding_refuses_a_string_that_is_not_unicode_text() -> None:
    with pytest.raises(FormatError, match="UTF-8"):
        encode_message(msgspec.structs.replace(OUTCOME, verdict=Failed("\ud800")))


def test_inconsistent_messages_cannot_even_be_built() -> None:
    with pytest.raises(FormatError, match="names a node twice"):
        JobDispatch(SPEC.job_id, 1, (NODES[0], NODES[0]), SPEC)
    with pytest.raises(FormatError, match="carries the spec"):
        JobDispatch(bytes(32), 1, NODES, SPEC)
    with pytest.raises(FormatError, match="SHA-256 of the output"):
        Produced(sha256(b"a"), b"b")


# -- what an outcome means and what its proof binds ------------------------------------------------


@given(first=verdicts, second=verdicts)
def test_signed_results_differ_exactly_when_verdicts_do(first: Verdict, second: Verdict) -> None:
    assert (signed_result(first) == signed_result(second)) == (first == second)


def test_a_failure_never_signs_like_a_result() -> None:
    """Even a failure reason spelling out a result hash signs other bytes."""
    lookalike = Failed(RESULT.result_sha256.hex())
    assert signed_result(lookalike) != signed_result(RESULT)
    assert signed_result(RESULT) == b"\x00" + sha256(OUTPUT)


def test_outcomes_reply_to_the_agreement_module() -> None:
    assert outcome_reply(OUTCOME) == sha256(OUTPUT)
    assert outcome_reply(signed_outcome(Failed("OutOfFuelError"))) == Failure("OutOfFuelError")
    assert outcome_reply(signed_outcome(TimedOut())) is None


@pytest.mark.parametrize("verdict", [RESULT, Failed("GuestTrapError"), TimedOut()])
def test_a_signed_outcome_verifies_and_names_its_node(verdict: Verdict) -> None:
    proof = verify_outcome(signed_outcome(verdict))
    assert proof.node_id == IDENTITY.node_id


@pytest.mark.parametrize(
    "change",
    [
        {"verdict": Failed("GuestTrapError")},
        {"verdict": Produced(sha256(b"forged"), b"forged")},
        {"verdict": TimedOut()},
        {"job_id": bytes(32)},
        {"node_id": NodeIdentity.from_seed(b"\x08" * 32).node_id},
        {"poe": signed_outcome(RESULT, NodeIdentity.from_seed(b"\x08" * 32)).poe},
        {"poe": bytes(ENCODED_SIZE)},
    ],
)
def test_an_outcome_its_proof_does_not_bind_is_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ProofOfExecutionError):
        verify_outcome(msgspec.structs.replace(OUTCOME, **change))
