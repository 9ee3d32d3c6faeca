"""Fixtures for transports over real sockets: named nodes, connected meshes, raw peers."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from paraloom.crypto.identity import NodeIdentity
from paraloom.network.frames import encode_frame
from paraloom.network.memory import MemoryNetwork, MemoryTransport
from paraloom.network.tcp import TcpSettings, TcpTransport
from paraloom.network.tls import client_context
from paraloom.network.wire import ENVELOPE_OVERHEAD, Frame, frame_codec

RequestFunction = Callable[[str, bytes], Awaitable[bytes]]
_networks = itertools.count()


def identity(name: str) -> NodeIdentity:
    """A fixed identity per name, so node ids are stable across runs."""
    return NodeIdentity.from_seed(hashlib.sha256(name.encode()).digest())


class Recorder:
    """A message handler that records what it receives and answers ``re:`` + payload."""

    def __init__(self, reply: RequestFunction | None = None, gossip_error: bool = False) -> None:
        self.requests: list[tuple[str, bytes]] = []
        self.gossip: list[tuple[str, str, bytes]] = []
        self.reply = reply
        self.gossip_error = gossip_error
        self.gossip_arrived = asyncio.Event()

    async def on_request(self, peer: str, payload: bytes) -> bytes:
        self.requests.append((peer, payload))
        if self.reply is not None:
            return await self.reply(peer, payload)
        return b"re:" + payload

    async def on_gossip(self, peer: str, topic: str, payload: bytes) -> None:
        self.gossip_arrived.set()
        if self.gossip_error:
            raise RuntimeError("handler broke")
        self.gossip.append((peer, topic, payload))


async def eventually(condition: Callable[[], bool], what: str, limit: float = 10.0) -> None:
    """Wait until ``condition`` holds; fail naming ``what`` after ``limit`` seconds."""
    try:
        async with asyncio.timeout(limit):
            while not condition():
                await asyncio.sleep(0.005)
    except TimeoutError:
        pytest.fail(f"timed out waiting for {what}")


class Cluster:
    """Nodes of one kind ("memory" or "tcp"), by name; tcp nodes are meshed as they start."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.network = MemoryNetwork(f"cluster-{next(_networks)}")
        self.transports: dict[str, Any] = {}

    def id(self, name: str) -> str:
        return identity(name).node_id_hex if self.kind == "tcp" else name

    async def add(
        self,
        name: str,
        handler: Recorder | None = None,
        max_frame_size: int = 4 * 2**20,
        gossip_ttl: int = 8,
    ) -> tuple[Any, Recorder]:
        handler = handler or Recorder()
        transport: Any
        if self.kind == "tcp":
            settings = TcpSettings(max_frame_size=max_frame_size, gossip_ttl=gossip_ttl)
            transport = TcpTransport(identity(name), settings)
            for other in self.transports.values():
                transport.add_peer(other.node_id, ("127.0.0.1", other.port))
        else:
            transport = MemoryTransport(self.network, max_frame_size, gossip_ttl)
        await transport.start(self.id(name), handler)
        self.transports[name] = transport
        await self.settle()
        return transport, handler

    async def settle(self) -> None:
        """Wait until every node sees every other (immediate for memory)."""
        count = len(self.transports) - 1
        await eventually(
            lambda: all(len(node.peers()) == count for node in self.transports.values()),
            "a full mesh",
        )

    async def close(self) -> None:
        for transport in self.transports.values():
            await transport.close()


@pytest.fixture(params=["memory", "tcp"])
async def cluster(request: pytest.FixtureRequest) -> AsyncIterator[Cluster]:
    nodes = Cluster(request.param)
    yield nodes
    await nodes.close()


@pytest.fixture
async def tcp_cluster() -> AsyncIterator[Cluster]:
    nodes = Cluster("tcp")
    yield nodes
    await nodes.close()


class RawPeer:
    """An authenticated TLS client that writes whatever bytes a test wants."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.codec = frame_codec(4 * 2**20)

    @classmethod
    async def connect(cls, name: str, port: int) -> RawPeer:
        context = client_context(identity(name).private_key)
        return cls(*await asyncio.open_connection("127.0.0.1", port, ssl=context))

    async def write(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def send(self, frame: Frame) -> None:
        await self.write(encode_frame(self.codec.encode(frame), 4 * 2**20 + ENVELOPE_OVERHEAD))

    async def close(self) -> None:
        self.writer.close()
