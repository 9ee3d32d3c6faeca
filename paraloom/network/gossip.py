"""Gossip by flooding, with de-duplication and a hop limit, shared by every transport.

A node hands each new message to its handler once and relays it, with one hop less, to every
peer but the one it came from and its origin; a message seen before (a replay, or the same
message arriving by a second path) is dropped and counted. The message id is a hash of the
whole message but its TTL, computed by each receiver, so a relay cannot attach a seen id to
other content. De-duplication is not authentication: the origin is whatever the relaying
peer wrote, and messages that matter (votes, heartbeats) carry their own signatures.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable

import msgspec

from paraloom.components import MessageHandler
from paraloom.network.wire import NONCE_SIZE, DropReason, Gossip, TrafficCounters

LOGGER = logging.getLogger("paraloom.network.gossip")

DEFAULT_TTL = 8
SendGossip = Callable[[str, Gossip], Awaitable[None]]
"""Sends a gossip message to one peer; it reports its own failures and never raises."""


def message_id(message: Gossip) -> bytes:
    """SHA-256 over the nonce, origin, topic and payload, each length-prefixed."""
    digest = hashlib.sha256(message.nonce)
    for part in (message.origin.encode(), message.topic.encode(), message.payload):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


class SeenMessages:
    """Ids seen within ``expiry`` seconds, at most ``capacity`` of them (oldest go first).

    Bounded so that a flood cannot exhaust memory; the price is that a replay older than the
    window, or pushed out by a flood, is delivered again.
    """

    def __init__(
        self,
        expiry: float = 600.0,
        capacity: int = 65536,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.expiry, self.capacity, self._clock = expiry, capacity, clock
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, identifier: bytes) -> bool:
        """Remember ``identifier``; False when it was already remembered."""
        now = self._clock()
        while self._seen and next(iter(self._seen.values())) <= now:
            self._seen.popitem(last=False)
        if identifier in self._seen:
            return False
        self._seen[identifier] = now + self.expiry
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True


class GossipRouter:
    """One node's gossip state: what it has seen, and how far its messages travel."""

    def __init__(
        self,
        node_id: str,
        ttl: int,
        counters: TrafficCounters,
        seen: SeenMessages | None = None,
    ) -> None:
        self.node_id, self.ttl, self.counters = node_id, ttl, counters
        self.seen = seen or SeenMessages()

    def originate(self, topic: str, payload: bytes) -> Gossip:
        """A new message from this node, already marked seen so echoes of it are dropped."""
        message = Gossip(os.urandom(NONCE_SIZE), self.node_id, topic, self.ttl, bytes(payload))
        self.seen.add(message_id(message))
        return message

    async def receive(
        self,
        message: Gossip,
        sender: str,
        peers: Iterable[str],
        send: SendGossip,
        handler: MessageHandler,
    ) -> None:
        """Relay and deliver a message once; a failing handler costs only this node."""
        if not self.seen.add(message_id(message)):
            self.counters.drop(DropReason.DUPLICATE)
            return
        if message.ttl > 1:
            relay = msgspec.structs.replace(message, ttl=message.ttl - 1)
            await broadcast(relay, peers, send, exclude=(sender, message.origin))
        try:
            await handler.on_gossip(message.origin, message.topic, message.payload)
        except Exception:
            self.counters.drop(DropReason.HANDLER_FAILED)
            LOGGER.exception(
                "node %s dropped gossip on %r from %s", self.node_id, message.topic, sender
            )


async def broadcast(
    message: Gossip, peers: Iterable[str], send: SendGossip, exclude: Iterable[str] = ()
) -> None:
    """Send ``message`` to every peer not excluded, concurrently."""
    skipped = set(exclude)
    await asyncio.gather(*(send(peer, message) for peer in peers if peer not in skipped))
