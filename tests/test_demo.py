"""`paraloom demo`: the whole demo as a user runs it, and its sections on their own."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from paraloom.circuits.withdraw import Note
from paraloom.config import Selection, load_config
from paraloom.demo import jobs, withdraw
from paraloom.demo.inprocess import DEMO_MESSAGE, demo_groth16, demo_hashes, demo_job, demo_pairing
from paraloom.demo.network import SHORT_INTERVALS
from paraloom.errors import ConsensusError, DistributionError
from paraloom.localnet.layout import create_layout
from paraloom.manager import build_plugin_manager
from paraloom.registry import Registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(build_plugin_manager(load_config(None, environ={}).plugins.loading))


def _node_processes_under(directory: Path) -> list[int]:
    """Pids of processes whose command line names a path under ``directory``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(directory).encode() in cmdline:
            found.append(int(entry.name))
    return found


def test_the_demo_runs_a_localnet_end_to_end_and_leaves_nothing_running(tmp_path: Path) -> None:
    environment = {**os.environ, "PARALOOM_STATE_DIR": str(tmp_path), "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "paraloom", "demo"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for section in ("localnet", "jobs:", "withdrawal", "ceremony", "summary"):
        assert section in out
    assert "3 of 3 validators registered" in out
    assert "8 of 8 completed (4 private)" in out
    assert out.count("2 of 2 agree on") == 8
    assert out.count("b'omed moolarap'") == 3  # in process, then in the clear and private
    assert "count 5, sum 12, min -1, max 5" in out
    assert "final key verified from the circuit and the ptau: 3 contributions" in out
    assert "3 contributions verified; 3 signed transcript entries verified" in out
    assert "proof verifies: True" in out
    assert "3 started, 0 left running" in out
    assert _node_processes_under(tmp_path) == []
    assert list(tmp_path.glob("demo-*")) == []


# -- the in-process sections (fast) -----------------------------------------------------------


def test_pairing_and_groth16_sections_verify_and_refuse_a_forgery(registry: Registry) -> None:
    backend = registry.build(Selection("curve", "python"), "test")
    assert "= e(ab·G1, G2) for random a, b: True" in demo_pairing(backend)
    flat = " ".join(demo_groth16(backend))
    assert "proof that x is known for out = 35" in flat  # 3³ + 3 + 5
    assert "verifies: True" in flat
    assert "claims out = 36: False" in flat


def test_hashes_section_digests_the_message_with_each_function(registry: Registry) -> None:
    rows = dict(demo_hashes(registry))
    assert rows["sha256"] == hashlib.sha256(DEMO_MESSAGE).hexdigest()
    assert rows["blake2b"] == hashlib.blake2b(DEMO_MESSAGE).hexdigest()


def test_job_section_runs_the_reverse_guest(registry: Registry) -> None:
    executor = registry.build(Selection("executor", "wasmtime"), "test")
    assert repr(DEMO_MESSAGE[::-1]) in demo_job(executor, "wasmtime")


# -- the localnet's config ----------------------------------------------------------------------


def test_localnet_nodes_get_the_demo_intervals(tmp_path: Path) -> None:
    layout = create_layout(tmp_path, 2, SHORT_INTERVALS)
    for node in layout.nodes:
        config = load_config(node.config_path, environ={})
        assert config.compute.heartbeat_interval == pytest.approx(0.1)
        assert config.consensus.vote_timeout == pytest.approx(5.0)
        assert config.plugins.executor.options["fuel"] == jobs.EXECUTOR_FUEL
        assert config.node.api_listen[1] == node.api_port


def test_a_localnet_without_settings_keeps_the_defaults(tmp_path: Path) -> None:
    layout = create_layout(tmp_path, 1)
    config = load_config(layout.entry.config_path, environ={})
    assert config.compute.heartbeat_interval == pytest.approx(30.0)


# -- refusals -------------------------------------------------------------------------------------


class _Answers:
    """A node client that answers every call with the same document."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer

    def call(self, method: str, path: str, document: Any = None) -> dict[str, Any]:
        return self.answer

    def status(self, job_id: str) -> dict[str, Any]:
        return self.answer


def test_a_job_still_running_at_the_deadline_is_an_error() -> None:
    client: Any = _Answers({"job_id": "ab" * 32, "state": "executing"})
    with pytest.raises(DistributionError, match="still executing at the deadline"):
        jobs._wait(client, "ab" * 32, deadline=0.0)


def test_a_vote_still_open_at_the_deadline_is_an_error() -> None:
    client: Any = _Answers({"state": "voting", "votes": []})
    with pytest.raises(ConsensusError, match="still voting"):
        withdraw._wait_decided(client, "cd" * 32, deadline=0.0)


def test_a_deposit_not_at_the_first_leaf_is_refused() -> None:
    client: Any = _Answers({"leaf_index": 4, "root": "00" * 32})
    with pytest.raises(ConsensusError, match="leaf 4, not 0"):
        withdraw._deposit(client, Note.random(5))


def test_a_round_without_votes_is_reported_as_not_wired() -> None:
    verdict = withdraw._verdict({"state": "timeout", "votes": []}, {})
    assert verdict.startswith("validator vote: not wired yet")
    votes = [
        {"validator": "aa" * 32, "vote": "approve"},
        {"validator": "bb" * 32, "vote": "reject"},
    ]
    verdict = withdraw._verdict({"state": "approved", "votes": votes}, {"aa" * 32: "node1"})
    assert verdict == "validator vote: approved (node1 approve, bbbbbbbb reject)"


def test_agreement_shortens_digests() -> None:
    digest = "0f" * 32
    status = {"history": [{"reason": f"2 of 2 agree on {digest}"}]}
    assert jobs._agreement(status) == f"2 of 2 agree on {digest[:12]}…"
    assert jobs._agreement({"history": []}) == "-"
