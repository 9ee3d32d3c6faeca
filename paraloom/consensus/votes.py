"""A validator's signed vote on one withdrawal request.

Protocol, version 1 (others reimplement it, so every choice is fixed here). The Ed25519
signature of the voter's node identity covers

    b"paraloom-withdrawal-vote-v1" ‖ request_id (32) ‖ round (4, big-endian) ‖ voter (32)
    ‖ decision (1: 0x01 approve, 0x02 reject, 0x03 abstain) ‖ voted_at (8, big-endian)
    ‖ reason length (2, big-endian) ‖ reason (UTF-8)

Every field before the reason has a fixed length and the reason carries its own, so the
encoding parses one way: no two different votes sign the same bytes. The domain tag keeps a
vote signature from standing for anything else the identity signs (proofs of execution, key
announcements). ``voter`` is the node id, the SHA-256 of the public key; the key itself comes
from the validator set, so it does not travel in the vote. ``round`` numbers the attempts at
one request, so a validator may change its mind in a new round (its view of the merkle root
moved) without that reading as equivocation. ``voted_at`` is the voter's Unix time in
milliseconds, kept for the record only (the coordinator's clock decides timeouts).

On the wire a vote is a MessagePack :class:`~paraloom.network.wire.WireMessage`, decoded
strictly; the signature covers the fields, not the MessagePack bytes, so a vote re-encoded by
another implementation still verifies.
"""

from __future__ import annotations

import enum
from typing import Annotated

import msgspec

from paraloom.consensus.wire import NodeId, NonNegative, RequestId, Signature, checked
from paraloom.crypto.identity import SIGNATURE_SIZE, NodeIdentity, node_id_of, verify_signature
from paraloom.errors import SignatureError, VoteError
from paraloom.network.wire import WireCodec, WireMessage

VOTE_DOMAIN = b"paraloom-withdrawal-vote-v1"
MAX_ROUND = 2**32 - 1
#: Longest reason, in characters (its UTF-8 form stays below the 2-byte length prefix).
MAX_REASON_LENGTH = 256
#: Largest encoded vote accepted from a peer; a full-length reason fits with room to spare.
MAX_VOTE_SIZE = 2048

Round = Annotated[int, msgspec.Meta(ge=1, le=MAX_ROUND)]


class Decision(enum.StrEnum):
    """A validator's answer; the values are what the chain store records."""

    APPROVE = "approve"
    REJECT = "reject"
    ABSTAIN = "abstain"


_DECISION_CODES = {Decision.APPROVE: 1, Decision.REJECT: 2, Decision.ABSTAIN: 3}


class Vote(WireMessage, frozen=True, tag="withdrawal-vote"):
    """One signed vote; build it with :func:`sign_vote`, check it with :func:`verify_vote`."""

    request_id: RequestId
    round: Round
    voter: NodeId
    decision: Decision
    reason: Annotated[str, msgspec.Meta(max_length=MAX_REASON_LENGTH)]
    voted_at: NonNegative
    signature: Signature

    def signing_bytes(self) -> bytes:
        """The bytes the signature covers (module docstring)."""
        reason = self.reason.encode()
        return b"".join(
            (
                VOTE_DOMAIN,
                self.request_id,
                self.round.to_bytes(4, "big"),
                self.voter,
                bytes([_DECISION_CODES[self.decision]]),
                self.voted_at.to_bytes(8, "big"),
                len(reason).to_bytes(2, "big"),
                reason,
            )
        )


_CODEC: WireCodec[Vote] = WireCodec(Vote, MAX_VOTE_SIZE)


def sign_vote(
    identity: NodeIdentity,
    request_id: bytes,
    decision: Decision,
    *,
    reason: str = "",
    round: int = 1,
    voted_at: int = 0,
) -> Vote:
    """The identity's vote; malformed fields are refused here, not left for the receiver."""
    unsigned = checked(
        Vote,
        VoteError,
        request_id=bytes(request_id),
        round=round,
        voter=identity.node_id,
        decision=decision,
        reason=reason,
        voted_at=voted_at,
        signature=bytes(SIGNATURE_SIZE),
    )
    return msgspec.structs.replace(unsigned, signature=identity.sign(unsigned.signing_bytes()))


def verify_vote(
    vote: Vote, public_key: bytes, *, request_id: bytes | None = None, round: int | None = None
) -> None:
    """Return if ``vote`` was signed by the holder of ``public_key``; else VoteError.

    ``request_id`` and ``round`` are what the caller is collecting votes for (None accepts
    any): a valid vote for another request or round is a forgery there.
    """
    if node_id_of(public_key) != vote.voter:
        raise VoteError(f"vote by {vote.voter.hex()} does not match key {public_key.hex()}")
    if request_id is not None and vote.request_id != request_id:
        raise VoteError(
            f"vote by {vote.voter.hex()} is for request {vote.request_id.hex()}, "
            f"not {bytes(request_id).hex()}"
        )
    if round is not None and vote.round != round:
        raise VoteError(f"vote by {vote.voter.hex()} is for round {vote.round}, not {round}")
    try:
        verify_signature(public_key, vote.signing_bytes(), vote.signature)
    except SignatureError:
        raise VoteError(f"vote by {vote.voter.hex()}: bad signature") from None


def encode_vote(vote: Vote) -> bytes:
    return _CODEC.encode(vote)


def decode_vote(data: bytes) -> Vote:
    """The strict parser; any deviation (module docstring) is a FormatError."""
    return _CODEC.decode(data)
