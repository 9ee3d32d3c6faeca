"""The `[testing]` fault-injection table: parsing, the localnet-only rule, and its effects.

Oracles: `random.Random` with the same seed for the fractional draws, the reverse guest's
specification (Python slicing) for the agreed output, and the memory transport's documented
timeout for slow replies. The localnets are written by `create_layout`, the only writer of the
marker, and run in-process on the memory transport.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from paraloom.cli.main import paraloom_cli
from paraloom.compute.guests import guest_wasm
from paraloom.compute.messages import JobLimits
from paraloom.compute.wasmtime_executor import WasmtimeExecutor
from paraloom.config import (
    Config,
    FaultRate,
    TestingSettings,
    load_config,
    render_default_config,
)
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ConfigError, LocalnetError, TransportError
from paraloom.localnet.layout import LocalnetLayout, create_layout
from paraloom.network.memory import MemoryNetwork, MemoryTransport
from paraloom.node.client import JobRequest, NodeClient
from paraloom.node.faults import Faults, SlowHandler, corrupt, require_localnet
from paraloom.node.node import Node, NodeRoles
from paraloom.node.protocol import Accepted, ValidatorHeartbeat
from paraloom.options import OptionValueError

from .node_harness import CAPACITY, FINAL_STATES, LIMITS, job_state, wait_for

REVERSE = guest_wasm("reverse")
INPUT = b"faults are outvoted"
EXPECTED = INPUT[::-1]
FAST = {
    "health.enabled": "false",
    "node.api_listen": "127.0.0.1:0",
    "compute.heartbeat_interval": "50ms",
    "compute.validator_timeout": "5s",
    "network.request_timeout": "5s",
    # node0 coordinates alone here, as NodeRoles says, not the layout's elected set
    "coordinator.members": "",
}


# -- the table ------------------------------------------------------------------------------


@given(st.booleans())
def test_fault_rate_takes_booleans_as_all_or_nothing(flag: bool) -> None:
    assert FaultRate().parse(flag) == (1.0 if flag else 0.0)
    assert FaultRate().parse_text(str(flag).lower()) == (1.0 if flag else 0.0)


@given(st.floats(min_value=0.0, max_value=1.0))
def test_fault_rate_takes_fractions(rate: float) -> None:
    assert FaultRate().parse(rate) == rate
    assert FaultRate().parse_text(repr(rate)) == rate


@pytest.mark.parametrize("raw", [-0.1, 1.5, "half", float("nan")])
def test_fault_rate_refuses_what_is_not_a_fraction(raw: object) -> None:
    with pytest.raises(OptionValueError):
        FaultRate().parse(raw)


def test_table_defaults_to_no_faults_and_is_in_the_rendered_config() -> None:
    assert Config().testing.faults == ()
    assert "[testing]" in render_default_config()
    config = load_config(None, environ={}, overrides={"testing.slow_replies": "2s"})
    assert config.testing.faults == ("slow_replies",)


# -- the draws ------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=2**32), st.floats(min_value=0.01, max_value=0.99))
def test_fractional_faults_follow_the_random_stream(seed: int, rate: float) -> None:
    faults = Faults(TestingSettings(wrong_results=rate, drop_votes=rate), random.Random(seed))
    oracle = random.Random(seed)
    for _ in range(20):
        assert faults.corrupts_result() == (oracle.random() < rate)
        assert faults.drops_vote() == (oracle.random() < rate)


@given(st.integers(min_value=0, max_value=2**32))
def test_all_or_nothing_faults_do_not_depend_on_chance(seed: int) -> None:
    always = Faults(TestingSettings(wrong_results=1.0, drop_votes=1.0), random.Random(seed))
    never = Faults(TestingSettings(), random.Random(seed))
    assert all(always.corrupts_result() and always.drops_vote() for _ in range(10))
    assert not any(never.corrupts_result() or never.drops_vote() for _ in range(10))
    assert not never.active
    assert always.active


@given(st.binary(max_size=64))
def test_a_corrupted_output_differs(output: bytes) -> None:
    assert corrupt(output) != output


def test_no_faults_wrap_nothing() -> None:
    executor = WasmtimeExecutor(LIMITS)
    try:
        assert Faults(TestingSettings()).executor(executor) is executor
    finally:
        executor.close()


# -- refused outside a localnet -------------------------------------------------------------


def _config(path: Path | None = None, **overrides: str) -> Config:
    return load_config(path, environ={}, overrides=overrides)


def test_no_faults_need_no_localnet(tmp_path: Path) -> None:
    require_localnet(_config(**{"node.data_dir": str(tmp_path)}))


@pytest.mark.parametrize(
    ("localnet", "reason"),
    [
        (None, "testing.localnet is not set"),
        ("empty", "holds no localnet"),
        ("net", "is not inside a node of the localnet"),
    ],
)
def test_faults_outside_a_localnet_are_refused(
    tmp_path: Path, localnet: str | None, reason: str
) -> None:
    create_layout(tmp_path / "net", 1)
    (tmp_path / "empty").mkdir()
    settings = {"testing.wrong_results": "0.5", "node.data_dir": str(tmp_path / "elsewhere")}
    if localnet is not None:
        settings["testing.localnet"] = str(tmp_path / localnet)
    with pytest.raises(ConfigError, match=reason) as caught:
        require_localnet(_config(**settings))
    assert "testing.wrong_results" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_node_run_refuses_faults_with_one_line_and_exit_2(tmp_path: Path) -> None:
    NodeIdentity.generate().save(tmp_path / "identity.key")  # else its creation is reported
    result = CliRunner().invoke(
        paraloom_cli,
        [
            "--set",
            "testing.drop_votes=true",
            "--set",
            f"node.data_dir={tmp_path / 'data'}",
            "--set",
            f"node.identity_key={tmp_path / 'identity.key'}",
            "--set",
            "plugins.transport=memory",
            "node",
            "run",
            "--no-validate",
        ],
        env={"PARALOOM_CONFIG": None},
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "testing.drop_votes" in lines[0]
    assert "testing.localnet is not set" in lines[0]
    assert not (tmp_path / "data").exists()


def test_layout_writes_each_nodes_faults_and_the_marker(tmp_path: Path) -> None:
    layout = create_layout(tmp_path / "net", 2, faults={"node1": {"wrong_results": 0.25}})
    honest, faulty = (_config(node.config_path) for node in layout.nodes)
    assert honest.testing.faults == ()
    assert faulty.testing.wrong_results == 0.25
    assert Path(faulty.testing.localnet) == tmp_path / "net"
    require_localnet(faulty)


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        ({"node5": {"drop_votes": True}}, "no such node"),
        ({"node1": {"lie": True}}, "unknown fault 'lie'"),
        ({"node1": {"localnet": "/"}}, "unknown fault 'localnet'"),
        ({"node1": {"slow_replies": 3}}, "slow_replies"),
    ],
)
def test_layout_refuses_bad_faults(
    tmp_path: Path, faults: dict[str, dict[str, object]], message: str
) -> None:
    with pytest.raises(LocalnetError, match=message):
        create_layout(tmp_path / "net", 2, faults=faults)  # type: ignore[arg-type]
    assert not (tmp_path / "net" / "localnet.json").exists()


# -- effects on a running localnet ----------------------------------------------------------


@asynccontextmanager
async def layout_net(layout: LocalnetLayout) -> AsyncIterator[list[Node]]:
    """The layout's nodes in-process on one memory network: node0 coordinates only, the rest
    validate, each with the config and key the layout wrote (timers shortened)."""
    network = MemoryNetwork()
    executor = WasmtimeExecutor(LIMITS, concurrent_jobs=4)
    coordinator = layout.nodes[0].node_id
    nodes = [
        Node(
            _config(entry.config_path, **FAST),
            NodeIdentity.load(entry.key_path),
            MemoryTransport(network, 4 * 2**20),
            None if index == 0 else executor,
            roles=NodeRoles(index == 0, index != 0, coordinator),
            validator_options=CAPACITY,
        )
        for index, entry in enumerate(layout.nodes)
    ]
    started: list[Node] = []
    try:
        for node in nodes:
            await node.start()
            started.append(node)
        await wait_for(lambda: all(node.ready() for node in nodes))
        yield nodes
    finally:
        for node in reversed(started):
            await node.stop()
        executor.close()


async def _run_job(coordinator: Node, tmp_path: Path) -> bytes:
    assert coordinator.api_address is not None
    url = "http://{}:{}".format(*coordinator.api_address)
    request = JobRequest(REVERSE, INPUT, LIMITS, replication=3)
    job_id = await asyncio.to_thread(NodeClient(url).submit, request, tmp_path / "keys")
    await wait_for(lambda: job_state(coordinator, job_id) in FINAL_STATES)
    assert job_state(coordinator, job_id) == "completed"
    return bytes.fromhex(job_id)


async def test_a_node_with_wrong_results_is_outvoted(tmp_path: Path) -> None:
    layout = create_layout(tmp_path / "net", 4, faults={"node3": {"wrong_results": True}})
    async with layout_net(layout) as nodes:
        job = await _run_job(nodes[0], tmp_path)
        coordinator = nodes[0].coordinator
        assert coordinator is not None
        assert coordinator.verdict_output(job) == EXPECTED
        liar, honest = nodes[3].node_id, nodes[1].node_id
        await wait_for(lambda: coordinator.reputation.score(liar, 0.0) < 1000)
        assert coordinator.reputation.score(honest, 0.0) > 1000
        assert "2 of 3 agree" in coordinator.store.audit_log(job)[-1].reason
        lie = {r.result_hash for r in coordinator.store.results(job) if r.node_id.hex() == liar}
        assert lie
        assert hashlib.sha256(EXPECTED).digest() not in lie


async def test_a_node_that_drops_votes_sends_no_outcome(tmp_path: Path) -> None:
    layout = create_layout(tmp_path / "net", 4, faults={"node3": {"drop_votes": True}})
    async with layout_net(layout) as nodes:
        job = await _run_job(nodes[0], tmp_path)
        coordinator = nodes[0].coordinator
        assert coordinator is not None
        voters = {r.node_id.hex() for r in coordinator.store.results(job)}
        assert voters == {nodes[1].node_id, nodes[2].node_id}


async def test_slow_replies_outlast_a_short_deadline(tmp_path: Path) -> None:
    layout = create_layout(tmp_path / "net", 2, faults={"node1": {"slow_replies": "2s"}})
    async with layout_net(layout) as (coordinator, slow):
        assert isinstance(slow.faults.handler(slow.dispatcher), SlowHandler)
        heartbeat = ValidatorHeartbeat(JobLimits.of(LIMITS), 0.0)
        payload = coordinator.dispatcher.encode(heartbeat)
        with pytest.raises(TransportError, match="did not reply"):
            await coordinator.transport.request(slow.node_id, payload, 0.2)
        # the other way round, the same request is answered at once
        reply = await slow.transport.request(coordinator.node_id, payload, 5.0)
        assert isinstance(coordinator.dispatcher.decode_reply(reply), Accepted)
