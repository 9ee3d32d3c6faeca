"""The coordinator state that the primary replicates to the passives, and its encoding.

Protocol, version 1: the snapshot's state bytes are zstd(MessagePack(:class:`CoordinatorState`)),
decoded strictly (unknown fields refused) and at most
:data:`~paraloom.node.messages.MAX_STATE_SIZE` bytes once decompressed.

What a new primary needs to carry on without losing or changing an acknowledged write:

- every job that is not finished, with its spec, so it can run it again (guests are
  deterministic and an attempt's result is agreed, so a rerun yields the same output);
- the :data:`RECENT_FINISHED` jobs that finished last, with the deciding attempt's cohort and
  results, so `compute status` and `compute result` answer as before (older ones stay in the
  stores of the primaries that ran them);
- the validators registered with their keys and capacity, and every reputation score, so
  private jobs can be sealed and cohorts drawn at once, and a bad validator stays penalised;
- the deposit tree's leaves, the :data:`RECENT_FINISHED` latest withdrawal decisions with
  their signed votes, and the withdrawal requests still being voted on.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
import zstandard

from paraloom.compute.messages import JobLimits
from paraloom.consensus.withdrawal import WithdrawalRequest
from paraloom.errors import CoordinationError
from paraloom.node.messages import MAX_STATE_SIZE

#: Finished jobs, and decided withdrawals, a snapshot keeps (the latest ones).
RECENT_FINISHED = 512
#: zstd level: snapshots are written on every batch of writes, so speed matters more than size.
COMPRESSION_LEVEL = 3

Bytes32 = Annotated[bytes, msgspec.Meta(min_length=32, max_length=32)]


class _Entry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Strict, like every wire struct."""


class ResultEntry(_Entry, frozen=True):
    node_id: Bytes32
    output: bytes


class JobEntry(_Entry, frozen=True):
    """A job as the primary stores it; ``cohort`` and ``results`` are those of its last
    attempt, kept for finished jobs only."""

    job_id: Bytes32
    spec: bytes
    requester: str
    state: str
    cohort: list[Bytes32]
    results: list[ResultEntry]


class ValidatorEntry(_Entry, frozen=True):
    node_id: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]
    public_key: Bytes32
    encryption_key: bytes  # the signed X25519 announcement
    capacity: JobLimits


class DecisionEntry(_Entry, frozen=True):
    """A decided withdrawal as the chain store records it, with the encoded signed votes."""

    request_id: Bytes32
    nullifier: Bytes32
    amount: Annotated[int, msgspec.Meta(ge=1)]
    recipient: Bytes32
    expiration_slot: Annotated[int, msgspec.Meta(ge=0)]
    outcome: str
    votes: list[bytes]
    decided_at: int


class CoordinatorState(_Entry, frozen=True):
    jobs: list[JobEntry]
    validators: list[ValidatorEntry]
    reputation: dict[str, float]
    deposits: list[Bytes32]
    decisions: list[DecisionEntry]
    voting: list[WithdrawalRequest]


EMPTY_STATE = CoordinatorState([], [], {}, [], [], [])
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(CoordinatorState)


def encode_state(state: CoordinatorState) -> bytes:
    packed = _ENCODER.encode(state)
    if len(packed) > MAX_STATE_SIZE:
        raise CoordinationError(
            f"the coordinator state takes {len(packed)} bytes, above {MAX_STATE_SIZE}"
        )
    return zstandard.ZstdCompressor(level=COMPRESSION_LEVEL).compress(packed)


def decode_state(data: bytes) -> CoordinatorState:
    """The state in a snapshot; the empty state for the genesis snapshot (no bytes)."""
    if not data:
        return EMPTY_STATE
    try:
        packed = zstandard.ZstdDecompressor().decompress(data, max_output_size=MAX_STATE_SIZE)
        return _DECODER.decode(packed)
    except (zstandard.ZstdError, msgspec.DecodeError) as error:
        raise CoordinationError(f"a coordinator state snapshot does not decode: {error}") from None
