"""Coordinator HA inside nodes: election, forwarding, replication and takeover, in-process.

Three nodes on one memory network, each a member of the coordinator set and a validator, with
timers shortened (heartbeat 100 ms, failover after 400 ms). The real-process check with SIGKILL
is tests/node/test_failover.py; here the same paths run fast enough for the default suite.
Oracles: Python slicing for the reverse guest, and each node's own view of the roles.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

import pytest

from paraloom.compute.requester import new_job_id, public_job_spec
from paraloom.compute.wasmtime_executor import WasmtimeExecutor
from paraloom.crypto import schnorr
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ConfigError, NotPrimaryError
from paraloom.network.memory import MemoryNetwork, MemoryTransport
from paraloom.node.client import JobRequest, NodeClient
from paraloom.node.coordination import Role
from paraloom.node.node import Node, NodeRoles
from paraloom.storage.coordination_store import CoordinationStore

from .node_harness import CAPACITY, FINAL_STATES, LIMITS, node_config, wait_for

REVERSE = Path(str(files("paraloom").joinpath("data/guests/reverse.wasm"))).read_bytes()
INPUT = b"replicated before it is acknowledged"
FAST_HA = {"coordinator.heartbeat_interval": "100ms", "coordinator.failover_after": "400ms"}


def _members(identities: list[NodeIdentity]) -> dict[str, str]:
    return {"coordinator.members": ",".join(i.public_key.hex() for i in identities), **FAST_HA}


def _node(
    tmp_path: Path,
    network: MemoryNetwork,
    identity: NodeIdentity,
    executor: WasmtimeExecutor,
    overrides: dict[str, str],
) -> Node:
    return Node(
        node_config(tmp_path / identity.node_id_hex[:8], overrides),
        identity,
        MemoryTransport(network, 4 * 2**20),
        executor,
        validator_options=CAPACITY,
    )


@asynccontextmanager
async def ha_net(tmp_path: Path, size: int = 3) -> AsyncIterator[list[Node]]:
    network = MemoryNetwork()
    executor = WasmtimeExecutor(LIMITS, concurrent_jobs=4)
    identities = [NodeIdentity.generate() for _ in range(size)]
    nodes = [_node(tmp_path, network, i, executor, _members(identities)) for i in identities]
    started: list[Node] = []
    try:
        for node in nodes:
            await node.start()
            started.append(node)
        await wait_for(lambda: _primary(nodes) is not None and all(n.ready() for n in nodes))
        yield nodes
    finally:
        for node in reversed(started):
            await node.stop()
        executor.close()


def _restarted(node: Node) -> Node:
    """A new process of a stopped node, as far as the network can tell: same key and data."""
    transport = node.transport
    assert isinstance(transport, MemoryTransport)
    return Node(
        node.config,
        node.identity,
        MemoryTransport(transport.network, 4 * 2**20),
        node.executor,
        validator_options=CAPACITY,
    )


def _primary(nodes: list[Node]) -> Node | None:
    primaries = [node for node in nodes if node.coordinator is not None]
    assert len(primaries) <= 1
    return primaries[0] if primaries else None


def _url(node: Node) -> str:
    assert node.api_address is not None
    return "http://{}:{}".format(*node.api_address)


async def _run(node: Node, tmp_path: Path) -> str:
    request = JobRequest(REVERSE, INPUT, LIMITS, replication=2)
    return await asyncio.to_thread(NodeClient(_url(node)).submit, request, tmp_path / "keys")


async def _result(node: Node, job_id: str) -> bytes:
    """The job's output once final, asked over HTTP from a thread (the node serves on this
    loop, so a blocking call here would wait for itself)."""
    client = NodeClient(_url(node))
    async with asyncio.timeout(30):
        while (await asyncio.to_thread(client.status, job_id))["state"] not in FINAL_STATES:
            await asyncio.sleep(0.02)
    return await asyncio.to_thread(client.result, job_id)


async def test_one_member_is_elected_and_every_node_knows_it(tmp_path: Path) -> None:
    async with ha_net(tmp_path) as nodes:
        primary = _primary(nodes)
        assert primary is not None
        assert primary.ha is not None
        assert primary.ha.role is Role.PRIMARY
        for node in nodes:
            assert node.ha is not None
            assert node.ha.primary == primary.node_id
            assert node.validator is not None
            assert node.validator.coordinator == primary.node_id
        assert primary.coordinator is not None
        assert len(primary.coordinator.registry) == 3


async def test_a_passive_refuses_coordinator_work_naming_the_primary(tmp_path: Path) -> None:
    async with ha_net(tmp_path) as nodes:
        primary = _primary(nodes)
        assert primary is not None
        passive = next(node for node in nodes if node is not primary)
        assert passive.ha is not None
        with pytest.raises(NotPrimaryError, match="not the primary"):
            await passive.ha.replicate()
        with pytest.raises(NotPrimaryError, match=primary.node_id):
            passive._primary()


async def test_a_job_submitted_anywhere_survives_the_primary(tmp_path: Path) -> None:
    async with ha_net(tmp_path) as nodes:
        old = _primary(nodes)
        assert old is not None
        passive = next(node for node in nodes if node is not old)
        job_id = await _run(passive, tmp_path)
        assert await _result(passive, job_id) == INPUT[::-1]
        term = old.ha.term if old.ha is not None else 0

        await old.stop()
        survivors = [node for node in nodes if node is not old]
        await wait_for(lambda: _primary(survivors) is not None)
        new = _primary(survivors)
        assert new is not None
        assert new.ha is not None
        assert new.ha.term > term
        assert await _result(passive, job_id) == INPUT[::-1]  # kept, not run again
        assert new.coordinator is not None
        record = new.coordinator.store.job(bytes.fromhex(job_id))
        assert record is not None
        assert record.state == "completed"
        later = await _run(passive, tmp_path)
        assert await _result(passive, later) == INPUT[::-1]


async def test_a_write_waits_for_a_majority(tmp_path: Path) -> None:
    async with ha_net(tmp_path) as nodes:
        primary = _primary(nodes)
        assert primary is not None
        assert primary.ha is not None
        others = [node for node in nodes if node is not primary]
        for node in others:
            await node.stop()
        assert primary.coordinator is not None
        spec = public_job_spec(
            new_job_id(), REVERSE, INPUT, LIMITS, schnorr.KeyPair.generate().public, replication=2
        )
        await primary.coordinator.submit(spec, "tester")  # queued: a change to replicate
        waiting = asyncio.ensure_future(primary.ha.replicate())
        await asyncio.sleep(0.5)
        assert not waiting.done()  # one of three holds it: not acknowledged
        back = _restarted(others[0])
        await back.start()
        try:
            await asyncio.wait_for(waiting, 10)  # two of three: acknowledged
        finally:
            await back.stop()


async def test_a_restarted_member_keeps_its_term_and_snapshot(tmp_path: Path) -> None:
    async with ha_net(tmp_path) as nodes:
        primary = _primary(nodes)
        assert primary is not None
        job_id = await _run(primary, tmp_path)
        await _result(primary, job_id)
        passive = next(node for node in nodes if node is not primary)
        ha, database = passive.ha, passive.database
        assert ha is not None
        assert database is not None
        await wait_for(lambda: ha.machine.replica.snapshot.state != b"")
        term, held = ha.term, ha.machine.replica.position
        stored = CoordinationStore(database)
        assert stored.persistent().term == term
        assert stored.snapshot().position == held


def test_a_member_key_that_is_not_hex_is_a_config_error(tmp_path: Path) -> None:
    identity = NodeIdentity.generate()
    node = Node(
        node_config(tmp_path, {"coordinator.members": "not-a-key"}),
        identity,
        MemoryTransport(MemoryNetwork(), 4 * 2**20),
        None,
        roles=NodeRoles(coordinator=True, validator=False),
    )
    with pytest.raises(ConfigError, match=r"coordinator\.members"):
        asyncio.run(node.start())


def test_the_coordinator_flag_outside_the_configured_set_is_refused(tmp_path: Path) -> None:
    outsider, member = NodeIdentity.generate(), NodeIdentity.generate()
    node = Node(
        node_config(tmp_path, {"coordinator.members": member.public_key.hex()}),
        outsider,
        MemoryTransport(MemoryNetwork(), 4 * 2**20),
        None,
        roles=NodeRoles(coordinator=True, validator=False),
    )
    with pytest.raises(ConfigError, match=r"not in coordinator\.members"):
        asyncio.run(node.start())
