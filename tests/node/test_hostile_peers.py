"""Hostile traffic against a real node process: refused, counted in /metrics, and survived.

The issue's check: "Garbage, oversized and replayed frames, unauthenticated peers and forged
votes are rejected and counted in /metrics; the node keeps serving." The attacker is this
test process: a TLS peer with an identity of its own (authenticated, but a stranger to the
coordinator set), a plain TCP client and a TLS client without a certificate. It attacks the
primary of a two-node localnet, then reads the primary's /metrics (prometheus_client's own
parser) and checks each counter moved, the term was not moved by a forged vote, and a job still
completes.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.guests import guest_wasm
from paraloom.config import NetworkSettings
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import NodeApiError
from paraloom.localnet.layout import LocalnetLayout, NodeLayout
from paraloom.localnet.processes import primary_node
from paraloom.network.frames import encode_frame
from paraloom.network.tls import client_context
from paraloom.network.wire import NONCE_SIZE, Gossip, Request, WireCodec, WireMessage
from paraloom.node.client import JobRequest, NodeClient
from paraloom.node.ha import CoordinationFrame
from paraloom.node.messages import Position, Signed, VoteRequest, seal, signing_form

from .process_net import localnet

MAX_FRAME = NetworkSettings().max_frame_size
ENVELOPE: WireCodec[WireMessage] = WireCodec(WireMessage, MAX_FRAME)
LIMITS = ExecutionLimits(memory_limit=16 * 2**20, fuel=10**8, timeout=5.0)


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalnetLayout]:
    with localnet(tmp_path, monkeypatch, 2) as net:
        yield net


def dropped(node: NodeLayout) -> dict[str, float]:
    with urllib.request.urlopen(f"{node.health_url}/metrics", timeout=5) as response:
        text = response.read().decode()
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name == "paraloom_dropped_frames":
            for sample in family.samples:
                counts[sample.labels["reason"]] = sample.value
    return counts


async def tls_peer(
    port: int, identity: NodeIdentity | None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TLS connection as ``identity`` (without a client certificate when None)."""
    if identity is None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    else:
        context = client_context(identity.private_key)
    return await asyncio.open_connection("127.0.0.1", port, ssl=context)


async def send_and_close(port: int, identity: NodeIdentity, frames: list[bytes]) -> None:
    _, writer = await tls_peer(port, identity)
    for frame in frames:
        writer.write(frame)
    await writer.drain()
    await asyncio.sleep(0.3)  # let the node read everything before the close
    writer.close()


def request(payload: bytes, number: int) -> bytes:
    return encode_frame(ENVELOPE.encode(Request(number, payload)), MAX_FRAME)


def coordination(data: bytes) -> bytes:
    return ENVELOPE.encode(CoordinationFrame(data))


def forged_votes(attacker: NodeIdentity, member: str) -> list[bytes]:
    """A vote request from a stranger, and one in a member's name with the stranger's key."""
    own = seal(attacker, VoteRequest(99, attacker.node_id_hex, Position(99, 9)))
    impostor = VoteRequest(99, member, Position(99, 9))
    forged = Signed(impostor, attacker.sign(signing_form(impostor)))
    codec: WireCodec[Signed] = WireCodec(Signed, MAX_FRAME)
    return [coordination(own), coordination(codec.encode(forged))]


async def attack(primary: NodeLayout, member: str) -> None:
    port = primary.transport_port
    attacker = NodeIdentity.generate()
    gossip = ENVELOPE.encode(
        Gossip(os.urandom(NONCE_SIZE), attacker.node_id_hex, "nonsense", 1, b"hello")
    )
    frames = [
        encode_frame(b"\xc1 not an envelope", MAX_FRAME),  # garbage
        request(b"\x01\x02 not a message", 1),  # a request no handler decodes
        *(request(vote, 2 + index) for index, vote in enumerate(forged_votes(attacker, member))),
        encode_frame(gossip, MAX_FRAME),
        encode_frame(gossip, MAX_FRAME),  # the replay
    ]
    await send_and_close(port, attacker, frames)
    _, writer = await tls_peer(port, attacker)
    writer.write((2 * MAX_FRAME).to_bytes(4, "big"))  # oversized: only the length is read
    await writer.drain()
    await asyncio.sleep(0.3)
    writer.close()
    _, plain = await asyncio.open_connection("127.0.0.1", port)  # no TLS at all
    plain.write(b"GET / HTTP/1.1\r\n\r\n")
    await plain.drain()
    await asyncio.sleep(0.3)
    plain.close()
    assert await refused_without_certificate(port)


async def refused_without_certificate(port: int) -> bool:
    """Whether a TLS client with no certificate is turned away (TLS 1.3 tells the client only
    after its side of the handshake, so the refusal shows on the first read)."""
    try:
        reader, writer = await tls_peer(port, None)
        refused = await reader.read(1) == b""
        writer.close()
    except (ssl.SSLError, ConnectionError):
        return True
    return refused


def test_hostile_frames_and_peers_are_refused_counted_and_survived(
    layout: LocalnetLayout, tmp_path: Path
) -> None:
    primary = primary_node(layout)
    assert primary is not None
    member = next(node.node_id for node in layout.nodes if node is not primary)
    client = NodeClient(primary.api_url)
    term = client.call("GET", "/status")["term"]
    before = dropped(primary)

    asyncio.run(attack(primary, member))

    deadline = time.monotonic() + 10
    after = dropped(primary)
    while after.get("unauthenticated", 0) - before.get("unauthenticated", 0) < 2 or (
        "oversized" not in after
    ):
        assert time.monotonic() < deadline, after
        time.sleep(0.1)
        after = dropped(primary)
    moved = {reason: after.get(reason, 0) - before.get(reason, 0) for reason in after}
    assert moved["garbage"] >= 1
    assert moved["oversized"] >= 1
    assert moved["duplicate_gossip"] >= 1
    assert moved["unauthenticated"] >= 2
    assert moved["refused_coordination"] >= 2  # the stranger's and the impostor's vote
    assert moved["malformed_request"] >= 1

    status = client.call("GET", "/status")
    assert status["coordinator"] is True
    assert status["term"] == term  # a forged vote in term 99 moved nothing
    job = JobRequest(guest_wasm("reverse"), b"still serving", LIMITS, replication=2)
    job_id = _submitted(client, job, tmp_path / "keys")
    deadline = time.monotonic() + 30
    while client.status(job_id)["state"] != "completed":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert client.result(job_id) == b"still serving"[::-1]
    with urllib.request.urlopen(f"{primary.health_url}/health", timeout=5) as response:
        assert response.status == 200


def _submitted(client: NodeClient, job: JobRequest, keys: Path) -> str:
    """The job's id once a primary takes it (a loaded machine may delay an election)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return client.submit(job, keys)
        except NodeApiError:
            assert time.monotonic() < deadline
            time.sleep(0.1)
