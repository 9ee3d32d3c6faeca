"""The Transport contract, held by `memory` and by `tcp` over real sockets alike."""

from __future__ import annotations

import asyncio

import pytest

from paraloom.components import Transport
from paraloom.errors import TransportError

from .conftest import Cluster, Recorder, eventually

NAMES = ("alice", "bob", "carol", "dave")


async def test_both_are_transports(cluster: Cluster) -> None:
    alice, _ = await cluster.add("alice")
    assert isinstance(alice, Transport)


async def test_a_request_reaches_the_peer_and_its_reply_comes_back(cluster: Cluster) -> None:
    alice, _ = await cluster.add("alice")
    _, bob_handler = await cluster.add("bob")
    assert await alice.request(cluster.id("bob"), b"hello", timeout=5.0) == b"re:hello"
    assert bob_handler.requests == [(cluster.id("alice"), b"hello")]


async def test_peers_lists_every_other_node(cluster: Cluster) -> None:
    nodes = [await cluster.add(name) for name in NAMES[:3]]
    alice = nodes[0][0]
    assert list(alice.peers()) == sorted(cluster.id(name) for name in ("bob", "carol"))


async def test_gossip_reaches_every_other_node_once_and_not_the_sender(cluster: Cluster) -> None:
    nodes = [await cluster.add(name) for name in NAMES]
    alice, alice_handler = nodes[0]
    await alice.gossip("blocks", b"block-1")
    handlers = [handler for _, handler in nodes[1:]]
    await eventually(lambda: all(handler.gossip for handler in handlers), "gossip delivery")
    await asyncio.sleep(0.05)  # room for relayed copies, which must be dropped
    for handler in handlers:
        assert handler.gossip == [(cluster.id("alice"), "blocks", b"block-1")]
    assert alice_handler.gossip == []
    duplicates = sum(node.counters.dropped["duplicate_gossip"] for node, _ in nodes)
    assert duplicates > 0  # every node relays, so copies did arrive and were recognised


async def test_two_equal_gossip_messages_are_both_delivered(cluster: Cluster) -> None:
    alice, _ = await cluster.add("alice")
    _, bob_handler = await cluster.add("bob")
    await alice.gossip("t", b"same")
    await alice.gossip("t", b"same")
    await eventually(lambda: len(bob_handler.gossip) == 2, "both messages")


async def test_a_request_to_an_unknown_peer_is_a_transport_error(cluster: Cluster) -> None:
    alice, _ = await cluster.add("alice")
    with pytest.raises(TransportError, match="unknown peer"):
        await alice.request(cluster.id("zed"), b"x", timeout=1.0)


async def test_an_oversized_request_is_refused_naming_its_size(cluster: Cluster) -> None:
    async def short_reply(peer: str, payload: bytes) -> bytes:
        return b"ok"

    alice, _ = await cluster.add("alice", max_frame_size=1024)
    _, bob_handler = await cluster.add("bob", Recorder(reply=short_reply))
    assert await alice.request(cluster.id("bob"), b"x" * 1024, timeout=5.0) == b"ok"
    with pytest.raises(TransportError, match=r"1025 bytes.*1KiB"):
        await alice.request(cluster.id("bob"), b"x" * 1025, timeout=5.0)
    assert len(bob_handler.requests) == 1


async def test_an_oversized_reply_is_refused_naming_its_size(cluster: Cluster) -> None:
    async def big_reply(peer: str, payload: bytes) -> bytes:
        return b"y" * 2000

    alice, _ = await cluster.add("alice", max_frame_size=1024)
    await cluster.add("bob", Recorder(reply=big_reply), max_frame_size=1024)
    with pytest.raises(TransportError, match=r"reply of 2000 bytes"):
        await alice.request(cluster.id("bob"), b"x", timeout=5.0)


async def test_a_receiver_refuses_a_request_above_its_own_frame_size(cluster: Cluster) -> None:
    alice, _ = await cluster.add("alice")
    _, bob_handler = await cluster.add("bob", max_frame_size=1024)
    with pytest.raises(TransportError, match="2048 bytes"):
        await alice.request(cluster.id("bob"), b"x" * 2048, timeout=5.0)
    assert bob_handler.requests == []


async def test_an_oversized_gossip_message_is_refused_and_not_delivered(cluster: Cluster) -> None:
    alice, _ = await cluster.add("alice", max_frame_size=1024)
    _, bob_handler = await cluster.add("bob")
    with pytest.raises(TransportError, match=r"4096 bytes"):
        await alice.gossip("t", b"z" * 4096)
    await alice.gossip("t", b"small")
    await eventually(lambda: bob_handler.gossip != [], "the small message")
    assert bob_handler.gossip == [(cluster.id("alice"), "t", b"small")]


async def test_a_request_that_is_not_answered_in_time_is_a_transport_error(
    cluster: Cluster,
) -> None:
    never = asyncio.Event()

    async def hang(peer: str, payload: bytes) -> bytes:
        await never.wait()
        return b""

    alice, _ = await cluster.add("alice")
    await cluster.add("bob", Recorder(reply=hang))
    with pytest.raises(TransportError, match="did not reply"):
        await alice.request(cluster.id("bob"), b"x", timeout=0.05)


async def test_a_handler_that_raises_is_a_transport_error_naming_the_peer_and_the_cause(
    cluster: Cluster,
) -> None:
    async def fail(peer: str, payload: bytes) -> bytes:
        raise ValueError("cannot decode")

    alice, _ = await cluster.add("alice")
    await cluster.add("bob", Recorder(reply=fail))
    with pytest.raises(TransportError, match=cluster.id("bob")) as caught:
        await alice.request(cluster.id("bob"), b"x", timeout=5.0)
    assert "cannot decode" in str(caught.value)


async def test_a_handler_that_raises_on_gossip_costs_only_its_own_node(cluster: Cluster) -> None:
    alice, _ = await cluster.add("alice")
    bob, _ = await cluster.add("bob", Recorder(gossip_error=True))
    carol, carol_handler = await cluster.add("carol")
    await alice.gossip("t", b"one")
    await alice.gossip("t", b"two")
    await eventually(lambda: len(carol_handler.gossip) == 2, "carol's messages")
    await eventually(lambda: bob.counters.dropped["handler_failed"] == 2, "bob's failures")
    assert carol.counters.dropped["handler_failed"] == 0


async def test_gossip_is_not_relayed_past_its_ttl(cluster: Cluster) -> None:
    """With one hop to live nobody relays, so each node gets exactly the sender's copy."""
    nodes = [await cluster.add(name, gossip_ttl=1) for name in NAMES]
    alice = nodes[0][0]
    await alice.gossip("t", b"direct")
    await eventually(lambda: all(handler.gossip for _, handler in nodes[1:]), "delivery")
    await asyncio.sleep(0.05)
    assert all(node.counters.dropped["duplicate_gossip"] == 0 for node, _ in nodes)


async def test_requests_and_gossip_fail_before_start_and_after_close(cluster: Cluster) -> None:
    alice, _ = await cluster.add("alice")
    await cluster.add("bob")
    await alice.close()
    with pytest.raises(TransportError, match="not started"):
        await alice.request(cluster.id("bob"), b"x", timeout=1.0)
    with pytest.raises(TransportError, match="not started"):
        await alice.gossip("t", b"x")
