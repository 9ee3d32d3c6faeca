"""A withdrawal request and how a validator judges it.

Protocol, version 1. A request carries the Groth16 proof (bytes in the codec the node uses)
and the public inputs the withdraw circuit binds: the merkle root the note is proven under,
the nullifier it spends, the amount in lamports, the recipient's Solana public key and the
slot after which the request expires. Its id, the 32 bytes every vote signs, is

    SHA-256(b"paraloom-withdrawal-request-v1" ‖ root (32) ‖ nullifier (32) ‖ amount (8, BE; < 2^63)
            ‖ recipient (32) ‖ expiration_slot (8, BE; < 2^63) ‖ proof)

so a vote binds everything the validator checked, the proof included: a coordinator cannot
collect votes for one request and present them for another. The root and the nullifier are
field elements, big-endian, and must be canonical (< r): otherwise n and n + r would be two
different nullifiers for one and the same proof, and a note could be spent twice.

The checks a validator runs need its own state and curve backend, so :func:`judge` takes them
as callables; it fixes only their order (cheap before expensive) and what each outcome means.
An unknown merkle root makes the validator abstain rather than reject: it may simply be behind,
and an abstention counts against approval without marking its author wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import msgspec

from paraloom.consensus.votes import MAX_REASON_LENGTH, Decision
from paraloom.consensus.wire import MAX_INT, Bytes32, NonNegative, PublicKey, checked
from paraloom.errors import FormatError, ParaloomError
from paraloom.math.fields import FR_MODULUS
from paraloom.network.wire import WireCodec, WireMessage

REQUEST_DOMAIN = b"paraloom-withdrawal-request-v1"
#: Largest proof accepted; a snarkjs JSON proof, the longest codec, is under 1 KiB.
MAX_PROOF_SIZE = 4096
MAX_REQUEST_SIZE = MAX_PROOF_SIZE + 512


class WithdrawalRequest(WireMessage, frozen=True, tag="withdrawal-request"):
    """What validators vote on; build it with :func:`withdrawal_request` to have it checked."""

    proof: Annotated[bytes, msgspec.Meta(min_length=1, max_length=MAX_PROOF_SIZE)]
    root: Bytes32
    nullifier: Bytes32
    amount: Annotated[int, msgspec.Meta(ge=1, le=MAX_INT)]
    recipient: PublicKey
    expiration_slot: NonNegative

    def __post_init__(self) -> None:
        for what, value in (("merkle root", self.root), ("nullifier", self.nullifier)):
            if int.from_bytes(value, "big") >= FR_MODULUS:
                raise FormatError(
                    f"withdrawal request: the {what} {value.hex()} is not a canonical field "
                    "element (it is >= r)"
                )

    @property
    def request_id(self) -> bytes:
        """The id votes sign (module docstring)."""
        return hashlib.sha256(
            b"".join(
                (
                    REQUEST_DOMAIN,
                    self.root,
                    self.nullifier,
                    self.amount.to_bytes(8, "big"),
                    self.recipient,
                    self.expiration_slot.to_bytes(8, "big"),
                    self.proof,
                )
            )
        ).digest()


_CODEC: WireCodec[WithdrawalRequest] = WireCodec(WithdrawalRequest, MAX_REQUEST_SIZE)


def withdrawal_request(
    *,
    proof: bytes,
    root: bytes,
    nullifier: bytes,
    amount: int,
    recipient: bytes,
    expiration_slot: int,
) -> WithdrawalRequest:
    """A request whose fields are checked as strictly as a decoded one's (FormatError)."""
    return checked(
        WithdrawalRequest,
        FormatError,
        proof=bytes(proof),
        root=bytes(root),
        nullifier=bytes(nullifier),
        amount=amount,
        recipient=bytes(recipient),
        expiration_slot=expiration_slot,
    )


def encode_request(request: WithdrawalRequest) -> bytes:
    return _CODEC.encode(request)


def decode_request(data: bytes) -> WithdrawalRequest:
    """The strict parser: wrong sizes, bounds, unknown fields or trailing bytes: FormatError."""
    return _CODEC.decode(data)


@dataclass(frozen=True)
class Judgement:
    """A validator's decision on a request and why, ready to be signed into a vote."""

    decision: Decision
    reason: str


def judge(
    request: WithdrawalRequest,
    *,
    verify_proof: Callable[[WithdrawalRequest], bool],
    nullifier_spent: Callable[[bytes], bool],
    root_known: Callable[[bytes], bool],
    current_slot: int,
) -> Judgement:
    """Approve only a live request under a known root, with an unspent nullifier and a valid
    proof. ``verify_proof`` may raise a ParaloomError for a proof it cannot even read (bad
    encoding, a point off the curve): that is a rejection too, with the error as the reason.
    """
    if current_slot > request.expiration_slot:
        return Judgement(
            Decision.REJECT,
            f"expired at slot {request.expiration_slot} (current slot {current_slot})",
        )
    if not root_known(request.root):
        return Judgement(Decision.ABSTAIN, f"merkle root {request.root.hex()} is not known")
    if nullifier_spent(request.nullifier):
        return Judgement(Decision.REJECT, f"nullifier {request.nullifier.hex()} is spent")
    try:
        valid = verify_proof(request)
    except ParaloomError as error:
        return Judgement(Decision.REJECT, f"proof refused: {error}"[:MAX_REASON_LENGTH])
    if not valid:
        return Judgement(Decision.REJECT, "proof does not verify")
    return Judgement(Decision.APPROVE, "valid")
