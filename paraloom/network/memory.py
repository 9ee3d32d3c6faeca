"""An in-process transport for localnets and tests.

Every endpoint attached to one :class:`MemoryNetwork` reaches every other directly. Gossip
still floods with the de-duplication and hop limit of :mod:`paraloom.network.gossip`, so that
it behaves exactly as over a real network. Messages are copied as bytes and size-checked
exactly as on the wire, so code that works over this transport does not rely on sharing
objects. All endpoints of a network must run on one asyncio event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import ClassVar

from paraloom.components import MessageHandler
from paraloom.errors import TransportError
from paraloom.network.gossip import DEFAULT_TTL, GossipRouter, broadcast
from paraloom.network.wire import DropReason, Gossip, TrafficCounters, check_payload_size


class MemoryNetwork:
    """A switchboard that connects the endpoints attached to it."""

    _named: ClassVar[dict[str, MemoryNetwork]] = {}

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.endpoints: dict[str, MemoryTransport] = {}

    @classmethod
    def named(cls, name: str) -> MemoryNetwork:
        """The process-wide network of that name, created on first use."""
        return cls._named.setdefault(name, cls(name))

    def detach(self, node_id: str) -> None:
        """Remove an endpoint; a named network that becomes empty is forgotten."""
        self.endpoints.pop(node_id, None)
        if not self.endpoints and self._named.get(self.name) is self:
            del self._named[self.name]


class MemoryTransport:
    """One node's endpoint on a :class:`MemoryNetwork`."""

    def __init__(
        self, network: MemoryNetwork, max_frame_size: int, gossip_ttl: int = DEFAULT_TTL
    ) -> None:
        self.network = network
        self.max_frame_size = max_frame_size
        self.gossip_ttl = gossip_ttl
        self.node_id: str | None = None
        self.handler: MessageHandler | None = None
        self.counters = TrafficCounters()
        self._router: GossipRouter | None = None

    @property
    def dropped_gossip(self) -> int:
        """Gossip this node received but did not deliver: too large, or its handler failed."""
        dropped = self.counters.dropped
        return dropped[DropReason.OVERSIZED] + dropped[DropReason.HANDLER_FAILED]

    async def start(self, node_id: str, handler: MessageHandler) -> None:
        if self.node_id is not None:
            raise TransportError(f"transport already started as {self.node_id}")
        if node_id in self.network.endpoints:
            raise TransportError(f"node id {node_id} is already attached to this network")
        self.node_id, self.handler = node_id, handler
        self._router = GossipRouter(node_id, self.gossip_ttl, self.counters)
        self.network = MemoryNetwork.named(self.network.name) if self.network.name else self.network
        self.network.endpoints[node_id] = self

    async def close(self) -> None:
        if self.node_id is not None and self.network.endpoints.get(self.node_id) is self:
            self.network.detach(self.node_id)
        self.node_id, self.handler, self._router = None, None, None

    def peers(self) -> Sequence[str]:
        return sorted(peer for peer in self.network.endpoints if peer != self.node_id)

    async def request(self, peer: str, payload: bytes, timeout: float) -> bytes:
        sender = self._require_started()
        self._check_size(payload, "request")
        target = self._endpoint(peer)
        try:
            # asyncio.timeout, not wait_for: on Python 3.11, wait_for drops a cancellation that
            # arrives as the reply does, and the cancelled caller then runs on for ever
            async with asyncio.timeout(timeout):
                reply = await target.on_request(sender, bytes(payload))
        except TimeoutError as error:
            raise TransportError(f"peer {peer} did not reply within {timeout}s") from error
        self._check_size(reply, "reply")
        return bytes(reply)

    async def gossip(self, topic: str, payload: bytes) -> None:
        self._require_started()
        self._check_size(payload, "gossip message")
        await broadcast(self._require_router().originate(topic, payload), self.peers(), self._send)

    async def on_request(self, sender: str, payload: bytes) -> bytes:
        """Deliver a request; the receiver applies its own frame limit as well as the sender."""
        handler = self._require_handler()
        self._check_size(payload, f"request to {self.node_id}")
        try:
            return await handler.on_request(sender, payload)
        except Exception as error:
            raise TransportError(
                f"peer {self.node_id} failed to handle the request: {error}"
            ) from error

    async def on_gossip(self, sender: str, message: Gossip) -> None:
        """Receive gossip; a failing handler costs its own node the message, nobody else."""
        handler, router = self._require_handler(), self._require_router()
        if len(message.payload) > self.max_frame_size:
            self.counters.drop(DropReason.OVERSIZED)
            return
        await router.receive(message, sender, self.peers(), self._send, handler)

    async def _send(self, peer: str, message: Gossip) -> None:
        target = self.network.endpoints.get(peer)
        if target is not None and self.node_id is not None:
            await target.on_gossip(self.node_id, message)

    def _endpoint(self, peer: str) -> MemoryTransport:
        target = self.network.endpoints.get(peer)
        if target is None:
            raise TransportError(f"unknown peer {peer}")
        return target

    def _require_started(self) -> str:
        if self.node_id is None:
            raise TransportError("transport is not started")
        return self.node_id

    def _require_handler(self) -> MessageHandler:
        if self.handler is None:
            raise TransportError("transport is not started")
        return self.handler

    def _require_router(self) -> GossipRouter:
        if self._router is None:
            raise TransportError("transport is not started")
        return self._router

    def _check_size(self, payload: bytes, what: str) -> None:
        check_payload_size(payload, self.max_frame_size, what)
