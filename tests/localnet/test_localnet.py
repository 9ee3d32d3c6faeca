"""`paraloom localnet up|status|down` with real detached node processes on loopback.

Oracles: the reverse guest's specification (Python slicing) for the job's output, the kernel
for whether processes exist (signal 0 to each pid and process group) and whether ports are
free (binding them again).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paraloom.cli.main import paraloom_cli
from paraloom.config import load_config
from paraloom.errors import LocalnetError
from paraloom.localnet.layout import MANIFEST, NodeLayout, create_layout, load_layout
from paraloom.localnet.processes import localnet_status, start_localnet, stop_localnet
from paraloom.localnet.state import CURRENT_FILE, STATE_DIR_ENV

REVERSE = Path(str(files("paraloom").joinpath("data/guests/reverse.wasm")))
INPUT = b"reverse me, localnet"


@pytest.fixture
def net_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A localnet directory whose nodes are stopped after the test, whatever happened."""
    monkeypatch.setenv(STATE_DIR_ENV, str(tmp_path / "state"))
    monkeypatch.setenv("PARALOOM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PARALOOM_CONFIG", raising=False)
    directory = tmp_path / "net"
    yield directory
    if (directory / MANIFEST).exists():
        stop_localnet(load_layout(directory), grace=5)


def _cli(*args: str) -> Result:
    return CliRunner().invoke(paraloom_cli, list(args))


def _gone(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _bindable(port: int) -> bool:
    """Free for a new listener; SO_REUSEADDR as the nodes' own servers use, so connections
    lingering in TIME_WAIT do not count, only a socket still listening does."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports(node: dict[str, object]) -> list[int]:
    return [int(str(node[key]).rsplit(":", 1)[1]) for key in ("api", "health")]


def _submit_and_wait(tmp_path: Path) -> str:
    source = tmp_path / "input.bin"
    source.write_bytes(INPUT)
    submitted = _cli("compute", "submit", "--wasm", str(REVERSE), "--input", str(source))
    assert submitted.exit_code == 0, submitted.output
    job_id = submitted.output.split()[-1]
    deadline = time.monotonic() + 30
    while True:
        status = _cli("compute", "status", job_id, "--json")
        assert status.exit_code == 0, status.output
        if json.loads(status.output)["state"] == "completed":
            return job_id
        assert time.monotonic() < deadline, status.output
        time.sleep(0.1)


def test_up_status_submit_down(tmp_path: Path, net_dir: Path) -> None:
    up = _cli(
        "localnet", "up", "--validators", "3", "--dir", str(net_dir),
        "--fault", "node2:slow_replies=10ms",
    )  # fmt: skip
    assert up.exit_code == 0, up.output
    testing = load_config(load_layout(net_dir).nodes[2].config_path, environ={}).testing
    assert testing.slow_replies == pytest.approx(0.01)
    assert testing.faults == ("slow_replies",)
    status = _cli("localnet", "status", "--json")
    assert status.exit_code == 0, status.output
    nodes = json.loads(status.output)
    assert [(n["running"], n["ready"]) for n in nodes] == [(True, True)] * 3
    roles = sorted(n["role"] for n in nodes)
    assert roles == [
        "validator, coordinator passive",
        "validator, coordinator passive",
        "validator, coordinator primary",
    ]
    for node in nodes:
        assert f"api {node['api']}  health {node['health']}" in up.output
    assert _cli("localnet", "up", "--dir", str(net_dir)).exit_code == 1  # refused, still up

    job_id = _submit_and_wait(tmp_path)
    output = tmp_path / "out.bin"
    fetched = _cli("compute", "result", job_id, "--output", str(output))
    assert fetched.exit_code == 0, fetched.output
    assert output.read_bytes() == INPUT[::-1]

    down = _cli("localnet", "down")
    assert down.exit_code == 0, down.output
    assert down.output.count("stopped (pid") == 3
    for node in nodes:
        assert _gone(int(str(node["pid"])))
        assert all(_bindable(port) for port in _ports(node))
        assert Path(str(node["log"])).read_text().rstrip().endswith("stopped")  # by SIGTERM
    assert not (tmp_path / "state" / CURRENT_FILE).exists()
    again = _cli("localnet", "status")
    assert again.exit_code == 1
    assert again.output.startswith("error: no current localnet")


def test_down_without_a_localnet_is_a_clean_error(tmp_path: Path, net_dir: Path) -> None:
    result = _cli("localnet", "down", "--dir", str(tmp_path / "nothing"))
    assert result.exit_code == 1
    assert result.output == f"error: no localnet in {tmp_path / 'nothing'} (no {MANIFEST})\n"
    assert _cli("localnet", "down").output.startswith("error: no current localnet")


def test_up_into_a_dir_with_a_localnet_is_refused(net_dir: Path) -> None:
    create_layout(net_dir, 1)
    result = _cli("localnet", "up", "--validators", "1", "--dir", str(net_dir))
    assert result.exit_code == 1
    assert "already holds a localnet" in result.output
    assert all(not state.running for state in localnet_status(load_layout(net_dir)))


def test_a_node_that_exits_is_named_with_its_log(net_dir: Path) -> None:
    layout = create_layout(net_dir, 2)
    broken = layout.nodes[1]
    broken.config_path.write_text(broken.config_path.read_text() + "[bogus]\nkey = 1\n")
    with pytest.raises(LocalnetError, match="node1 exited during start-up") as caught:
        start_localnet(layout, timeout=30)
    assert str(broken.log_path) in str(caught.value)
    assert "bogus" in broken.log_path.read_text()
    assert not any(state.running for state in localnet_status(layout, probe=False))
    assert not any(node.pid_path.exists() for node in layout.nodes)


def _fake_node(node: NodeLayout, *, ignore_term: bool) -> int:
    """A process that passes for ``node`` (its config path is on its command line)."""
    handler = "signal.signal(signal.SIGTERM, signal.SIG_IGN); " if ignore_term else ""
    code = f"import signal, sys, time; {handler}print('up', flush=True); time.sleep(60)"
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(node.config_path)],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stdout is not None
    process.stdout.readline()  # the handler is in place
    node.pid_path.write_text(str(process.pid))
    return process.pid


def test_down_kills_a_node_that_ignores_sigterm(net_dir: Path) -> None:
    layout = create_layout(net_dir, 1)
    pid = _fake_node(layout.nodes[0], ignore_term=True)
    before = stop_localnet(layout, grace=0.3)
    assert [state.running for state in before] == [True]
    assert _gone(pid)
    assert not layout.nodes[0].pid_path.exists()


def test_a_stale_pid_file_names_no_node(net_dir: Path) -> None:
    """A pid file naming a process that is not this node (here: the test itself) shows the
    node as stopped, and `down` leaves that process alone."""
    layout = create_layout(net_dir, 1)
    layout.nodes[0].pid_path.write_text(str(os.getpid()))
    assert [state.running for state in localnet_status(layout)] == [False]
    stop_localnet(layout, grace=0.1)
    assert not layout.nodes[0].pid_path.exists()


def test_status_shows_a_killed_node_as_stopped(net_dir: Path) -> None:
    layout = create_layout(net_dir, 2)
    pids = [_fake_node(node, ignore_term=False) for node in layout.nodes]
    os.killpg(pids[1], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while localnet_status(layout, probe=False)[1].running and time.monotonic() < deadline:
        time.sleep(0.05)
    states = localnet_status(layout, probe=False)
    assert [state.running for state in states] == [True, False]
    stop_localnet(layout, grace=5)
    assert _gone(pids[0])
