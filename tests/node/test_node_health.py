"""/health, /ready and /metrics of running nodes, read with prometheus_client's own parser."""

from __future__ import annotations

import asyncio
import socket
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from paraloom.compute.guests import guest_wasm
from paraloom.crypto.identity import NodeIdentity
from paraloom.network.memory import MemoryNetwork, MemoryTransport
from paraloom.node.client import JobRequest, NodeClient
from paraloom.node.node import Node

from .node_harness import (
    CAPACITY,
    FINAL_STATES,
    LIMITS,
    job_state,
    localnet,
    node_config,
    wait_for,
)

HEALTH = {"health.enabled": "true", "health.listen": "127.0.0.1:0"}


def _get(address: tuple[str, int] | None, path: str) -> tuple[int, bytes]:
    assert address is not None
    url = f"http://{address[0]}:{address[1]}{path}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _samples(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
    }


async def test_health_ready_and_metrics_of_a_working_network(tmp_path: Path) -> None:
    async with localnet(tmp_path, overrides=HEALTH) as net:
        coordinator = net.coordinator
        for node in net.nodes:
            assert await asyncio.to_thread(_get, node.health_address, "/health") == (
                200,
                b'{"status": "ok"}\n',
            )
            status, _ = await asyncio.to_thread(_get, node.health_address, "/ready")
            assert status == 200
        request = JobRequest(guest_wasm("reverse"), b"abc", LIMITS, replication=3)
        job_id = await asyncio.to_thread(
            NodeClient(net.api_url(coordinator)).submit, request, tmp_path / "keys"
        )
        await wait_for(lambda: job_state(coordinator, job_id) in FINAL_STATES)
        coordinator.metrics.observe_verification(0.25)
        # a request that does not decode is dropped and counted
        await net.validators[0].transport.request(coordinator.node_id, b"\xc1garbage", 5)

        status, text = await asyncio.to_thread(_get, coordinator.health_address, "/metrics")
        assert status == 200
        samples = _samples(text)
        assert samples[("paraloom_jobs", (("state", "completed"),))] == 1
        assert samples[("paraloom_jobs", (("state", "failed"),))] == 0
        assert samples[("paraloom_peers", ())] == 3
        assert samples[("paraloom_coordinator_role", ())] == 1
        assert samples[("paraloom_nullifiers", ())] == 0
        assert samples[("paraloom_dropped_frames_total", (("reason", "malformed_request"),))] == 1
        assert samples[("paraloom_proof_verification_seconds_count", ())] == 1
        assert samples[("paraloom_proof_verification_seconds_sum", ())] == 0.25

        _, validator_text = await asyncio.to_thread(
            _get, net.validators[0].health_address, "/metrics"
        )
        assert _samples(validator_text)[("paraloom_coordinator_role", ())] == 0


async def test_unregistered_validator_is_alive_but_not_ready(tmp_path: Path) -> None:
    node = Node(
        node_config(tmp_path, HEALTH),
        NodeIdentity.generate(),
        MemoryTransport(MemoryNetwork(), 2**20),
        _Unused(),
        validator_options=CAPACITY,
    )
    await node.start()
    try:
        assert (await asyncio.to_thread(_get, node.health_address, "/health"))[0] == 200
        status, body = await asyncio.to_thread(_get, node.health_address, "/ready")
        assert (status, body) == (503, b'{"ready": false}\n')
        assert (await asyncio.to_thread(_get, node.health_address, "/nope"))[0] == 404
    finally:
        await node.stop()


async def test_a_busy_health_port_leaves_the_node_running_without_it(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        overrides = {"health.enabled": "true", "health.listen": f"127.0.0.1:{port}"}
        node = Node(
            node_config(tmp_path, overrides),
            NodeIdentity.generate(),
            MemoryTransport(MemoryNetwork(), 2**20),
            _Unused(),
            validator_options=CAPACITY,
        )
        await node.start()
        try:
            assert node.health_address is None
            assert node.api_address is not None
        finally:
            await node.stop()


async def test_health_disabled_serves_nothing(tmp_path: Path) -> None:
    async with localnet(tmp_path, validators=1) as net:
        assert net.coordinator.health_address is None


class _Unused:
    """Test double of an executor for a node that is never sent a job."""

    def execute(self, wasm: bytes, job_input: bytes, limits: object = None) -> object:
        raise AssertionError("no job should run here")
