"""Compute on a localnet of five real validator processes over tcp (the issue's checks).

"A localnet of 5 validators over tcp completes jobs at K=3 with agreement; one validator
injected to return wrong results is outvoted and loses reputation; one killed mid-job is
replaced on retry and goes stale after the heartbeat timeout."

Oracles: Python slicing for the reverse guest, hashlib's SHA-256 chain for the hash-chain guest,
the process table for the kill, and the primary's own pool report for reputation and staleness.
"""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.guests import encode_hash_chain_input, guest_wasm
from paraloom.config import ReputationSettings
from paraloom.localnet.layout import LocalnetLayout, NodeFaults, NodeLayout
from paraloom.localnet.processes import primary_node
from paraloom.node.client import JobRequest, NodeClient

from .process_net import eventually, localnet, short_intervals

FUEL = 40_000_000_000
SETTINGS = {**short_intervals(FUEL), "network": {"request_timeout": "2s"}}
SHORT = ExecutionLimits(memory_limit=16 * 2**20, fuel=10**9, timeout=5.0)
LONG = ExecutionLimits(memory_limit=16 * 2**20, fuel=FUEL, timeout=5.0)
INITIAL = ReputationSettings().initial


@pytest.fixture
def five(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """Starts a five-node localnet with the faults given; every process is stopped after."""
    with ExitStack() as stack:

        def start(faults: NodeFaults | None = None) -> LocalnetLayout:
            return stack.enter_context(localnet(tmp_path, monkeypatch, 5, SETTINGS, faults))

        yield start


def finished(client: NodeClient, job_id: str) -> dict[str, Any] | None:
    status = client.status(job_id)
    return status if status["state"] in ("completed", "failed", "rejected") else None


def test_jobs_agree_at_k3_and_the_liar_is_outvoted_and_loses_reputation(
    five: Callable[..., LocalnetLayout], tmp_path: Path
) -> None:
    layout = five({"node3": {"wrong_results": True}})
    liar = layout.nodes[3].node_id
    client = NodeClient(layout.nodes[0].api_url)
    outvoted = 0
    for index in range(12):
        data = f"job {index} for five validators".encode()
        request = JobRequest(guest_wasm("reverse"), data, SHORT, replication=3)
        job_id = eventually(
            lambda request=request: client.submit(request, tmp_path / "keys"), 30, "accepted"
        )
        status = eventually(lambda job_id=job_id: finished(client, job_id), 30, f"job {index}")
        assert status["state"] == "completed"
        assert client.result(job_id) == data[::-1]
        if liar in status["cohort"]:
            outvoted += 1
            assert "2 of 3 agree" in status["history"][-1]["reason"]
        if outvoted >= 2:
            break
    assert outvoted >= 1, "the liar was never drawn into a cohort"
    pool = eventually(lambda: _judged(client, liar), 10, "the liar's straggling vote judged")
    honest = [score for node, score in pool.items() if node != liar]
    assert pool[liar] < INITIAL
    assert all(pool[liar] < score for score in honest)


def _judged(client: NodeClient, liar: str) -> dict[str, float] | None:
    scores: dict[str, float] = client.validators()["reputation"]
    return scores if scores.get(liar, INITIAL) < INITIAL else None


def test_a_validator_killed_mid_job_is_replaced_and_goes_stale(
    five: Callable[..., LocalnetLayout], tmp_path: Path
) -> None:
    layout = five()
    primary = eventually(lambda: primary_node(layout), 20, "a primary")
    client = NodeClient(primary.api_url)
    iterations, seed = 3_000_000, b"long enough to be killed"
    request = JobRequest(
        guest_wasm("hash_chain"), encode_hash_chain_input(iterations, seed), LONG, replication=2
    )
    job_id = eventually(lambda: client.submit(request, tmp_path / "keys"), 30, "accepted")
    cohort = eventually(lambda: _running_cohort(client, job_id), 20, "the job running")
    victim = _node(layout, next(node for node in cohort if node != primary.node_id))
    os.killpg(int(victim.pid_path.read_text()), signal.SIGKILL)

    status = eventually(lambda: finished(client, job_id), 60, "the job after the kill")
    assert status["state"] == "completed"
    assert status["attempts"] >= 2
    assert victim.node_id not in status["cohort"]
    digest = seed
    for _ in range(iterations):
        digest = hashlib.sha256(digest).digest()
    assert client.result(job_id) == digest

    pool = eventually(lambda: _without(client, victim.node_id), 10, f"{victim.name} stale")
    assert pool["reputation"][victim.node_id] < INITIAL
    later = JobRequest(guest_wasm("reverse"), b"after the kill", SHORT, replication=3)
    later_id = eventually(lambda: client.submit(later, tmp_path / "keys"), 30, "accepted")
    after = eventually(lambda: finished(client, later_id), 30, "a job after the kill")
    assert after["state"] == "completed"
    assert victim.node_id not in after["cohort"]


def _running_cohort(client: NodeClient, job_id: str) -> list[str] | None:
    status = client.status(job_id)
    return list(status["cohort"]) if status["state"] in ("assigned", "executing") else None


def _without(client: NodeClient, node_id: str) -> dict[str, Any] | None:
    pool = client.validators()
    return pool if all(v["node_id"] != node_id for v in pool["validators"]) else None


def _node(layout: LocalnetLayout, node_id: str) -> NodeLayout:
    return next(node for node in layout.nodes if node.node_id == node_id)
