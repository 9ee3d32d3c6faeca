"""Coordinator failover with real node processes: SIGKILL the primary mid-work.

The issue's check: "Killing the primary coordinator (SIGKILL) promotes a passive within 10 s
with no job lost or run to a different result; the old primary restarted becomes a passive."
The 10 s bound is the protocol's promise (heartbeat 1 s, missed after 3 s, then one election),
checked as the requirement it is; the time measured is printed for the record.

Oracles: hashlib's SHA-256 chain for the hash-chain guest's outputs, the results read before the
kill for the jobs finished by then, and each node's own /status for its role.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.guests import encode_hash_chain_input, guest_wasm
from paraloom.errors import NodeApiError
from paraloom.localnet.layout import LocalnetLayout, NodeLayout
from paraloom.localnet.processes import spawn_node
from paraloom.node.client import JobRequest, NodeClient

from .process_net import eventually, localnet, short_intervals

FUEL = 10_000_000_000
LIMITS = ExecutionLimits(memory_limit=16 * 2**20, fuel=FUEL, timeout=20.0)
FAILOVER_BOUND = 10.0


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalnetLayout]:
    with localnet(tmp_path, monkeypatch, 4, short_intervals(FUEL)) as net:
        yield net


def sha256_chain(iterations: int, seed: bytes) -> bytes:
    digest = seed
    for _ in range(iterations):
        digest = hashlib.sha256(digest).digest()
    return digest


def status(node: NodeLayout) -> dict[str, object]:
    try:
        return dict(NodeClient(node.api_url, timeout=2).call("GET", "/status"))
    except NodeApiError:
        return {}


def primary_of(nodes: list[NodeLayout]) -> NodeLayout | None:
    return next((node for node in nodes if status(node).get("coordinator") is True), None)


def submit(client: NodeClient, tmp_path: Path, iterations: int, seed: bytes) -> str:
    """Submit, again while a write is refused (an election under way on a loaded machine)."""
    request = JobRequest(
        guest_wasm("hash_chain"), encode_hash_chain_input(iterations, seed), LIMITS, 2
    )

    return eventually(lambda: client.submit(request, tmp_path / "keys"), 30, "the job accepted")


def finished_output(client: NodeClient, job_id: str) -> bytes | None:
    state = client.status(job_id)["state"]
    return client.result(job_id) if state == "completed" else None


def test_killing_the_primary_promotes_a_passive_and_loses_no_job(
    layout: LocalnetLayout, tmp_path: Path
) -> None:
    nodes = list(layout.nodes)
    old = eventually(lambda: primary_of(nodes), 20, "a primary")
    survivors = [node for node in nodes if node is not old]
    client = NodeClient(survivors[0].api_url)
    expected: dict[str, bytes] = {}
    for index in range(3):
        seed = f"before {index}".encode()
        expected[submit(client, tmp_path, 1000, seed)] = sha256_chain(1000, seed)
    before = {
        job: eventually(lambda job=job: finished_output(client, job), 30, f"job {job}")
        for job in expected
    }
    for index in range(4):  # long enough to be running when the primary dies
        seed = f"during {index}".encode()
        expected[submit(client, tmp_path, 400_000, seed)] = sha256_chain(400_000, seed)

    os.killpg(int(old.pid_path.read_text()), signal.SIGKILL)
    killed = time.monotonic()
    new = eventually(lambda: primary_of(survivors), 30, "a new primary")
    failover = time.monotonic() - killed
    print(f"failover: {new.name} primary {failover:.2f} s after {old.name} was killed")
    assert failover <= FAILOVER_BOUND

    for job, output in expected.items():
        got = eventually(lambda job=job: finished_output(client, job), 60, f"job {job}")
        assert got == output
    assert {job: client.result(job) for job in before} == before

    spawn_node(old)
    restarted = eventually(
        lambda: status(old) if status(old).get("known_coordinator") else None, 30, "old primary up"
    )
    assert restarted["coordinator_role"] == "passive"
    assert restarted["known_coordinator"] == new.node_id
    assert status(new)["coordinator"] is True
