"""The in-process `memory` transport, built through the registry like any selected component."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paraloom.components import Transport
from paraloom.config import Selection
from paraloom.errors import ConfigError, TransportError
from paraloom.registry import Registry

_network_numbers = itertools.count()

RequestFunction = Callable[[str, bytes], Awaitable[bytes]]


def unique_network() -> str:
    return f"test-memory-{next(_network_numbers)}"


class Node:
    """A message handler that records what it receives."""

    def __init__(self, reply: RequestFunction | None = None, gossip_error: bool = False) -> None:
        self.requests: list[tuple[str, bytes]] = []
        self.gossip: list[tuple[str, str, bytes]] = []
        self.reply = reply
        self.gossip_error = gossip_error

    async def on_request(self, peer: str, payload: bytes) -> bytes:
        self.requests.append((peer, payload))
        if self.reply is not None:
            return await self.reply(peer, payload)
        return b"re:" + payload

    async def on_gossip(self, peer: str, topic: str, payload: bytes) -> None:
        if self.gossip_error:
            raise RuntimeError("handler broke")
        self.gossip.append((peer, topic, payload))


def build(registry: Registry, network: str, **options: Any) -> Any:
    return registry.build(Selection("transport", "memory", {"network": network, **options}), "test")


MakeNode = Callable[..., Awaitable[tuple[Any, Node]]]


@pytest.fixture
async def make_node(registry: Registry) -> AsyncIterator[MakeNode]:
    """Start transports on one fresh network; closed after the test."""
    network = unique_network()
    started: list[Any] = []

    async def make(node_id: str, handler: Node | None = None, **options: Any) -> tuple[Any, Node]:
        handler = handler or Node()
        transport = build(registry, network, **options)
        await transport.start(node_id, handler)
        started.append(transport)
        return transport, handler

    yield make
    for transport in started:
        await transport.close()


# -- delivery ---------------------------------------------------------------------------------


async def test_the_built_component_is_a_transport(registry: Registry) -> None:
    assert isinstance(build(registry, unique_network()), Transport)


async def test_a_request_reaches_the_peer_and_its_reply_comes_back(make_node: MakeNode) -> None:
    alice, _ = await make_node("alice")
    _, bob_handler = await make_node("bob")
    reply = await alice.request("bob", b"hello", timeout=1.0)
    assert reply == b"re:hello"
    assert bob_handler.requests == [("alice", b"hello")]


async def test_peers_lists_every_other_node(make_node: MakeNode) -> None:
    alice, _ = await make_node("alice")
    bob, _ = await make_node("bob")
    await make_node("carol")
    assert list(alice.peers()) == ["bob", "carol"]
    assert list(bob.peers()) == ["alice", "carol"]


async def test_gossip_reaches_every_other_node_once_and_not_the_sender(
    make_node: MakeNode,
) -> None:
    nodes = [await make_node(name) for name in ("alice", "bob", "carol", "dave")]
    alice, alice_handler = nodes[0]
    await alice.gossip("blocks", b"block-1")
    assert alice_handler.gossip == []
    for _, handler in nodes[1:]:
        assert handler.gossip == [("alice", "blocks", b"block-1")]


async def test_payloads_are_delivered_as_copies(make_node: MakeNode) -> None:
    alice, _ = await make_node("alice")
    _, bob_handler = await make_node("bob")
    payload = bytearray(b"mutable")
    await alice.request("bob", payload, timeout=1.0)  # type: ignore[arg-type]
    await alice.gossip("t", payload)  # type: ignore[arg-type]
    payload[:] = b"changed"
    [(_, received)] = bob_handler.requests
    [(_, _, gossiped)] = bob_handler.gossip
    assert (received, gossiped) == (b"mutable", b"mutable")
    assert type(received) is bytes
    assert type(gossiped) is bytes


async def test_networks_with_different_names_are_separate(registry: Registry) -> None:
    first, second = build(registry, unique_network()), build(registry, unique_network())
    await first.start("alice", Node())
    await second.start("alice", Node())  # the same id on another network is fine
    try:
        assert list(first.peers()) == []
        with pytest.raises(TransportError, match="unknown peer"):
            await first.request("bob", b"x", timeout=1.0)
    finally:
        await first.close()
        await second.close()


# -- failures ---------------------------------------------------------------------------------


async def test_a_request_to_an_unknown_peer_is_a_transport_error(make_node: MakeNode) -> None:
    alice, _ = await make_node("alice")
    with pytest.raises(TransportError, match="zed"):
        await alice.request("zed", b"x", timeout=1.0)


async def test_an_oversized_request_is_refused_naming_its_size(make_node: MakeNode) -> None:
    async def short_reply(peer: str, payload: bytes) -> bytes:
        return b"ok"

    alice, _ = await make_node("alice", max_frame_size="1KiB")
    _, bob_handler = await make_node("bob", Node(reply=short_reply))
    assert await alice.request("bob", b"x" * 1024, timeout=1.0) == b"ok"  # the limit is fine
    with pytest.raises(TransportError, match=r"1025 bytes") as caught:
        await alice.request("bob", b"x" * 1025, timeout=1.0)
    assert "1KiB" in str(caught.value)
    assert len(bob_handler.requests) == 1  # the oversized one never arrived


async def test_an_oversized_reply_is_refused_naming_its_size(make_node: MakeNode) -> None:
    async def big_reply(peer: str, payload: bytes) -> bytes:
        return b"y" * 2000

    alice, _ = await make_node("alice", max_frame_size="1KiB")
    await make_node("bob", Node(reply=big_reply))
    with pytest.raises(TransportError, match=r"reply of 2000 bytes"):
        await alice.request("bob", b"x", timeout=1.0)


async def test_an_oversized_gossip_message_is_refused_and_not_delivered(
    make_node: MakeNode,
) -> None:
    alice, _ = await make_node("alice", max_frame_size="1KiB")
    _, bob_handler = await make_node("bob")
    with pytest.raises(TransportError, match=r"4096 bytes"):
        await alice.gossip("t", b"z" * 4096)
    assert bob_handler.gossip == []


async def test_a_request_that_is_not_answered_in_time_is_a_transport_error(
    make_node: MakeNode,
) -> None:
    never = asyncio.Event()

    async def hang(peer: str, payload: bytes) -> bytes:
        await never.wait()
        return b""

    alice, _ = await make_node("alice")
    await make_node("bob", Node(reply=hang))
    with pytest.raises(TransportError, match="bob"):
        await alice.request("bob", b"x", timeout=0.05)


async def test_a_handler_that_raises_on_a_request_is_a_transport_error_naming_the_peer(
    make_node: MakeNode,
) -> None:
    async def fail(peer: str, payload: bytes) -> bytes:
        raise ValueError("cannot decode")

    alice, _ = await make_node("alice")
    await make_node("bob", Node(reply=fail))
    with pytest.raises(TransportError, match="bob") as caught:
        await alice.request("bob", b"x", timeout=1.0)
    assert "cannot decode" in str(caught.value)


async def test_a_handler_that_raises_on_gossip_costs_only_its_own_node(
    make_node: MakeNode,
) -> None:
    alice, _ = await make_node("alice")
    bob, _ = await make_node("bob", Node(gossip_error=True))
    carol, carol_handler = await make_node("carol")
    await alice.gossip("t", b"one")
    await alice.gossip("t", b"two")
    assert carol_handler.gossip == [("alice", "t", b"one"), ("alice", "t", b"two")]
    assert bob.dropped_gossip == 2
    assert carol.dropped_gossip == 0
    assert alice.dropped_gossip == 0


async def test_a_duplicate_node_id_is_a_transport_error(make_node: MakeNode) -> None:
    _, alice_handler = await make_node("alice")
    with pytest.raises(TransportError, match="alice"):
        await make_node("alice")
    # the first endpoint is untouched
    bob, _ = await make_node("bob")
    await bob.request("alice", b"x", timeout=1.0)
    assert alice_handler.requests == [("bob", b"x")]
    assert list(bob.peers()) == ["alice"]


async def test_a_transport_cannot_be_started_twice(make_node: MakeNode) -> None:
    alice, _ = await make_node("alice")
    with pytest.raises(TransportError):
        await alice.start("alice2", Node())


async def test_close_detaches_the_node(make_node: MakeNode) -> None:
    alice, _ = await make_node("alice")
    bob, bob_handler = await make_node("bob")
    await bob.close()
    assert list(alice.peers()) == []
    with pytest.raises(TransportError):
        await alice.request("bob", b"x", timeout=1.0)
    await alice.gossip("t", b"after close")
    assert bob_handler.gossip == []
    with pytest.raises(TransportError):
        await bob.request("alice", b"x", timeout=1.0)
    # the id is free again
    await make_node("bob")
    assert list(alice.peers()) == ["bob"]


# -- options ----------------------------------------------------------------------------------


def test_a_max_frame_size_that_is_not_a_string_is_a_config_error(registry: Registry) -> None:
    with pytest.raises(ConfigError, match=r"test\.max_frame_size"):
        build(registry, unique_network(), max_frame_size=12)


def test_a_max_frame_size_without_a_unit_is_a_config_error(registry: Registry) -> None:
    with pytest.raises(ConfigError, match=r"test\.max_frame_size"):
        build(registry, unique_network(), max_frame_size="4096")


def test_an_unknown_option_is_a_config_error(registry: Registry) -> None:
    with pytest.raises(ConfigError, match=r"test\.max_frame") as caught:
        registry.build(Selection("transport", "memory", {"max_frame": "1KiB"}), "test")
    assert "max_frame_size" in str(caught.value)  # the known options are listed


def test_the_options_default_to_4mib_on_the_default_network(registry: Registry) -> None:
    transport = registry.build(Selection("transport", "memory"), "test")
    assert transport.max_frame_size == 4 * 2**20


# -- payloads ---------------------------------------------------------------------------------


async def _round_trip(registry: Registry, request: bytes, gossip: bytes) -> None:
    network = unique_network()
    sender, receiver = build(registry, network, max_frame_size="1KiB"), build(registry, network)

    async def reverse(peer: str, payload: bytes) -> bytes:
        return payload[::-1]

    handler = Node(reply=reverse)
    await sender.start("sender", Node())
    await receiver.start("receiver", handler)
    try:
        assert await sender.request("receiver", request, timeout=1.0) == request[::-1]
        await sender.gossip("topic", gossip)
    finally:
        await sender.close()
        await receiver.close()
    assert handler.requests == [("sender", request)]
    assert handler.gossip == [("sender", "topic", gossip)]


@settings(max_examples=75, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=1024), st.binary(max_size=1024))
def test_payloads_up_to_the_frame_size_round_trip_byte_exactly(
    registry: Registry, request: bytes, gossip: bytes
) -> None:
    asyncio.run(_round_trip(registry, request, gossip))


# -- known bugs -------------------------------------------------------------------------------


async def test_a_receiver_refuses_a_request_above_its_own_frame_size(
    make_node: MakeNode,
) -> None:
    alice, _ = await make_node("alice")
    _, bob_handler = await make_node("bob", max_frame_size="1KiB")
    with pytest.raises(TransportError, match="2048 bytes"):
        await alice.request("bob", b"x" * 2048, timeout=1.0)
    assert bob_handler.requests == []
