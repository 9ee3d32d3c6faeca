"""The node's own wire messages, and the table that routes inbound traffic by message type.

Protocol, version 1 (MessagePack :class:`~paraloom.network.wire.WireMessage` structs, strict):

- A validator joins the coordinator's pool with :class:`Register` (its Ed25519 public key, so
  the coordinator can check that the key hashes to the transport's authenticated peer id, and
  its signed X25519 announcement, which private jobs are sealed to) and stays in it with a
  :class:`ValidatorHeartbeat` every ``compute.heartbeat_interval``.
- The coordinator sends :class:`~paraloom.compute.messages.JobDispatch` to each cohort member;
  each member answers :class:`Accepted` at once and later sends its
  :class:`~paraloom.compute.messages.JobOutcome` as a request of its own.
- :class:`ApiCall` carries a client API request from a node that does not hold the
  coordinator role to the one that does; the answer is an :class:`ApiReply`.
- Every request is answered with a message: :class:`Accepted`, :class:`Refused` (with the
  reason, for a request the receiver understood but will not act on) or the reply the request
  names (an :class:`ApiReply`, or a signed withdrawal :class:`~paraloom.consensus.votes.Vote`).
  A payload that does not decode is counted and refused, never raised into the transport.

Other concerns (withdrawal votes, coordinator elections) plug in by registering their own
message types and gossip topics on the :class:`Dispatcher`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar, Union

import msgspec

from paraloom.compute.messages import JobLimits
from paraloom.consensus.votes import Vote
from paraloom.crypto.identity import ANNOUNCEMENT_SIZE, PUBLIC_KEY_SIZE
from paraloom.errors import FormatError, NodeApiError, ParaloomError
from paraloom.network.wire import MAX_ERROR_LENGTH, WireCodec, WireMessage

LOGGER = logging.getLogger("paraloom.node")

Load = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
MessageT = TypeVar("MessageT", bound=WireMessage)


class Register(WireMessage, frozen=True, tag="validator-register"):
    """A validator asks to join the pool with its keys, capacity and load."""

    public_key: Annotated[
        bytes, msgspec.Meta(min_length=PUBLIC_KEY_SIZE, max_length=PUBLIC_KEY_SIZE)
    ]
    encryption_key: Annotated[
        bytes, msgspec.Meta(min_length=ANNOUNCEMENT_SIZE, max_length=ANNOUNCEMENT_SIZE)
    ]
    capacity: JobLimits
    load: Load


class ValidatorHeartbeat(WireMessage, frozen=True, tag="validator-heartbeat"):
    """A registered validator is alive, with its current capacity and load."""

    capacity: JobLimits
    load: Load


class Accepted(WireMessage, frozen=True, tag="accepted"):
    """The request was taken."""


class Refused(WireMessage, frozen=True, tag="refused"):
    """The request was understood and declined; ``reason`` says why."""

    reason: Annotated[str, msgspec.Meta(max_length=MAX_ERROR_LENGTH)]


class ApiCall(WireMessage, frozen=True, tag="api-call"):
    """A client API request forwarded to the coordinator; ``body`` is its JSON."""

    method: Annotated[str, msgspec.Meta(max_length=8)]
    path: Annotated[str, msgspec.Meta(max_length=256)]
    body: bytes


class ApiReply(WireMessage, frozen=True, tag="api-reply"):
    """The coordinator's answer to an :class:`ApiCall`: HTTP status and JSON body."""

    status: Annotated[int, msgspec.Meta(ge=100, le=599)]
    body: bytes


Reply = Accepted | Refused | ApiReply | Vote
RequestHandler = Callable[[str, Any], Awaitable[Reply]]
GossipHandler = Callable[[str, bytes], Awaitable[None]]


class Dispatcher:
    """The node's :class:`~paraloom.components.MessageHandler`: routes each request to the
    handler registered for its message type and each gossip message to its topic's handler.

    A request no handler takes, or that does not decode, is answered with :class:`Refused`
    and counted in ``dropped``; a handler's ParaloomError is its refusal.
    """

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.dropped = 0
        self._requests: dict[type[WireMessage], RequestHandler] = {}
        self._topics: dict[str, GossipHandler] = {}
        self._codec: WireCodec[Any] | None = None
        self._replies: WireCodec[Reply] = WireCodec(Reply, max_size)
        self._encoder: WireCodec[WireMessage] = WireCodec(WireMessage, max_size)

    def on(self, message_type: type[WireMessage], handler: RequestHandler) -> None:
        """Route requests of ``message_type`` to ``handler(peer, message) -> reply``."""
        if message_type in self._requests:
            raise NodeApiError(f"a handler for {message_type.__name__} is already registered")
        self._requests[message_type] = handler
        self._codec = None

    def on_topic(self, topic: str, handler: GossipHandler) -> None:
        """Route gossip on ``topic`` to ``handler(peer, payload)``."""
        if topic in self._topics:
            raise NodeApiError(f"a handler for gossip topic {topic!r} is already registered")
        self._topics[topic] = handler

    def encode(self, message: WireMessage) -> bytes:
        """MessagePack of any message, refused (FormatError) above the size limit."""
        return self._encoder.encode(message)

    def decode_reply(self, data: bytes) -> Reply:
        return self._replies.decode(data)

    async def handle(self, peer: str, message: WireMessage) -> Reply:
        """Run the handler of ``message``'s type (also for messages this node sends itself)."""
        handler = self._requests.get(type(message))
        if handler is None:
            return Refused(f"this node takes no {type(message).__name__} requests")
        try:
            return await handler(peer, message)
        except ParaloomError as error:
            return Refused(str(error)[:MAX_ERROR_LENGTH])

    async def on_request(self, peer: str, payload: bytes) -> bytes:
        try:
            message = self._request_codec().decode(payload)
        except FormatError as error:
            self.dropped += 1
            LOGGER.info("dropped a request from %s: %s", peer, error)
            return self.encode(Refused(str(error)[:MAX_ERROR_LENGTH]))
        return self.encode(await self.handle(peer, message))

    async def on_gossip(self, peer: str, topic: str, payload: bytes) -> None:
        handler = self._topics.get(topic)
        if handler is None:
            self.dropped += 1
            return
        await handler(peer, payload)

    def _request_codec(self) -> WireCodec[Any]:
        """A codec of the union of every registered type, rebuilt when the table changes."""
        if self._codec is None:
            types = tuple(self._requests) or (Refused,)
            self._codec = WireCodec(Union[types], self.max_size)  # noqa: UP007 - built at run time
        return self._codec
