"""The TLS 1.3 transport between nodes on different hosts."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from paraloom.components import Transport, TransportSpec
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ConfigError
from paraloom.hookspecs import hookimpl
from paraloom.network.tcp import PeerAddress, TcpSettings, TcpTransport, parse_peer
from paraloom.network.tls import PROTOCOL_ID
from paraloom.options import Address, Duration, Int, Option, OptionValueError, Size, Text, TextList


@dataclass(frozen=True)
class PeerList(TextList):
    """Peers as ``node_id@host:port`` strings, checked when the config is."""

    expected: str = "a list of 'node_id@host:port' strings"

    def parse(self, raw: object) -> tuple[str, ...]:
        peers = super().parse(raw)
        for peer in peers:
            try:
                parse_peer(peer)
            except ConfigError as error:
                raise OptionValueError(str(error)) from None
        return peers


def create_tcp_transport(options: Mapping[str, Any]) -> Transport:
    settings = TcpSettings(
        listen=options["listen"],
        max_frame_size=options["max_frame_size"],
        connect_timeout=options["connect_timeout"],
        backoff_initial=options["backoff_initial"],
        backoff_max=options["backoff_max"],
        max_connections=options["max_connections"],
        gossip_ttl=options["gossip_ttl"],
    )
    identity = NodeIdentity.load(os.path.expanduser(options["identity_key"]))
    peers: dict[str, PeerAddress] = dict(parse_peer(peer) for peer in options["peers"])
    return TcpTransport(identity, settings, peers)


@hookimpl
def paraloom_transports() -> Iterator[TransportSpec]:
    yield TransportSpec(
        name="tcp",
        summary="TLS 1.3 with mutual authentication, pinned to node ids",
        factory=create_tcp_transport,
        protocol_id=PROTOCOL_ID,
        options=(
            Option("listen", Address(), "127.0.0.1:7400", "address to accept peers on"),
            Option(
                "identity_key",
                Text(),
                "~/.paraloom/identity.key",
                "the node's Ed25519 key (Solana keypair file); its hash is the node id",
            ),
            Option("peers", PeerList(), [], "peers to dial and keep: node_id@host:port"),
            Option("max_frame_size", Size(minimum=1024), "4MiB", "largest message accepted"),
            Option("connect_timeout", Duration(minimum=0.001), "5s", "dial and TLS handshake"),
            Option("backoff_initial", Duration(minimum=0.001), "100ms", "first redial delay"),
            Option("backoff_max", Duration(minimum=0.001), "30s", "longest redial delay"),
            Option("max_connections", Int(minimum=1), 50, "peers held open at once"),
            Option("gossip_ttl", Int(minimum=1, maximum=64), 8, "hops a gossip message lives"),
        ),
    )
