"""The compute wire messages: a job as submitted, its dispatch to a cohort, each node's outcome.

They are :class:`~paraloom.network.wire.WireMessage` structs (MessagePack, strict: unknown
fields, wrong types, out-of-range values, trailing bytes and oversized messages are refused
with FormatError), so that the requester, the coordinator, validators and the job store all
read one byte layout. Protocol, version 1 (others reimplement it, so every choice is fixed):

- Ids and digests are raw bytes: a job id is 32 bytes (the request id its proofs of execution
  bind), a node id 32 bytes (:mod:`paraloom.crypto.identity`), the requester's key the 64-byte
  Schnorr public key of :mod:`paraloom.crypto.schnorr` (x ‖ y big-endian).
- :class:`JobSpec` names its module by SHA-256 and carries it inline or not at all; without it,
  the module is referenced by that hash and a validator resolves it from modules it holds.
  Its payload is a public input or the bytes of a :class:`~paraloom.compute.private.PrivateJob`.
- :class:`JobOutcome` carries one verdict: the output (the sealed output for private jobs,
  since that is what honest validators agree on) with its SHA-256, a failure named by the
  executor error's class (deterministic failures are votes), or a wall-clock timeout (the
  node's own limit: agreement counts it as silence). Its proof of execution binds the job id
  and the verdict's :func:`signed_result`: one tag byte, then the SHA-256 (0x00), the UTF-8
  failure reason (0x01) or nothing (0x02 for a timeout). The tag keeps a failure from ever
  reading as a result, whatever bytes a guest outputs.
- Blobs (module, input, output) are bounded by the message size limit only, which the node
  sets to its transport's frame size; everything else has a bound of its own below.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Annotated, Any, TypeVar

import msgspec

from paraloom.compute.agreement import Failure, Reply
from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.poe import ENCODED_SIZE, REQUEST_ID_SIZE, ProofOfExecution, verify_poe
from paraloom.crypto import g1
from paraloom.crypto.identity import NODE_ID_SIZE
from paraloom.errors import FormatError
from paraloom.network.wire import WireCodec, WireMessage

#: The tcp transport's default frame size: a message must fit one frame.
DEFAULT_MAX_MESSAGE_SIZE = 4 * 2**20
#: Bounds of a cohort's size (hence of a job's replication) and of a job's attempt number.
MAX_COHORT_SIZE = 256
MAX_ATTEMPT = 2**16
#: Longest failure reason: an executor error's class name.
MAX_REASON_LENGTH = 128

RESULT_TAG, FAILURE_TAG, TIMEOUT_TAG = b"\x00", b"\x01", b"\x02"

JobId = Annotated[bytes, msgspec.Meta(min_length=REQUEST_ID_SIZE, max_length=REQUEST_ID_SIZE)]
NodeId = Annotated[bytes, msgspec.Meta(min_length=NODE_ID_SIZE, max_length=NODE_ID_SIZE)]
Digest = Annotated[bytes, msgspec.Meta(min_length=32, max_length=32)]
SchnorrKey = Annotated[bytes, msgspec.Meta(min_length=g1.POINT_SIZE, max_length=g1.POINT_SIZE)]
AttemptNumber = Annotated[int, msgspec.Meta(ge=1, le=MAX_ATTEMPT)]
Replication = Annotated[int, msgspec.Meta(ge=1, le=MAX_COHORT_SIZE)]


class _Part(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Base of the structs nested in messages: as strict, but untagged."""


class _Variant(_Part, frozen=True, tag_field="kind"):
    """Base of the alternatives of a union field, told apart by ``kind``."""


class JobLimits(_Part, frozen=True):
    """A job's :class:`~paraloom.compute.execution.ExecutionLimits` on the wire."""

    memory_limit: Annotated[int, msgspec.Meta(ge=1)]
    fuel: Annotated[int, msgspec.Meta(ge=1)]
    timeout: Annotated[float, msgspec.Meta(gt=0)]

    @classmethod
    def of(cls, limits: ExecutionLimits) -> JobLimits:
        return cls(limits.memory_limit, limits.fuel, limits.timeout)

    def execution_limits(self) -> ExecutionLimits:
        return ExecutionLimits(self.memory_limit, self.fuel, self.timeout)


class PublicInput(_Variant, frozen=True, tag="public"):
    """An input every node on the path may read."""

    data: bytes


class PrivateInput(_Variant, frozen=True, tag="private"):
    """An encoded :class:`~paraloom.compute.private.PrivateJob`, parsed by the validator."""

    job: bytes


class JobSpec(WireMessage, frozen=True, tag="job-spec"):
    """A job as the requester submits it; ``wasm`` None references the module by its hash."""

    job_id: JobId
    wasm_sha256: Digest
    wasm: bytes | None
    limits: JobLimits
    replication: Replication
    payload: PublicInput | PrivateInput
    requester: SchnorrKey


class JobDispatch(WireMessage, frozen=True, tag="job-dispatch"):
    """The coordinator's order to the cohort of one attempt to run ``spec``."""

    job_id: JobId
    attempt: AttemptNumber
    cohort: Annotated[tuple[NodeId, ...], msgspec.Meta(min_length=1, max_length=MAX_COHORT_SIZE)]
    spec: JobSpec

    def __post_init__(self) -> None:
        if self.spec.job_id != self.job_id:
            raise FormatError(
                f"job dispatch: for job {self.job_id.hex()} "
                f"but carries the spec of job {self.spec.job_id.hex()}"
            )
        if len(set(self.cohort)) != len(self.cohort):
            raise FormatError(f"job dispatch: job {self.job_id.hex()} names a node twice")


class Produced(_Variant, frozen=True, tag="result"):
    """The output the node compares with the cohort (sealed, for a private job)."""

    result_sha256: Digest
    output: bytes

    def __post_init__(self) -> None:
        if hashlib.sha256(self.output).digest() != self.result_sha256:
            raise FormatError("job outcome: the result hash is not the SHA-256 of the output")


class Failed(_Variant, frozen=True, tag="failure"):
    """The job failed deterministically; ``reason`` is the executor error's class name."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_REASON_LENGTH)]


class TimedOut(_Variant, frozen=True, tag="timeout"):
    """The job ran past the wall-clock limit on this node, which says nothing about the job."""


Verdict = Produced | Failed | TimedOut


class JobOutcome(WireMessage, frozen=True, tag="job-outcome"):
    """One node's answer to a dispatch, with what it cost and its proof of execution."""

    job_id: JobId
    attempt: AttemptNumber
    node_id: NodeId
    verdict: Verdict
    fuel_consumed: Annotated[int, msgspec.Meta(ge=0)]
    elapsed: Annotated[float, msgspec.Meta(ge=0)]
    poe: Annotated[bytes, msgspec.Meta(min_length=ENCODED_SIZE, max_length=ENCODED_SIZE)]


ComputeMessage = JobSpec | JobDispatch | JobOutcome
MessageT = TypeVar("MessageT", bound=WireMessage)


def encode_message(message: ComputeMessage, *, max_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> bytes:
    """MessagePack bytes, refused (FormatError) when a receiver would refuse them.

    Building a struct checks none of its declared bounds, so the bytes are decoded again
    here: a sender learns of a bad message at once, rather than from a silent peer.
    """
    kind = type(message)
    try:
        data = _codec(kind, max_size).encode(message)
    except FormatError as error:
        raise FormatError(f"{kind.__name__}: {error}") from None
    except UnicodeEncodeError:
        raise FormatError(f"{kind.__name__}: a string cannot be encoded as UTF-8") from None
    decode_message(data, kind, max_size=max_size)
    return data


def decode_message(
    data: bytes, kind: type[MessageT], *, max_size: int = DEFAULT_MAX_MESSAGE_SIZE
) -> MessageT:
    """The ``kind`` message in ``data``; any deviation is a FormatError naming the kind."""
    try:
        message: MessageT = _codec(kind, max_size).decode(data)
    except FormatError as error:
        raise FormatError(f"{kind.__name__}: {error}") from None
    return message


def signed_result(verdict: Verdict) -> bytes:
    """The bytes a proof of execution binds for ``verdict`` (module docstring)."""
    if isinstance(verdict, Produced):
        return RESULT_TAG + verdict.result_sha256
    if isinstance(verdict, Failed):
        return FAILURE_TAG + verdict.reason.encode()
    return TIMEOUT_TAG


def outcome_reply(outcome: JobOutcome) -> Reply:
    """The outcome as the agreement module counts it: a hash, a Failure, or silence."""
    verdict = outcome.verdict
    if isinstance(verdict, Produced):
        return verdict.result_sha256
    if isinstance(verdict, Failed):
        return Failure(verdict.reason)
    return None


def verify_outcome(outcome: JobOutcome) -> ProofOfExecution:
    """The outcome's proof, once it binds the job, the verdict and the node the outcome names.

    Whether that node belonged to the attempt's cohort is the caller's check.

    :raises ProofOfExecutionError: the proof is malformed or binds something else.
    """
    proof = ProofOfExecution.from_bytes(outcome.poe)
    verify_poe(
        proof,
        request_id=outcome.job_id,
        result=signed_result(outcome.verdict),
        node_id=outcome.node_id,
    )
    return proof


@functools.cache
def _codec(kind: type[WireMessage], max_size: int) -> WireCodec[Any]:
    """One codec per message type and limit: building a msgspec decoder is not free."""
    return WireCodec(kind, max_size)
