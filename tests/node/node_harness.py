"""An in-process localnet for the node tests: nodes on one memory network, real executors.

Not a test module: the node tests import it. Timers are shortened (heartbeats every 50 ms)
so that registration and deadlines happen within a test; nothing asserts on timing, the
helpers only wait, up to a generous bound, for a state the test then checks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from paraloom.components import Executor
from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.wasmtime_executor import WasmtimeExecutor
from paraloom.config import Config, load_config
from paraloom.crypto.identity import NodeIdentity
from paraloom.network.memory import MemoryNetwork, MemoryTransport
from paraloom.node.node import Node, NodeRoles
from paraloom.node.validator_role import ValidatorOptions

LIMITS = ExecutionLimits(memory_limit=64 * 2**20, fuel=10**9, timeout=30.0)
CAPACITY = ValidatorOptions(LIMITS, slots=4)
FINAL_STATES = ("completed", "failed", "rejected")
WAIT = 20.0


def node_config(data_dir: Path, overrides: Mapping[str, str] | None = None) -> Config:
    settings = {
        "node.data_dir": str(data_dir),
        "node.identity_key": str(data_dir / "identity.key"),
        "node.api_listen": "127.0.0.1:0",
        "health.enabled": "false",
        "compute.heartbeat_interval": "50ms",
        "compute.validator_timeout": "5s",
        "network.request_timeout": "5s",
        **(overrides or {}),
    }
    return load_config(None, environ={}, overrides=settings)


@dataclass
class Localnet:
    coordinator: Node
    validators: list[Node]

    @property
    def nodes(self) -> list[Node]:
        return [self.coordinator, *self.validators]

    def api_url(self, node: Node) -> str:
        assert node.api_address is not None
        host, port = node.api_address
        return f"http://{host}:{port}"


@asynccontextmanager
async def localnet(
    tmp_path: Path,
    validators: int = 3,
    *,
    executor_for: Callable[[int, Executor], Executor] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> AsyncIterator[Localnet]:
    """A coordinator (no validator role) and ``validators`` validators, all registered."""
    network = MemoryNetwork()
    executor = WasmtimeExecutor(LIMITS, concurrent_jobs=4)
    coordinator = Node(
        node_config(tmp_path / "coordinator", overrides),
        NodeIdentity.generate(),
        MemoryTransport(network, 4 * 2**20),
        None,
        roles=NodeRoles(coordinator=True, validator=False),
    )
    members = [
        Node(
            node_config(tmp_path / f"validator-{index}", overrides),
            NodeIdentity.generate(),
            MemoryTransport(network, 4 * 2**20),
            executor_for(index, executor) if executor_for else executor,
            validator_options=CAPACITY,
        )
        for index in range(validators)
    ]
    net = Localnet(coordinator, members)
    try:
        async with running(net.nodes):
            yield net
    finally:
        executor.close()


@asynccontextmanager
async def running(nodes: Sequence[Node]) -> AsyncIterator[None]:
    """Start the nodes in order, wait until all are ready, and stop those started, last first."""
    started: list[Node] = []
    try:
        for node in nodes:
            await node.start()
            started.append(node)
        await wait_for(lambda: all(node.ready() for node in nodes))
        yield
    finally:
        for node in reversed(started):
            await node.stop()


async def wait_for(condition: Callable[[], bool], timeout: float = WAIT) -> None:
    """Poll until ``condition`` holds; fail the test if it never does."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def job_state(node: Node, job_id: str) -> str | None:
    assert node.coordinator is not None
    record = node.coordinator.store.job(bytes.fromhex(job_id))
    return None if record is None else record.state
