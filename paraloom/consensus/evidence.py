"""Slashing evidence: two conflicting votes signed by one validator for one request and round.

Conflicting means different decisions. Two votes that agree on the decision but differ in the
reason or the timestamp are a resend, not equivocation: they could never count for two
outcomes, so they are no ground for slashing. The evidence carries the voter's public key, so
anyone can check it without the validator set; whether that key belongs to a registered
validator (and how much stake it has) is for the slashing authority to look up.

:func:`equivocation_evidence` orders the two votes by their signing bytes, so the same
equivocation detected by two coordinators, or twice, encodes to the same bytes.
"""

from __future__ import annotations

from paraloom.consensus.votes import MAX_VOTE_SIZE, Vote, verify_vote
from paraloom.consensus.wire import PublicKey, checked
from paraloom.errors import EvidenceError, VoteError
from paraloom.network.wire import WireCodec, WireMessage

#: Largest encoded evidence accepted from a peer: two votes, the key and the field names.
MAX_EVIDENCE_SIZE = 2 * MAX_VOTE_SIZE + 256


class EquivocationEvidence(WireMessage, frozen=True, tag="equivocation-evidence"):
    """Two votes by the holder of ``public_key``; valid only if :func:`verify_evidence` says."""

    public_key: PublicKey
    first: Vote
    second: Vote


_CODEC: WireCodec[EquivocationEvidence] = WireCodec(EquivocationEvidence, MAX_EVIDENCE_SIZE)


def equivocation_evidence(public_key: bytes, one: Vote, other: Vote) -> EquivocationEvidence:
    """The evidence of two votes, in canonical order; checked, so it is never built invalid."""
    first, second = sorted((one, other), key=Vote.signing_bytes)
    evidence = checked(
        EquivocationEvidence, EvidenceError, public_key=public_key, first=first, second=second
    )
    verify_evidence(evidence)
    return evidence


def verify_evidence(evidence: EquivocationEvidence) -> None:
    """Return if the evidence proves equivocation; else EvidenceError naming the failed check."""
    first, second = evidence.first, evidence.second
    if first.decision == second.decision:
        raise EvidenceError(
            f"evidence against {first.voter.hex()}: both votes {first.decision.value}, no conflict"
        )
    try:
        verify_vote(first, evidence.public_key)
        verify_vote(second, evidence.public_key, request_id=first.request_id, round=first.round)
    except VoteError as error:
        raise EvidenceError(f"evidence does not hold: {error}") from None


def encode_evidence(evidence: EquivocationEvidence) -> bytes:
    return _CODEC.encode(evidence)


def decode_evidence(data: bytes) -> EquivocationEvidence:
    """The strict parser; a malformed message is a FormatError (verify it separately)."""
    return _CODEC.decode(data)
