"""Equivocation evidence: what it proves, what it refuses, its canonical encoding."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.consensus.evidence import (
    EquivocationEvidence,
    decode_evidence,
    encode_evidence,
    equivocation_evidence,
    verify_evidence,
)
from paraloom.consensus.votes import Decision, Vote, sign_vote
from paraloom.errors import EvidenceError, FormatError

from .support import identities

REQUEST = b"\x21" * 32
conflicting = st.lists(st.sampled_from(list(Decision)), min_size=2, max_size=2, unique=True)


def _vote(decision: Decision, index: int = 0, **changes: Any) -> Vote:
    fields: dict[str, Any] = {"round": 1, "reason": "", "voted_at": 0}
    fields.update(changes)
    request = fields.pop("request_id", REQUEST)
    return sign_vote(identities()[index], request, decision, **fields)


@given(conflicting, st.text(max_size=20), st.text(max_size=20), st.integers(1, 9))
def test_conflicting_votes_make_evidence_that_verifies_and_round_trips(
    decisions: list[Decision], reason_a: str, reason_b: str, round_: int
) -> None:
    one = _vote(decisions[0], reason=reason_a, round=round_)
    other = _vote(decisions[1], reason=reason_b, round=round_)
    evidence = equivocation_evidence(identities()[0].public_key, one, other)
    verify_evidence(evidence)
    decoded = decode_evidence(encode_evidence(evidence))
    assert decoded == evidence
    verify_evidence(decoded)


@given(conflicting)
def test_evidence_is_the_same_whichever_vote_came_first(decisions: list[Decision]) -> None:
    one, other = _vote(decisions[0]), _vote(decisions[1])
    key = identities()[0].public_key
    assert encode_evidence(equivocation_evidence(key, one, other)) == encode_evidence(
        equivocation_evidence(key, other, one)
    )


def test_same_decision_is_no_conflict() -> None:
    one = _vote(Decision.APPROVE, reason="a")
    other = _vote(Decision.APPROVE, reason="b", voted_at=5)
    with pytest.raises(EvidenceError, match="no conflict"):
        equivocation_evidence(identities()[0].public_key, one, other)


def test_votes_by_two_validators_are_refused() -> None:
    with pytest.raises(EvidenceError, match="does not match key"):
        equivocation_evidence(
            identities()[0].public_key, _vote(Decision.APPROVE), _vote(Decision.REJECT, 1)
        )


@pytest.mark.parametrize(
    ("changes", "message"), [({"request_id": b"\x22" * 32}, "for request"), ({"round": 2}, "round")]
)
def test_votes_on_different_requests_or_rounds_are_refused(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(EvidenceError, match=message):
        equivocation_evidence(
            identities()[0].public_key, _vote(Decision.APPROVE), _vote(Decision.REJECT, **changes)
        )


@pytest.mark.parametrize("which", ["first", "second"])
def test_a_forged_vote_in_evidence_is_refused(which: str) -> None:
    """Evidence made up against an honest validator: one vote's signature is not its own."""
    evidence = equivocation_evidence(
        identities()[0].public_key, _vote(Decision.APPROVE), _vote(Decision.REJECT)
    )
    vote = getattr(evidence, which)
    forged = msgspec.structs.replace(vote, signature=bytes(64))
    with pytest.raises(EvidenceError, match="bad signature"):
        verify_evidence(msgspec.structs.replace(evidence, **{which: forged}))


def test_evidence_under_another_key_is_refused() -> None:
    evidence = equivocation_evidence(
        identities()[0].public_key, _vote(Decision.APPROVE), _vote(Decision.REJECT)
    )
    with pytest.raises(EvidenceError, match="does not match key"):
        verify_evidence(msgspec.structs.replace(evidence, public_key=identities()[1].public_key))


def test_decoder_is_strict() -> None:
    evidence = equivocation_evidence(
        identities()[0].public_key, _vote(Decision.APPROVE), _vote(Decision.REJECT)
    )
    data = encode_evidence(evidence)
    with pytest.raises(FormatError, match="trailing"):
        decode_evidence(data + b"\x00")
    raw: dict[str, Any] = msgspec.msgpack.decode(data)
    raw["first"]["extra"] = 1
    with pytest.raises(FormatError, match="extra"):
        decode_evidence(msgspec.msgpack.encode(raw))
    raw = msgspec.msgpack.decode(data)
    raw["public_key"] = b"\x00" * 33
    with pytest.raises(FormatError, match="public_key"):
        decode_evidence(msgspec.msgpack.encode(raw))


def test_evidence_type_is_a_wire_message_of_its_own() -> None:
    evidence = equivocation_evidence(
        identities()[0].public_key, _vote(Decision.APPROVE), _vote(Decision.ABSTAIN)
    )
    raw: dict[str, Any] = msgspec.msgpack.decode(encode_evidence(evidence))
    assert raw["type"] == "equivocation-evidence"
    assert isinstance(decode_evidence(encode_evidence(evidence)), EquivocationEvidence)
