"""Wire messages: round trips, strict decoding, size limits, counters."""

from __future__ import annotations

import contextlib

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import FormatError, TransportError
from paraloom.network.wire import (
    ENVELOPE_OVERHEAD,
    DropReason,
    Frame,
    Gossip,
    Request,
    Response,
    TrafficCounters,
    WireCodec,
    WireMessage,
    check_payload_size,
    frame_codec,
)

CODEC = frame_codec(4096)
names = st.text(max_size=128)
requests = st.builds(Request, st.integers(0, 2**63 - 1), st.binary(max_size=4096))
responses = st.builds(
    Response,
    st.integers(0, 2**63 - 1),
    st.binary(max_size=4096),
    st.none() | st.text(max_size=1024),
)
gossips = st.builds(
    Gossip,
    st.binary(min_size=16, max_size=16),
    names,
    names,
    st.integers(1, 64),
    st.binary(max_size=4096),
)
frames = st.one_of(requests, responses, gossips)


@given(frames)
def test_every_envelope_round_trips_within_the_frame_cap(frame: Frame) -> None:
    data = CODEC.encode(frame)
    assert len(data) <= CODEC.max_size
    assert CODEC.decode(data) == frame


@given(st.binary(max_size=200))
def test_arbitrary_bytes_decode_or_fail_with_a_format_error_only(data: bytes) -> None:
    with contextlib.suppress(FormatError):
        CODEC.decode(data)


@given(frames, st.binary(min_size=1, max_size=8))
def test_trailing_bytes_are_refused(frame: Frame, extra: bytes) -> None:
    with pytest.raises(FormatError, match="malformed"):
        CODEC.decode(CODEC.encode(frame) + extra)


def raw(**fields: object) -> bytes:
    return msgspec.msgpack.encode(fields)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (raw(type="request", id=1, payload=b"x", extra=1), "unknown field"),
        (raw(type="request", id=-1, payload=b"x"), "id"),
        (raw(type="request", id=1, payload="text"), "payload"),
        (raw(type="request", payload=b"x"), "id"),
        (raw(type="vote", id=1), "type"),
        (raw(type="gossip", nonce=b"short", origin="a", topic="t", ttl=1, payload=b""), "nonce"),
        (raw(type="gossip", nonce=b"n" * 16, origin="a", topic="t", ttl=0, payload=b""), "ttl"),
        (raw(type="gossip", nonce=b"n" * 16, origin="a", topic="t", ttl=65, payload=b""), "ttl"),
        (
            raw(type="gossip", nonce=b"n" * 16, origin="a" * 129, topic="t", ttl=1, payload=b""),
            "origin",
        ),
        (raw(type="response", id=1, error="e" * 1025), "error"),
        (msgspec.msgpack.encode([1, 2]), "object"),
    ],
)
def test_malformed_envelopes_are_refused_naming_the_problem(data: bytes, reason: str) -> None:
    with pytest.raises(FormatError, match=reason):
        CODEC.decode(data)


def test_decoding_refuses_more_than_the_limit_before_parsing() -> None:
    data = CODEC.encode(Request(1, b"x" * 4096)) + b"\x00" * ENVELOPE_OVERHEAD
    with pytest.raises(FormatError, match=f"{len(data)} bytes exceeds"):
        CODEC.decode(data)


class Vote(WireMessage, tag="vote", frozen=True):
    request: bytes
    approve: bool


class Heartbeat(WireMessage, frozen=True):
    term: int


def test_a_declared_message_type_round_trips_and_is_told_apart() -> None:
    codec: WireCodec[Vote | Heartbeat] = WireCodec(Vote | Heartbeat, 256)
    vote, beat = Vote(b"r" * 32, True), Heartbeat(7)
    assert codec.decode(codec.encode(vote)) == vote
    assert codec.decode(codec.encode(beat)) == beat
    with pytest.raises(FormatError, match="256B"):
        codec.encode(Vote(b"r" * 300, True))
    with pytest.raises(FormatError, match="approve"):
        codec.decode(raw(type="vote", request=b"r", approve="yes"))


def test_messages_are_immutable() -> None:
    with pytest.raises(AttributeError):
        Request(1, b"x").id = 2  # type: ignore[misc]


def test_payload_size_check_names_what_and_both_sizes() -> None:
    check_payload_size(b"x" * 1024, 1024, "request")
    with pytest.raises(TransportError, match=r"gossip message of 1025 bytes .* 1KiB"):
        check_payload_size(b"x" * 1025, 1024, "gossip message")


def test_counters_flatten_every_reason_even_at_zero() -> None:
    counters = TrafficCounters()
    counters.frames_in += 3
    counters.drop(DropReason.GARBAGE)
    flat = counters.as_dict()
    assert flat["frames_in"] == 3
    assert flat["dropped_garbage"] == 1
    assert flat["dropped_unauthenticated"] == 0


class Note(WireMessage, frozen=True):
    text: str


def test_a_string_that_is_not_utf8_is_a_format_error() -> None:
    """msgspec raises UnicodeDecodeError rather than DecodeError for these bytes."""
    with pytest.raises(FormatError, match="UTF-8"):
        WireCodec(Note, 64).decode(b"\x81\xa4text\xa1\x80")
