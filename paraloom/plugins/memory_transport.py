"""The in-process transport, for localnets and tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from paraloom.components import Transport, TransportSpec
from paraloom.hookspecs import hookimpl
from paraloom.network.memory import MemoryNetwork, MemoryTransport
from paraloom.options import Int, Option, Size, Text


def create_memory_transport(options: Mapping[str, Any]) -> Transport:
    return MemoryTransport(
        MemoryNetwork.named(options["network"]), options["max_frame_size"], options["gossip_ttl"]
    )


@hookimpl
def paraloom_transports() -> Iterator[TransportSpec]:
    yield TransportSpec(
        name="memory",
        summary="in-process switchboard for localnets and tests",
        factory=create_memory_transport,
        protocol_id="paraloom-memory/1",
        options=(
            Option("network", Text(), "default", "endpoints on the same network reach each other"),
            Option("max_frame_size", Size(minimum=1), "4MiB", "largest message accepted"),
            Option("gossip_ttl", Int(minimum=1, maximum=64), 8, "hops a gossip message lives"),
        ),
    )
