"""The `tcp` transport: asyncio streams under TLS 1.3 with mutual authentication.

Each node listens on one address and keeps one connection per peer, whichever side dialled.
When both dial at once, both keep the connection that the smaller node id dialled, so they
agree without talking about it. Peers in the peer table are redialled with exponential backoff
and jitter while they are away; peers that dialled us are served while they stay. Inbound
connections upgrade to TLS inside the accept callback, so a peer that fails the handshake is
counted rather than lost in asyncio's logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from paraloom.components import MessageHandler
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ConfigError, PeerAuthenticationError, TransportError
from paraloom.network.backoff import Backoff
from paraloom.network.connection import PeerConnection
from paraloom.network.gossip import DEFAULT_TTL, GossipRouter, broadcast
from paraloom.network.tls import authenticate_peer, client_context, server_context
from paraloom.network.wire import (
    MAX_ERROR_LENGTH,
    DropReason,
    Gossip,
    Request,
    Response,
    TrafficCounters,
    check_payload_size,
    frame_codec,
)
from paraloom.options import Address, OptionValueError

LOGGER = logging.getLogger("paraloom.network.tcp")

PeerAddress = tuple[str, int]
_HANDSHAKE_ERRORS = (PeerAuthenticationError, ssl.SSLError, ConnectionError, OSError, TimeoutError)


@dataclass(frozen=True)
class TcpSettings:
    """How a node listens, dials and bounds its traffic (defaults as in NetworkSettings)."""

    listen: PeerAddress = ("127.0.0.1", 0)
    max_frame_size: int = 4 * 2**20
    connect_timeout: float = 5.0
    backoff_initial: float = 0.1
    backoff_max: float = 30.0
    max_connections: int = 50
    gossip_ttl: int = DEFAULT_TTL


def parse_peer(text: str) -> tuple[str, PeerAddress]:
    """Split ``node_id@host:port`` into the node id (64 hex digits) and the address."""
    node_id, separator, address = text.partition("@")
    if not separator or not _is_node_id(node_id):
        raise ConfigError(f"peer {text!r}: expected node_id@host:port with a 64-hex-digit node id")
    try:
        return node_id, Address().parse(address)
    except OptionValueError as error:
        raise ConfigError(f"peer {text!r}: {error}") from None


def _is_node_id(text: str) -> bool:
    return len(text) == 64 and all(character in "0123456789abcdef" for character in text)


class TcpTransport:
    """A node's endpoint on the TLS network; see the module docstring."""

    def __init__(
        self,
        identity: NodeIdentity,
        settings: TcpSettings = TcpSettings(),
        peers: Mapping[str, PeerAddress] | None = None,
    ) -> None:
        self.identity, self.settings = identity, settings
        self.counters = TrafficCounters()
        self.port: int | None = None
        self._addresses: dict[str, PeerAddress] = {}
        self._codec = frame_codec(settings.max_frame_size)
        self._server_context = server_context(identity.private_key)
        self._client_context = client_context(identity.private_key)
        self._connections: dict[str, PeerConnection] = {}
        self._dialing: dict[str, asyncio.Task[PeerConnection]] = {}
        self._handshakes = 0  # inbound connections still in their TLS handshake
        self._keepers: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None
        self._handler: MessageHandler | None = None
        self._router: GossipRouter | None = None
        for node_id, address in (peers or {}).items():
            self.add_peer(node_id, address)

    @property
    def node_id(self) -> str:
        return self.identity.node_id_hex

    # -- the Transport protocol -----------------------------------------------------------

    async def start(self, node_id: str, handler: MessageHandler) -> None:
        if self._server is not None:
            raise TransportError(f"transport already started as {self.node_id}")
        if node_id != self.node_id:
            raise TransportError(f"node id {node_id} is not the id of this key ({self.node_id})")
        host, port = self.settings.listen
        try:
            self._server = await asyncio.start_server(self._accept, host, port)
        except OSError as error:
            raise TransportError(f"cannot listen on {host}:{port}: {error.strerror}") from None
        self.port = self._server.sockets[0].getsockname()[1]
        self._handler = handler
        self._router = GossipRouter(node_id, self.settings.gossip_ttl, self.counters)
        for peer in self._addresses:
            self._keep(peer)

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        tasks = [*self._keepers.values(), *self._dialing.values(), *self._tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        connections, self._connections = list(self._connections.values()), {}
        await asyncio.gather(*(connection.close() for connection in connections))
        if server is not None:
            await server.wait_closed()
        self._keepers.clear()
        self._handler = self._router = None

    def peers(self) -> Sequence[str]:
        """The peers connected now."""
        return sorted(self._connections)

    async def request(self, peer: str, payload: bytes, timeout: float) -> bytes:
        self._require_started()
        check_payload_size(payload, self.settings.max_frame_size, "request")
        try:
            async with asyncio.timeout(timeout):
                connection = await self._connection(peer)
                reply = await connection.request(payload)
        except TimeoutError:
            raise TransportError(f"peer {peer} did not reply within {timeout}s") from None
        check_payload_size(reply, self.settings.max_frame_size, "reply")
        return reply

    async def gossip(self, topic: str, payload: bytes) -> None:
        _, router = self._require_started()
        check_payload_size(payload, self.settings.max_frame_size, "gossip message")
        await broadcast(router.originate(topic, payload), self.peers(), self._send_gossip)

    # -- the peer table -------------------------------------------------------------------

    def add_peer(self, node_id: str, address: PeerAddress) -> None:
        """Dial ``node_id`` at ``address`` and keep redialling it while it is away."""
        if not _is_node_id(node_id):
            raise TransportError(f"{node_id!r} is not a node id (64 hex digits)")
        if node_id == self.node_id:
            return
        self._addresses[node_id] = address
        if self._server is not None:
            self._keep(node_id)

    def metrics(self) -> dict[str, int]:
        """Traffic counters and the number of connected peers, for /metrics."""
        return {**self.counters.as_dict(), "peers": len(self._connections)}

    # -- connections ----------------------------------------------------------------------

    async def _connection(self, peer: str) -> PeerConnection:
        connection = self._connections.get(peer)
        if connection is not None:
            return connection
        if peer not in self._addresses:
            raise TransportError(f"unknown peer {peer}")
        return await self._dial(peer)

    async def _dial(self, peer: str) -> PeerConnection:
        """Dial ``peer`` once, sharing an attempt already under way."""
        attempt = self._dialing.get(peer)
        if attempt is None:
            attempt = asyncio.create_task(self._open(peer))
            self._dialing[peer] = attempt
            attempt.add_done_callback(self._dial_finished)
        return await asyncio.shield(attempt)

    def _dial_finished(self, attempt: asyncio.Task[PeerConnection]) -> None:
        for peer, current in list(self._dialing.items()):
            if current is attempt:
                del self._dialing[peer]

    async def _open(self, peer: str) -> PeerConnection:
        host, port = self._addresses[peer]
        try:
            async with asyncio.timeout(self.settings.connect_timeout):
                streams = await asyncio.open_connection(host, port, ssl=self._client_context)
        except (OSError, TimeoutError) as error:
            raise TransportError(f"cannot connect to {peer} at {host}:{port}: {error}") from None
        try:
            authenticate_peer(streams[1].get_extra_info("ssl_object"), expected=peer)
        except PeerAuthenticationError:
            self.counters.drop(DropReason.UNAUTHENTICATED)
            streams[1].close()
            raise
        return self._register(peer, self.node_id, streams)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._connections) + self._handshakes >= self.settings.max_connections:
            self.counters.drop(DropReason.REFUSED)
            writer.close()
            return
        self._handshakes += 1
        try:
            async with asyncio.timeout(self.settings.connect_timeout):
                await writer.start_tls(self._server_context)
            peer = authenticate_peer(writer.get_extra_info("ssl_object"))
        except _HANDSHAKE_ERRORS as error:
            self.counters.drop(DropReason.UNAUTHENTICATED)
            LOGGER.info(
                "refused a connection from %s: %s", writer.get_extra_info("peername"), error
            )
            writer.close()
            return
        finally:
            self._handshakes -= 1
        if self._server is None or peer == self.node_id:
            writer.close()
            return
        self._register(peer, peer, (reader, writer))

    def _register(
        self, peer: str, initiator: str, streams: tuple[asyncio.StreamReader, asyncio.StreamWriter]
    ) -> PeerConnection:
        """Keep one connection per peer: a redial replaces its predecessor; of two dialled
        at once, the one the smaller node id dialled stays."""
        connection = PeerConnection(
            peer,
            initiator,
            streams,
            codec=self._codec,
            max_payload_size=self.settings.max_frame_size,
            counters=self.counters,
        )
        existing = self._connections.get(peer)
        if existing is not None and not existing.closed.is_set():
            if existing.initiator != initiator and initiator != min(self.node_id, peer):
                self._spawn(connection.close())
                return existing
            self._spawn(existing.close())
        self._connections[peer] = connection
        connection.start(self._on_frame, self._forget)
        return connection

    def _forget(self, connection: PeerConnection) -> None:
        if self._connections.get(connection.peer) is connection:
            del self._connections[connection.peer]

    def _keep(self, peer: str) -> None:
        if peer not in self._keepers:
            self._keepers[peer] = asyncio.create_task(self._keep_connected(peer))

    async def _keep_connected(self, peer: str) -> None:
        """Hold a connection to ``peer``, redialling with backoff whenever it is lost."""
        backoff = Backoff(self.settings.backoff_initial, self.settings.backoff_max)
        while True:
            connection = self._connections.get(peer)
            if connection is not None:
                backoff.reset()
                await connection.closed.wait()
                continue
            try:
                await self._dial(peer)
            except TransportError as error:
                LOGGER.debug("dialling %s failed: %s", peer, error)
                await asyncio.sleep(backoff.next_delay())

    # -- inbound traffic ------------------------------------------------------------------

    def _on_frame(self, connection: PeerConnection, frame: Request | Gossip) -> None:
        handler, router = self._require_started()
        if isinstance(frame, Request):
            self._spawn(self._answer(connection, frame, handler))
        else:
            peers = self.peers()
            self._spawn(router.receive(frame, connection.peer, peers, self._send_gossip, handler))

    async def _answer(
        self, connection: PeerConnection, request: Request, handler: MessageHandler
    ) -> None:
        """Reply to a request; whatever goes wrong becomes an error reply, never silence."""
        try:
            check_payload_size(request.payload, self.settings.max_frame_size, "request")
            reply = await handler.on_request(connection.peer, request.payload)
            check_payload_size(reply, self.settings.max_frame_size, "reply")
            response = Response(request.id, payload=bytes(reply))
        except Exception as error:
            LOGGER.info("request from %s failed", connection.peer, exc_info=True)
            response = Response(request.id, error=str(error)[:MAX_ERROR_LENGTH])
        with contextlib.suppress(TransportError):
            await connection.send(response)

    async def _send_gossip(self, peer: str, message: Gossip) -> None:
        connection = self._connections.get(peer)
        if connection is None:
            return
        try:
            await connection.send(message)
        except TransportError as error:
            LOGGER.debug("gossip to %s failed: %s", peer, error)

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _require_started(self) -> tuple[MessageHandler, GossipRouter]:
        if self._handler is None or self._router is None:
            raise TransportError("transport is not started")
        return self._handler, self._router
