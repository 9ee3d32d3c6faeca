"""Withdrawal requests (id, codec, canonical field elements) and a validator's judge()."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from paraloom.consensus.votes import MAX_REASON_LENGTH, Decision
from paraloom.consensus.withdrawal import (
    MAX_PROOF_SIZE,
    Judgement,
    WithdrawalRequest,
    decode_request,
    encode_request,
    judge,
)
from paraloom.errors import FormatError, InvalidPointError

from .support import sample_request

#: BN254's scalar field order, written out here rather than imported.
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617

field_elements = st.integers(0, R - 1).map(lambda x: x.to_bytes(32, "big"))
requests = st.builds(
    sample_request,
    proof=st.binary(min_size=1, max_size=MAX_PROOF_SIZE),
    root=field_elements,
    nullifier=field_elements,
    amount=st.integers(1, 2**63 - 1),
    recipient=st.binary(min_size=32, max_size=32),
    expiration_slot=st.integers(0, 2**63 - 1),
)


@given(requests)
def test_codec_round_trip(request: WithdrawalRequest) -> None:
    assert decode_request(encode_request(request)) == request


@given(requests)
def test_request_id_is_the_documented_hash(request: WithdrawalRequest) -> None:
    expected = hashlib.sha256(
        b"paraloom-withdrawal-request-v1"
        + request.root
        + request.nullifier
        + request.amount.to_bytes(8, "big")
        + request.recipient
        + request.expiration_slot.to_bytes(8, "big")
        + request.proof
    ).digest()
    assert request.request_id == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("proof", b"\x02" * 128),
        ("root", bytes(31) + b"\x08"),
        ("nullifier", bytes(31) + b"\x0a"),
        ("amount", 1_500_000_001),
        ("recipient", b"\x06" * 32),
        ("expiration_slot", 1_001),
    ],
)
def test_request_id_binds_every_field(name: str, value: object) -> None:
    assert sample_request(**{name: value}).request_id != sample_request().request_id


@pytest.mark.parametrize("name", ["root", "nullifier"])
@given(offset=st.integers(0, 2**256 - 1 - R))
def test_non_canonical_field_elements_are_refused(name: str, offset: int) -> None:
    """n and n + r are one field element: both spellings would let a note be spent twice."""
    value = (R + offset).to_bytes(32, "big")
    with pytest.raises(FormatError, match=f"{name} .*not a canonical field element"):
        sample_request(**{name: value})
    raw: dict[str, Any] = msgspec.msgpack.decode(encode_request(sample_request()))
    raw[name] = value
    with pytest.raises(FormatError, match="not a canonical field element"):
        decode_request(msgspec.msgpack.encode(raw))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("proof", b""),
        ("proof", b"\x00" * (MAX_PROOF_SIZE + 1)),
        ("root", bytes(31)),
        ("nullifier", bytes(33)),
        ("amount", 0),
        ("amount", 2**63),
        ("recipient", bytes(31)),
        ("expiration_slot", -1),
        ("amount", True),
    ],
)
def test_malformed_fields_are_refused(name: str, value: object) -> None:
    with pytest.raises(FormatError, match=name):
        sample_request(**{name: value})
    raw: dict[str, Any] = msgspec.msgpack.decode(encode_request(sample_request()))
    raw[name] = value
    with pytest.raises(FormatError, match=name):
        decode_request(msgspec.msgpack.encode(raw))


def test_decoder_refuses_unknown_fields_and_trailing_bytes() -> None:
    data = encode_request(sample_request())
    with pytest.raises(FormatError, match="trailing"):
        decode_request(data + b"\x00")
    raw: dict[str, Any] = msgspec.msgpack.decode(data)
    raw["fee"] = 1
    with pytest.raises(FormatError, match="fee"):
        decode_request(msgspec.msgpack.encode(raw))


# -- judge ---------------------------------------------------------------------------------


def _judge(
    request: WithdrawalRequest | None = None,
    *,
    proof: Callable[[WithdrawalRequest], bool] = lambda _: True,
    spent: bool = False,
    known: bool = True,
    slot: int = 10,
) -> Judgement:
    return judge(
        request or sample_request(),
        verify_proof=proof,
        nullifier_spent=lambda _: spent,
        root_known=lambda _: known,
        current_slot=slot,
    )


def test_a_valid_request_is_approved() -> None:
    assert _judge() == Judgement(Decision.APPROVE, "valid")


def test_the_checks_receive_the_requests_values() -> None:
    request = sample_request()
    seen: list[object] = []

    def record(value: object, answer: bool) -> bool:
        seen.append(value)
        return answer

    judge(
        request,
        verify_proof=lambda r: record(r, True),
        nullifier_spent=lambda n: record(n, False),
        root_known=lambda root: record(root, True),
        current_slot=0,
    )
    assert seen == [request.root, request.nullifier, request]


def test_a_spent_nullifier_is_rejected() -> None:
    judgement = _judge(spent=True)
    assert judgement.decision is Decision.REJECT
    assert "nullifier" in judgement.reason


def test_an_unknown_root_abstains() -> None:
    judgement = _judge(known=False)
    assert judgement.decision is Decision.ABSTAIN
    assert "merkle root" in judgement.reason


def test_an_invalid_proof_is_rejected() -> None:
    judgement = _judge(proof=lambda _: False)
    assert judgement == Judgement(Decision.REJECT, "proof does not verify")


def test_an_unreadable_proof_is_rejected_with_the_error_as_reason() -> None:
    def refuse(_: WithdrawalRequest) -> bool:
        raise InvalidPointError("proof point A is not on the curve " + "x" * 400)

    judgement = _judge(proof=refuse)
    assert judgement.decision is Decision.REJECT
    assert judgement.reason.startswith("proof refused: proof point A is not on the curve")
    assert len(judgement.reason) <= MAX_REASON_LENGTH


def test_a_bug_in_a_check_is_not_mistaken_for_a_rejection() -> None:
    def broken(_: WithdrawalRequest) -> bool:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        _judge(proof=broken)


@given(st.integers(0, 2000))
@example(1000)
@example(1001)
def test_expiry_is_checked_against_the_current_slot(slot: int) -> None:
    """Live up to and including the expiration slot (1000), rejected after."""
    judgement = _judge(slot=slot)
    if slot > 1000:
        assert judgement.decision is Decision.REJECT
        assert "expired" in judgement.reason
    else:
        assert judgement.decision is Decision.APPROVE


@given(
    expired=st.booleans(),
    known=st.booleans(),
    spent=st.booleans(),
    valid=st.booleans(),
)
def test_approval_needs_every_rule(expired: bool, known: bool, spent: bool, valid: bool) -> None:
    judgement = _judge(proof=lambda _: valid, spent=spent, known=known, slot=2000 if expired else 0)
    approved = not expired and known and not spent and valid
    assert (judgement.decision is Decision.APPROVE) == approved
    if expired or (known and (spent or not valid)):
        assert judgement.decision is Decision.REJECT
