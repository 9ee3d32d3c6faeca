"""The `tcp` transport over real sockets: hostile peers, topology, reconnects, the plugin."""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import struct
from pathlib import Path

import pytest

from paraloom.config import Selection
from paraloom.errors import ConfigError, FormatError, PeerAuthenticationError, TransportError
from paraloom.network.tcp import TcpSettings, TcpTransport, parse_peer
from paraloom.network.wire import Gossip, Request, Response
from paraloom.registry import Registry

from .conftest import Cluster, RawPeer, Recorder, eventually, identity


async def started(name: str, handler: Recorder | None = None, **settings: object) -> TcpTransport:
    transport = TcpTransport(identity(name), TcpSettings(**settings))  # type: ignore[arg-type]
    await transport.start(transport.node_id, handler or Recorder())
    return transport


async def read_response(peer: RawPeer) -> Response:
    (length,) = struct.unpack(">I", await peer.reader.readexactly(4))
    frame = peer.codec.decode(await peer.reader.readexactly(length))
    assert isinstance(frame, Response)
    return frame


async def test_a_node_keeps_serving_after_garbage_frames_and_counts_them() -> None:
    bob = await started("bob")
    peer = await RawPeer.connect("mallory", bob.port or 0)
    try:
        await peer.write(struct.pack(">I", 5) + b"\xc1junk")
        await peer.write(struct.pack(">I", 0))
        await peer.send(Request(7, b"still there?"))
        response = await read_response(peer)
        assert (response.id, response.payload, response.error) == (7, b"re:still there?", None)
        assert bob.counters.dropped["garbage"] == 2
    finally:
        await peer.close()
        await bob.close()


async def test_an_oversized_length_prefix_closes_that_connection_only() -> None:
    bob = await started("bob", max_frame_size=1024)
    alice = await started("alice")
    alice.add_peer(bob.node_id, ("127.0.0.1", bob.port or 0))
    peer = await RawPeer.connect("mallory", bob.port or 0)
    try:
        await peer.write(struct.pack(">I", 2**32 - 1))
        assert await peer.reader.read() == b""  # bob hung up without reading 4 GiB
        assert bob.counters.dropped["oversized"] == 1
        assert await alice.request(bob.node_id, b"hi", timeout=5.0) == b"re:hi"
    finally:
        await peer.close()
        await alice.close()
        await bob.close()


async def test_a_replayed_gossip_frame_is_delivered_once_and_counted() -> None:
    handler = Recorder()
    bob = await started("bob", handler)
    peer = await RawPeer.connect("mallory", bob.port or 0)
    message = Gossip(os.urandom(16), "someone", "votes", 3, b"vote")
    try:
        await peer.send(message)
        await peer.send(message)
        await peer.send(message)
        await eventually(lambda: bob.counters.dropped["duplicate_gossip"] == 2, "the replays")
        assert handler.gossip == [("someone", "votes", b"vote")]
    finally:
        await peer.close()
        await bob.close()


async def test_a_response_nobody_waits_for_is_dropped_and_counted() -> None:
    bob = await started("bob")
    peer = await RawPeer.connect("mallory", bob.port or 0)
    try:
        await peer.send(Response(99, b"forged"))
        await eventually(lambda: bob.counters.dropped["unexpected_response"] == 1, "the drop")
    finally:
        await peer.close()
        await bob.close()


async def test_a_peer_with_another_key_is_refused_and_counted() -> None:
    bob = await started("bob")
    alice = await started("alice")
    carol_id = identity("carol").node_id_hex
    alice.add_peer(carol_id, ("127.0.0.1", bob.port or 0))  # bob answers where carol should
    try:
        with pytest.raises(PeerAuthenticationError, match=f"expected node {carol_id}"):
            await alice.request(carol_id, b"x", timeout=5.0)
        assert alice.counters.dropped["unauthenticated"] >= 1
        assert carol_id not in alice.peers()
    finally:
        await alice.close()
        await bob.close()


async def test_a_client_without_a_certificate_is_refused_and_counted() -> None:
    bob = await started("bob")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    context.set_alpn_protocols(["paraloom-tcp/1"])
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", bob.port, ssl=context)
        # TLS 1.3: the client finishes first; the server's refusal ends the stream
        with contextlib.suppress(ssl.SSLError, ConnectionError):
            assert await reader.read() == b""
        writer.close()
        await eventually(lambda: bob.counters.dropped["unauthenticated"] == 1, "the refusal")
        assert bob.peers() == []
    finally:
        await bob.close()


async def test_plain_tcp_is_refused_and_counted_and_the_node_keeps_serving() -> None:
    bob = await started("bob")
    alice = await started("alice")
    alice.add_peer(bob.node_id, ("127.0.0.1", bob.port or 0))
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", bob.port)
        writer.write(struct.pack(">I", 5) + b"hello")
        assert await reader.read() == b""
        writer.close()
        await eventually(lambda: bob.counters.dropped["unauthenticated"] == 1, "the refusal")
        assert await alice.request(bob.node_id, b"hi", timeout=5.0) == b"re:hi"
    finally:
        await alice.close()
        await bob.close()


async def test_gossip_travels_ttl_hops_along_a_line(tcp_cluster: Cluster) -> None:
    """a - b - c - d with two hops to live: b and c get it, d does not."""
    handlers = {name: Recorder() for name in "abcd"}
    nodes = {name: await started(name, handlers[name], gossip_ttl=2) for name in "abcd"}
    tcp_cluster.transports.update(nodes)  # closed by the fixture
    for left, right in ("ab", "bc", "cd"):
        nodes[left].add_peer(nodes[right].node_id, ("127.0.0.1", nodes[right].port or 0))
    await eventually(lambda: len(nodes["b"].peers()) == 2 == len(nodes["c"].peers()), "the line")
    await nodes["a"].gossip("t", b"two hops")
    await eventually(lambda: handlers["c"].gossip != [], "c's copy")
    # c relays before it delivers, so a relay to d would travel ahead of this marker
    await nodes["c"].gossip("t", b"marker")
    await eventually(lambda: handlers["d"].gossip != [], "the marker")
    assert handlers["b"].gossip == [
        (nodes["a"].node_id, "t", b"two hops"),
        (nodes["c"].node_id, "t", b"marker"),
    ]
    assert handlers["d"].gossip == [(nodes["c"].node_id, "t", b"marker")]


async def test_a_dropped_peer_is_redialled_when_it_comes_back() -> None:
    bob = await started("bob")
    port = bob.port or 0
    alice = await started("alice", backoff_initial=0.01, backoff_max=0.05)
    alice.add_peer(bob.node_id, ("127.0.0.1", port))
    try:
        await eventually(lambda: alice.peers() == [bob.node_id], "the first connection")
        await bob.close()
        await eventually(lambda: alice.peers() == [], "the loss")
        bob = await started("bob", listen=("127.0.0.1", port))
        await eventually(lambda: alice.peers() == [bob.node_id], "the reconnection")
        assert await alice.request(bob.node_id, b"back", timeout=5.0) == b"re:back"
    finally:
        await alice.close()
        await bob.close()


async def test_nodes_that_dial_each_other_keep_one_connection() -> None:
    alice, bob = await started("alice"), await started("bob")
    alice.add_peer(bob.node_id, ("127.0.0.1", bob.port or 0))
    bob.add_peer(alice.node_id, ("127.0.0.1", alice.port or 0))
    try:
        await eventually(lambda: alice.peers() == [bob.node_id], "alice's connection")
        await eventually(lambda: bob.peers() == [alice.node_id], "bob's connection")
        for _ in range(3):
            assert await alice.request(bob.node_id, b"a", timeout=5.0) == b"re:a"
            assert await bob.request(alice.node_id, b"b", timeout=5.0) == b"re:b"
    finally:
        await alice.close()
        await bob.close()


async def test_inbound_connections_above_the_limit_are_refused() -> None:
    bob = await started("bob", max_connections=1)
    alice, carol = await started("alice"), await started("carol")
    alice.add_peer(bob.node_id, ("127.0.0.1", bob.port or 0))
    carol.add_peer(bob.node_id, ("127.0.0.1", bob.port or 0))
    try:
        await eventually(lambda: bob.counters.dropped["refused_connection"] >= 1, "a refusal")
        assert len(bob.peers()) == 1
    finally:
        for node in (alice, carol, bob):
            await node.close()


async def test_start_refuses_a_node_id_that_is_not_the_keys() -> None:
    transport = TcpTransport(identity("alice"))
    with pytest.raises(TransportError, match="not the id of this key"):
        await transport.start(identity("bob").node_id_hex, Recorder())


async def test_start_refuses_an_address_in_use() -> None:
    bob = await started("bob")
    try:
        with pytest.raises(TransportError, match="cannot listen"):
            await started("alice", listen=("127.0.0.1", bob.port))
    finally:
        await bob.close()


def test_add_peer_refuses_something_that_is_not_a_node_id() -> None:
    with pytest.raises(TransportError, match="not a node id"):
        TcpTransport(identity("alice")).add_peer("bob", ("127.0.0.1", 1))


# -- peer strings and the plugin --------------------------------------------------------------


def test_a_peer_string_names_a_node_id_and_an_address() -> None:
    node_id = identity("bob").node_id_hex
    assert parse_peer(f"{node_id}@10.0.0.2:7400") == (node_id, ("10.0.0.2", 7400))
    assert parse_peer(f"{node_id}@[::1]:1") == (node_id, ("::1", 1))


@pytest.mark.parametrize(
    "text",
    [
        "10.0.0.2:7400",
        "abc@10.0.0.2:7400",
        "A" * 64 + "@h:1",
        "a" * 64 + "@h",
        "a" * 64 + "@h:99999",
    ],
)
def test_a_malformed_peer_string_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match="peer"):
        parse_peer(text)


def write_identity(path: Path, name: str) -> Path:
    identity(name).save(path)
    return path


async def test_the_plugin_builds_a_transport_from_options(
    registry: Registry, tmp_path: Path
) -> None:
    bob_id = identity("bob").node_id_hex
    options = {
        "listen": "127.0.0.1:0",
        "identity_key": str(write_identity(tmp_path / "alice.key", "alice")),
        "peers": [f"{bob_id}@127.0.0.1:9"],
        "max_frame_size": "64KiB",
        "gossip_ttl": 3,
    }
    transport = registry.build(Selection("transport", "tcp", options), "plugins.transport")
    assert isinstance(transport, TcpTransport)
    assert transport.node_id == identity("alice").node_id_hex
    assert transport.settings.max_frame_size == 64 * 1024
    assert transport.settings.gossip_ttl == 3
    assert registry.resolve(Selection("transport", "tcp"), "t").provided.spec.protocol_id == (
        "paraloom-tcp/1"
    )


def test_the_plugin_refuses_malformed_peers_naming_the_key(registry: Registry) -> None:
    with pytest.raises(ConfigError, match=r"plugins\.transport\.peers"):
        registry.build(Selection("transport", "tcp", {"peers": ["bob"]}), "plugins.transport")


def test_the_plugin_refuses_a_missing_identity_key(registry: Registry, tmp_path: Path) -> None:
    options = {"identity_key": str(tmp_path / "missing.key")}
    with pytest.raises(FormatError, match=r"missing\.key"):
        registry.build(Selection("transport", "tcp", options), "plugins.transport")
