"""The node processes of a localnet: started detached, watched until ready, stopped.

Each node is ``python -m paraloom --config <node>/paraloom.toml node run`` in a session of its
own (so it outlives the shell that started it), its output in ``<node>/node.log`` and its pid
in ``<node>/node.pid``. A localnet is ready when every node answers 200 on ``/ready`` and the
primary coordinator's ``/status`` counts every validator registered. Stopping sends SIGTERM (a node
then closes its database and connections), waits, and kills what is left after a grace period.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from paraloom.config import iter_slots
from paraloom.errors import LocalnetError, NodeApiError
from paraloom.localnet.layout import LocalnetLayout, NodeLayout
from paraloom.node.client import NodeClient

START_TIMEOUT = 60.0
STOP_GRACE = 10.0
POLL_INTERVAL = 0.2
PROBE_TIMEOUT = 2.0


@dataclass(frozen=True)
class NodeState:
    """What `localnet status` shows of one node."""

    node: NodeLayout
    pid: int | None
    running: bool
    ready: bool
    coordinator_role: str | None = None

    @property
    def role(self) -> str:
        """The node's roles; for a member of the coordinator set, its part now (primary,
        passive, candidate) when it answered, else just that it is a member."""
        if not self.node.coordinator:
            return "validator"
        return f"validator, coordinator {self.coordinator_role or 'set member'}"


def start_localnet(layout: LocalnetLayout, timeout: float = START_TIMEOUT) -> None:
    """Start every node and wait until the localnet is ready; on failure stop them all."""
    try:
        for node in layout.nodes:
            spawn_node(node)
        _wait_ready(layout, timeout)
    except BaseException:
        stop_localnet(layout)
        raise


def stop_localnet(layout: LocalnetLayout, grace: float = STOP_GRACE) -> list[NodeState]:
    """SIGTERM every running node, SIGKILL those still there after ``grace`` seconds, and
    remove the pid files; returns the nodes as they were before."""
    before = localnet_status(layout, probe=False)
    running = [state.pid for state in before if state.running and state.pid is not None]
    for pid in running:
        _signal(pid, signal.SIGTERM)
    left = _wait_gone(running, grace)
    for pid in left:
        _signal(pid, signal.SIGKILL)
    _wait_gone(left, STOP_GRACE)
    for node in layout.nodes:
        node.pid_path.unlink(missing_ok=True)
    return before


def localnet_status(layout: LocalnetLayout, *, probe: bool = True) -> list[NodeState]:
    """Each node's pid, whether it runs and (with ``probe``) whether it answers ready."""
    states = []
    for node in layout.nodes:
        running = _running_pid(node) is not None
        ready = probe and running and _ready(node)
        role = _status(node).get("coordinator_role") if ready else None
        states.append(
            NodeState(
                node, _read_pid(node), running, ready, role if isinstance(role, str) else None
            )
        )
    return states


def spawn_node(node: NodeLayout) -> None:
    """Start one node detached (also to restart a node that was stopped or killed)."""
    if _running_pid(node) is not None:
        raise LocalnetError(f"{node.name} already runs (pid file {node.pid_path})")
    command = [sys.executable, "-m", "paraloom", "--config", str(node.config_path)]
    with open(node.log_path, "ab") as log:
        process = subprocess.Popen(
            [*command, "node", "run"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=node.directory,
            env=_child_environment(os.environ),
            start_new_session=True,
        )
    node.pid_path.write_text(f"{process.pid}\n")


def _child_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment less the settings variables, which would override the
    node's own config file (precedence: env > TOML)."""
    settings = {slot.env_name for slot in iter_slots()} | {"PARALOOM_CONFIG"}
    return {key: value for key, value in environment.items() if key not in settings}


def _wait_ready(layout: LocalnetLayout, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = _not_ready(layout)
    while waiting is not None:
        if time.monotonic() > deadline:
            node, reason = waiting
            raise LocalnetError(
                f"{node.name} is not ready after {timeout:g}s: {reason}; see {node.log_path}"
            )
        time.sleep(POLL_INTERVAL)
        waiting = _not_ready(layout)


def _not_ready(layout: LocalnetLayout) -> tuple[NodeLayout, str] | None:
    """The first node that is not ready yet and why; an exited node fails at once."""
    states = localnet_status(layout)
    for state in states:
        if not state.running:
            raise LocalnetError(
                f"{state.node.name} exited during start-up; see {state.node.log_path}"
            )
    for state in states:
        if not state.ready:
            return state.node, f"{state.node.health_url}/ready does not answer 200"
    primary = primary_node(layout)
    if primary is None:
        return layout.entry, "no primary coordinator elected yet"
    registered = registered_validators(primary)
    if registered < len(layout.nodes):
        return primary, f"{registered} of {len(layout.nodes)} validators registered"
    return None


def primary_node(layout: LocalnetLayout) -> NodeLayout | None:
    """The node that answers it is the primary coordinator now (None while none does)."""
    for node in layout.nodes:
        if node.coordinator and _status(node).get("coordinator") is True:
            return node
    return None


def registered_validators(coordinator: NodeLayout) -> int:
    """How many validators the coordinator reports registered (0 while it does not answer)."""
    count = _status(coordinator).get("validators")
    return count if isinstance(count, int) else 0


def _status(node: NodeLayout) -> dict[str, object]:
    status = _probe(node.api_url, "/status")
    return status if isinstance(status, dict) else {}


def _ready(node: NodeLayout) -> bool:
    return _probe(node.health_url, "/ready") is not None


def _probe(url: str, path: str) -> object:
    """The JSON a node answers, or None while it cannot answer (or answers an error)."""
    try:
        return NodeClient(url, timeout=PROBE_TIMEOUT).call("GET", path)
    except NodeApiError:
        return None


def _running_pid(node: NodeLayout) -> int | None:
    """The pid in the node's pid file if that process runs and is this node."""
    pid = _read_pid(node)
    return pid if pid is not None and _alive(pid) and _runs_node(pid, node) else None


def _wait_gone(pids: list[int], seconds: float) -> list[int]:
    """Wait up to ``seconds`` for the processes to end; returns those still alive."""
    deadline = time.monotonic() + seconds
    left = [pid for pid in pids if _alive(pid)]
    while left and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL / 4)
        left = [pid for pid in left if _alive(pid)]
    return left


def _read_pid(node: NodeLayout) -> int | None:
    try:
        return int(node.pid_path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs; a child of this process that exited is reaped here, since a
    zombie still answers signal 0."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _runs_node(pid: int, node: NodeLayout) -> bool:
    """Guards against a stale pid file whose pid now belongs to another program: where
    /proc exists, the process must have been started with this node's config."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not Path("/proc/self").exists():
        return True
    try:
        arguments = cmdline.read_bytes()
    except OSError:
        return False
    # empty for a moment while a process starts (seen right after spawning): not a mismatch
    return not arguments or str(node.config_path).encode() in arguments


def _signal(pid: int, signum: signal.Signals) -> None:
    """Signal the node's whole session (it leads its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)
