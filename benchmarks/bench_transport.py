"""Transport figures: TLS handshake time, and 1 KiB request round trips per second.

Run: python benchmarks/bench_transport.py [--requests N] [--repeat R]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from paraloom.crypto.identity import NodeIdentity
from paraloom.network.memory import MemoryNetwork, MemoryTransport
from paraloom.network.tcp import TcpTransport
from paraloom.network.tls import authenticate_peer, client_context

PAYLOAD = b"x" * 1024


class Echo:
    async def on_request(self, peer: str, payload: bytes) -> bytes:
        return payload

    async def on_gossip(self, peer: str, topic: str, payload: bytes) -> None:
        return None


async def handshake_ms(server: TcpTransport, client: NodeIdentity, repeat: int) -> float:
    """Median milliseconds to connect, finish TLS 1.3 and pin the server's key."""
    context, samples = client_context(client.private_key), []
    for _ in range(repeat):
        started = time.perf_counter()
        _, writer = await asyncio.open_connection("127.0.0.1", server.port, ssl=context)
        authenticate_peer(writer.get_extra_info("ssl_object"), server.node_id)
        samples.append(time.perf_counter() - started)
        writer.close()
    return statistics.median(samples) * 1e3


async def round_trips_per_second(sender: object, peer: str, count: int, repeat: int) -> float:
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(count):
            await sender.request(peer, PAYLOAD, 5.0)  # type: ignore[attr-defined]
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


async def main(count: int, repeat: int) -> None:
    alice, bob = NodeIdentity.generate(), NodeIdentity.generate()
    server, client = TcpTransport(bob), TcpTransport(alice)
    await server.start(server.node_id, Echo())
    await client.start(client.node_id, Echo())
    client.add_peer(server.node_id, ("127.0.0.1", server.port or 0))
    probe = NodeIdentity.generate()  # a third node: a redial by alice would replace her link
    print(f"tcp handshake (TLS 1.3 mutual, pinned): {await handshake_ms(server, probe, 50):.2f} ms")
    tcp_rate = await round_trips_per_second(client, server.node_id, count, repeat)
    print(f"tcp 1 KiB round trips: {tcp_rate:,.0f}/s")
    await client.close()
    await server.close()

    network = MemoryNetwork()
    first, second = MemoryTransport(network, 4 * 2**20), MemoryTransport(network, 4 * 2**20)
    await first.start("a", Echo())
    await second.start("b", Echo())
    memory_rate = await round_trips_per_second(first, "b", count, repeat)
    print(f"memory 1 KiB round trips: {memory_rate:,.0f}/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.repeat))
