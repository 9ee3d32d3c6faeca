"""Typed wire messages: the envelope every frame carries, and a codec for declaring more.

Every message is a msgspec Struct encoded as MessagePack and decoded strictly: unknown fields,
wrong types, values out of their declared bounds, trailing bytes and anything above the size
limit are refused with FormatError, so a decoded message is one the receiver may act on. The
node declares its own messages (votes, heartbeats, jobs) by subclassing :class:`WireMessage`
and decoding them with a :class:`WireCodec`; the transport only knows the envelope.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

import msgspec

from paraloom.errors import FormatError, TransportError
from paraloom.units import format_size

MessageT = TypeVar("MessageT")

MAX_NAME_LENGTH = 128
"""Longest node id or gossip topic, in characters."""

MAX_ERROR_LENGTH = 1024
"""Longest error text a Response carries; longer texts are cut, never refused."""

ENVELOPE_OVERHEAD = 8 * 1024
"""Bytes an envelope may add to its payload; frames are capped at payload limit + this."""

NONCE_SIZE = 16

Name = Annotated[str, msgspec.Meta(max_length=MAX_NAME_LENGTH)]
RequestId = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]


class WireMessage(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type"):
    """Base of typed wire messages: immutable, strict, tagged by ``type`` (the class name
    unless the subclass passes ``tag=...``), so a union of messages decodes to the right one.

    Subclasses repeat ``frozen=True`` in their class arguments; msgspec inherits it anyway,
    but type checkers only see what is written.
    """


class WireCodec(Generic[MessageT]):
    """Encodes and strictly decodes one message type (or a union of them) under a size limit."""

    def __init__(self, message_type: Any, max_size: int) -> None:
        self.max_size = max_size
        self._encoder = msgspec.msgpack.Encoder()
        self._decoder: msgspec.msgpack.Decoder[MessageT] = msgspec.msgpack.Decoder(message_type)

    def encode(self, message: MessageT) -> bytes:
        data = self._encoder.encode(message)
        self._check_size(len(data))
        return data

    def decode(self, data: bytes) -> MessageT:
        self._check_size(len(data))
        try:
            return self._decoder.decode(data)
        except msgspec.DecodeError as error:
            raise FormatError(f"malformed wire message: {error}") from None
        except UnicodeDecodeError:
            # msgspec 0.22 raises it, not a DecodeError, for a string that is not UTF-8
            raise FormatError("malformed wire message: a string is not UTF-8") from None

    def _check_size(self, size: int) -> None:
        if size > self.max_size:
            raise FormatError(
                f"a wire message of {size} bytes exceeds the limit of {format_size(self.max_size)}"
            )


# -- the envelope -------------------------------------------------------------------------


class Request(WireMessage, tag="request", frozen=True):
    """A request to the peer at the other end of the connection; ``id`` pairs the reply."""

    id: RequestId
    payload: bytes


class Response(WireMessage, tag="response", frozen=True):
    """The reply to request ``id``: its payload, or the error the peer's handler raised."""

    id: RequestId
    payload: bytes = b""
    error: Annotated[str, msgspec.Meta(max_length=MAX_ERROR_LENGTH)] | None = None


class Gossip(WireMessage, tag="gossip", frozen=True):
    """A flooded message; ``nonce`` makes its id unique, ``ttl`` counts the hops it has left."""

    nonce: Annotated[bytes, msgspec.Meta(min_length=NONCE_SIZE, max_length=NONCE_SIZE)]
    origin: Name
    topic: Name
    ttl: Annotated[int, msgspec.Meta(ge=1, le=64)]
    payload: bytes


Frame = Request | Response | Gossip


def frame_codec(max_payload_size: int) -> WireCodec[Frame]:
    """The codec of envelopes whose payloads may reach ``max_payload_size`` bytes."""
    return WireCodec(Frame, max_payload_size + ENVELOPE_OVERHEAD)


def check_payload_size(payload: bytes, max_size: int, what: str) -> None:
    """Refuse a payload above the frame size with a TransportError naming both sizes."""
    if len(payload) > max_size:
        raise TransportError(
            f"{what} of {len(payload)} bytes exceeds the maximum frame size "
            f"of {format_size(max_size)}"
        )


# -- counters -----------------------------------------------------------------------------


class DropReason(StrEnum):
    """Why inbound traffic was dropped; each reason is one counter."""

    GARBAGE = "garbage"  # a frame that does not decode as an envelope
    OVERSIZED = "oversized"  # a frame or payload above the size limit
    DUPLICATE = "duplicate_gossip"  # gossip seen before: a replay, or a second path
    UNAUTHENTICATED = "unauthenticated"  # a connection that did not prove its node id
    UNEXPECTED = "unexpected_response"  # a response nobody waits for (late, or forged id)
    HANDLER_FAILED = "handler_failed"  # the node's handler raised on gossip
    REFUSED = "refused_connection"  # an inbound connection above max_connections


class TrafficCounters:
    """Frames in and out and drops by reason, flat for /metrics."""

    def __init__(self) -> None:
        self.frames_in = 0
        self.frames_out = 0
        self.dropped: Counter[DropReason] = Counter()

    def drop(self, reason: DropReason) -> None:
        self.dropped[reason] += 1

    def as_dict(self) -> dict[str, int]:
        counts = {"frames_in": self.frames_in, "frames_out": self.frames_out}
        counts.update({f"dropped_{reason}": self.dropped[reason] for reason in DropReason})
        return counts
