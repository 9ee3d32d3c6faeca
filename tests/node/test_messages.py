"""Signed coordination messages: strict round trips, and every way a message is refused."""

from __future__ import annotations

import hashlib

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import CoordinationError, FormatError, SignatureError
from paraloom.node.messages import (
    DOMAIN,
    MAX_MESSAGE_SIZE,
    Heartbeat,
    Membership,
    Message,
    Position,
    Signed,
    SnapshotAck,
    SnapshotPush,
    VoteReply,
    VoteRequest,
    open_message,
    seal,
    signing_form,
)

from .simulator import IDENTITIES

MEMBERS = Membership.of(identity.public_key for identity in IDENTITIES[:3])
ALICE, BOB, CAROL = IDENTITIES[:3]
OUTSIDER = IDENTITIES[4]
RECEIVER = CAROL.node_id_hex

counters = st.integers(min_value=0, max_value=2**63 - 1)
positions = st.builds(Position, counters, counters)
senders = st.sampled_from([ALICE, BOB])


@st.composite
def messages(draw: st.DrawFn, sender: NodeIdentity | None = None) -> Message:
    me = (sender or draw(senders)).node_id_hex
    kind = draw(st.sampled_from(["beat", "request", "reply", "push", "ack"]))
    term, position = draw(counters), draw(positions)
    if kind == "beat":
        return Heartbeat(term, me, draw(counters), position)
    if kind == "request":
        return VoteRequest(term, me, position)
    if kind == "reply":
        return VoteReply(term, me, RECEIVER, draw(st.booleans()))
    if kind == "push":
        state = draw(st.binary(max_size=64))
        return SnapshotPush(term, me, position, hashlib.sha256(state).digest(), state)
    return SnapshotAck(term, me, position)


def identity_of(message: Message) -> NodeIdentity:
    return ALICE if message.sender == ALICE.node_id_hex else BOB


def resigned(signed: Signed, by: NodeIdentity) -> bytes:
    """``signed`` with ``by``'s signature over its (possibly altered) message."""
    return msgspec.msgpack.encode(Signed(signed.message, by.sign(signing_form(signed.message))))


@given(messages())
def test_a_sealed_message_opens_to_itself(message: Message) -> None:
    assert open_message(seal(identity_of(message), message), MEMBERS, RECEIVER) == message


@given(messages())
def test_the_signed_bytes_are_the_domain_and_a_hash_of_a_map(message: Message) -> None:
    """The layout the module docstring's argument against cross-protocol reuse rests on."""
    body = msgspec.msgpack.encode(message)
    assert body[0] >= 0x80
    assert len(DOMAIN) > 32
    assert DOMAIN[32] < 0x80
    form = signing_form(message)
    assert form == DOMAIN + hashlib.sha256(DOMAIN + body).digest()


@given(messages(), st.data())
def test_no_byte_flip_yields_another_accepted_message(
    message: Message, data: st.DataObject
) -> None:
    sealed = bytearray(seal(identity_of(message), message))
    index = data.draw(st.integers(0, len(sealed) - 1))
    sealed[index] ^= data.draw(st.integers(1, 255))
    try:
        opened = open_message(bytes(sealed), MEMBERS, RECEIVER)
    except (FormatError, SignatureError, CoordinationError):
        return
    assert opened == message


@given(messages(sender=ALICE))
def test_a_message_signed_by_another_member_is_refused(message: Message) -> None:
    signed = msgspec.msgpack.decode(seal(ALICE, message), type=Signed)
    with pytest.raises(SignatureError):
        open_message(resigned(signed, BOB), MEMBERS, RECEIVER)


@given(messages(sender=ALICE), counters)
def test_a_changed_field_breaks_the_signature(message: Message, term: int) -> None:
    signed = msgspec.msgpack.decode(seal(ALICE, message), type=Signed)
    altered = msgspec.structs.replace(message, term=term)
    forged = msgspec.msgpack.encode(Signed(altered, signed.signature))
    if altered == message:
        assert open_message(forged, MEMBERS, RECEIVER) == message
    else:
        with pytest.raises(SignatureError):
            open_message(forged, MEMBERS, RECEIVER)


def test_a_signature_without_the_domain_is_refused() -> None:
    message = Heartbeat(3, ALICE.node_id_hex, 1, Position(3, 1))
    body = msgspec.msgpack.encode(message)
    for unbound in (body, hashlib.sha256(body).digest(), hashlib.sha256(DOMAIN + body).digest()):
        data = msgspec.msgpack.encode(Signed(message, ALICE.sign(unbound)))
        with pytest.raises(SignatureError):
            open_message(data, MEMBERS, RECEIVER)


def test_unsigned_messages_are_refused() -> None:
    message = SnapshotAck(1, ALICE.node_id_hex, Position(1, 1))
    for signature in (b"", bytes(64), bytes(63), bytes(65)):
        data = msgspec.msgpack.encode({"message": message, "signature": signature})
        with pytest.raises((FormatError, SignatureError)):
            open_message(data, MEMBERS, RECEIVER)
    with pytest.raises(FormatError, match="signature"):
        open_message(msgspec.msgpack.encode({"message": message}), MEMBERS, RECEIVER)
    with pytest.raises(FormatError):
        open_message(msgspec.msgpack.encode(message), MEMBERS, RECEIVER)


def test_senders_outside_the_set_and_the_receivers_own_name_are_refused() -> None:
    foreign = Heartbeat(9, OUTSIDER.node_id_hex, 1, Position(9, 1))
    with pytest.raises(CoordinationError, match="not in the coordinator set"):
        open_message(seal(OUTSIDER, foreign), MEMBERS, RECEIVER)
    own = Heartbeat(9, RECEIVER, 1, Position(9, 1))
    with pytest.raises(CoordinationError, match="own name"):
        open_message(seal(CAROL, own), MEMBERS, RECEIVER)
    with pytest.raises(CoordinationError, match="cannot sign"):
        seal(ALICE, Heartbeat(1, BOB.node_id_hex, 1, Position(1, 1)))


def sealed_as_map(fields: dict[str, object]) -> bytes:
    message = {"type": "heartbeat", "term": 1, "sender": ALICE.node_id_hex, "sequence": 1}
    message |= {"snapshot": {"term": 1, "version": 1}} | fields
    return msgspec.msgpack.encode({"message": message, "signature": bytes(64)})


@pytest.mark.parametrize(
    ("fields", "what"),
    [
        ({"extra": 1}, "unknown field"),
        ({"term": -1}, ">= 0"),
        ({"term": 2**63}, "<= 9223372036854775807"),
        ({"term": "1"}, "Expected `int`"),
        ({"sender": "AB" * 32}, "matching regex"),
        ({"sender": "ab" * 31}, "sender"),
        ({"type": "election"}, "Invalid value 'election'"),
        ({"snapshot": {"term": 1, "version": 1, "hash": b""}}, "unknown field"),
        ({"snapshot": [1, 1]}, "Expected `object`"),
    ],
)
def test_strict_decoding_names_what_is_wrong(fields: dict[str, object], what: str) -> None:
    with pytest.raises(FormatError, match=what):
        open_message(sealed_as_map(fields), MEMBERS, RECEIVER)


def test_trailing_bytes_and_oversized_messages_are_refused() -> None:
    good = seal(ALICE, SnapshotAck(1, ALICE.node_id_hex, Position(1, 1)))
    assert open_message(good, MEMBERS, RECEIVER).term == 1
    with pytest.raises(FormatError):
        open_message(good + b"\x00", MEMBERS, RECEIVER)
    with pytest.raises(FormatError, match="exceeds the limit"):
        open_message(good + bytes(MAX_MESSAGE_SIZE), MEMBERS, RECEIVER)
    with pytest.raises(FormatError):
        open_message(good[:-1], MEMBERS, RECEIVER)


def test_the_coordinator_set_refuses_emptiness_and_names_unknown_members() -> None:
    with pytest.raises(CoordinationError, match="empty"):
        Membership.of([])
    assert MEMBERS.majority == 2
    assert Membership.of([ALICE.public_key] * 2).majority == 1
    assert MEMBERS.others(ALICE.node_id_hex) == tuple(sorted([BOB.node_id_hex, CAROL.node_id_hex]))
    with pytest.raises(CoordinationError, match=OUTSIDER.node_id_hex):
        MEMBERS.key(OUTSIDER.node_id_hex)


@given(positions, positions)
def test_positions_order_as_term_then_version(one: Position, other: Position) -> None:
    as_pair = (one.term, one.version), (other.term, other.version)
    assert (one < other) == (as_pair[0] < as_pair[1])
    assert (one == other) == (as_pair[0] == as_pair[1])
