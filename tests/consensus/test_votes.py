"""Signed withdrawal votes: the signing layout, forgeries refused, the strict codec."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from paraloom.consensus.votes import (
    MAX_REASON_LENGTH,
    MAX_ROUND,
    Decision,
    Vote,
    decode_vote,
    encode_vote,
    sign_vote,
    verify_vote,
)
from paraloom.errors import FormatError, VoteError

from .support import identities

REQUEST = b"\x11" * 32
CODES = {Decision.APPROVE: 1, Decision.REJECT: 2, Decision.ABSTAIN: 3}

decisions = st.sampled_from(list(Decision))
reasons = st.text(max_size=MAX_REASON_LENGTH)
votes = st.builds(
    lambda index, request, decision, reason, round_, at: sign_vote(
        identities()[index], request, decision, reason=reason, round=round_, voted_at=at
    ),
    st.integers(0, 5),
    st.binary(min_size=32, max_size=32),
    decisions,
    reasons,
    st.integers(1, MAX_ROUND),
    st.integers(0, 2**63 - 1),
)


def test_signature_covers_the_documented_layout() -> None:
    """The bytes are assembled here from the protocol text, and checked with `cryptography`."""
    identity = identities()[0]
    vote = sign_vote(identity, REQUEST, Decision.REJECT, reason="spent", round=3, voted_at=7)
    expected = (
        b"paraloom-withdrawal-vote-v1"
        + REQUEST
        + (3).to_bytes(4, "big")
        + identity.node_id
        + bytes([2])
        + (7).to_bytes(8, "big")
        + (5).to_bytes(2, "big")
        + b"spent"
    )
    Ed25519PublicKey.from_public_bytes(identity.public_key).verify(vote.signature, expected)
    assert vote.voter == identity.node_id


@given(votes)
def test_codec_round_trip_and_still_verifies(vote: Vote) -> None:
    decoded = decode_vote(encode_vote(vote))
    assert decoded == vote
    verify_vote(decoded, _key_of(vote), request_id=vote.request_id, round=vote.round)


@given(votes, votes)
def test_different_votes_sign_different_bytes(one: Vote, other: Vote) -> None:
    assert (one.signing_bytes() == other.signing_bytes()) == (
        msgspec.structs.replace(one, signature=b"") == msgspec.structs.replace(other, signature=b"")
    )


@given(
    votes,
    st.sampled_from(["request_id", "round", "decision", "reason", "voted_at"]),
    st.data(),
)
def test_any_changed_field_breaks_the_signature(vote: Vote, name: str, data: st.DataObject) -> None:
    changed = {
        "request_id": st.binary(min_size=32, max_size=32),
        "round": st.integers(1, MAX_ROUND),
        "decision": decisions,
        "reason": reasons,
        "voted_at": st.integers(0, 2**63 - 1),
    }[name]
    value = data.draw(changed.filter(lambda v: v != getattr(vote, name)))
    forged = msgspec.structs.replace(vote, **{name: value})
    with pytest.raises(VoteError, match="bad signature"):
        verify_vote(forged, _key_of(vote))


def test_vote_under_another_nodes_key_is_refused() -> None:
    vote = sign_vote(identities()[0], REQUEST, Decision.APPROVE)
    with pytest.raises(VoteError, match="does not match key"):
        verify_vote(vote, identities()[1].public_key)


def test_vote_claiming_another_voter_is_refused() -> None:
    """Relabelled as node 1's vote: node 1's key does not sign it."""
    vote = sign_vote(identities()[0], REQUEST, Decision.APPROVE)
    forged = msgspec.structs.replace(vote, voter=identities()[1].node_id)
    with pytest.raises(VoteError, match="bad signature"):
        verify_vote(forged, identities()[1].public_key)


def test_vote_for_another_request_or_round_is_refused() -> None:
    vote = sign_vote(identities()[0], REQUEST, Decision.APPROVE, round=2)
    key = identities()[0].public_key
    verify_vote(vote, key, request_id=REQUEST, round=2)
    with pytest.raises(VoteError, match="for request"):
        verify_vote(vote, key, request_id=b"\x12" * 32)
    with pytest.raises(VoteError, match="for round 2, not 1"):
        verify_vote(vote, key, round=1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"request_id": b"\x11" * 31}, "request_id"),
        ({"round": 0}, "round"),
        ({"round": MAX_ROUND + 1}, "round"),
        ({"reason": "x" * (MAX_REASON_LENGTH + 1)}, "reason"),
        ({"voted_at": -1}, "voted_at"),
    ],
)
def test_signing_refuses_malformed_fields(changes: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"request_id": REQUEST, "round": 1, "reason": "", "voted_at": 0}
    arguments.update(changes)
    with pytest.raises(VoteError, match=field):
        sign_vote(identities()[0], decision=Decision.APPROVE, **arguments)


def _raw(vote: Vote) -> dict[str, Any]:
    raw: dict[str, Any] = msgspec.msgpack.decode(encode_vote(vote))
    return raw


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw: raw.update(extra=1), "extra"),
        (lambda raw: raw.update(decision="maybe"), "decision"),
        (lambda raw: raw.update(voter=b"\x00" * 31), "voter"),
        (lambda raw: raw.update(signature=b"\x00" * 65), "signature"),
        (lambda raw: raw.update(round=True), "round"),
        (lambda raw: raw.update(type="withdrawal-request"), "type"),
        (lambda raw: raw.pop("reason"), "reason"),
    ],
)
def test_decoder_refuses_deviations(
    mutate: Callable[[dict[str, Any]], object], message: str
) -> None:
    raw = _raw(sign_vote(identities()[0], REQUEST, Decision.APPROVE))
    mutate(raw)
    with pytest.raises(FormatError, match=message):
        decode_vote(msgspec.msgpack.encode(raw))


@given(votes, st.binary(min_size=1, max_size=8))
def test_decoder_refuses_trailing_bytes(vote: Vote, tail: bytes) -> None:
    with pytest.raises(FormatError, match="trailing"):
        decode_vote(encode_vote(vote) + tail)


@given(st.binary(max_size=300))
def test_decoder_raises_only_format_error_on_garbage(data: bytes) -> None:
    with contextlib.suppress(FormatError):
        decode_vote(data)


def test_decoder_refuses_oversized_input() -> None:
    with pytest.raises(FormatError, match="exceeds the limit"):
        decode_vote(b"\x00" * 4096)


def _key_of(vote: Vote) -> bytes:
    return next(i.public_key for i in identities() if i.node_id == vote.voter)
