"""A node killed (SIGKILL) while it writes restarts with a consistent database.

The issue's check: "A node killed during writes restarts with a consistent database (no
half-recorded job, no spent nullifier forgotten)." A one-node localnet (coordinator, validator
and voter at once) approves a real withdrawal, then takes job submissions and deposits from
client threads until it is killed mid-stream. Read with plain sqlite3 while no process runs:
SQLite's own integrity check, every acknowledged job and deposit present, each job's state the
last of its audit log, its attempts those of its cohorts, results only from cohort members, the
approved withdrawal's nullifier spent. Restarted, the node serves the old jobs and finishes the
unfinished ones.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.guests import guest_wasm
from paraloom.demo.withdraw import run_withdrawal
from paraloom.errors import NodeApiError
from paraloom.localnet.layout import LocalnetLayout
from paraloom.localnet.processes import (
    localnet_status,
    spawn_node,
)
from paraloom.node.client import JobRequest, NodeClient
from paraloom.options import TomlValue
from paraloom.storage.database import database_path
from paraloom.storage.merkle_store import encode_element

from .process_net import eventually, localnet
from .withdrawal_net import withdraw_proofs

LIMITS = ExecutionLimits(memory_limit=16 * 2**20, fuel=10**8, timeout=5.0)


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalnetLayout]:
    # no sampling: a job asked for one validator must not wait for a second this net lacks
    settings: dict[str, dict[str, TomlValue]] = {
        "compute": {"heartbeat_interval": "200ms", "poe_sample_rate": 0.0}
    }
    with localnet(tmp_path, monkeypatch, 1, settings) as net:
        yield net


class Writer:
    """Submits jobs and deposits until the node stops answering; keeps what was acknowledged."""

    def __init__(self, client: NodeClient, keys: Path) -> None:
        self.client, self.keys = client, keys
        self.jobs: list[str] = []
        self.leaves: dict[int, bytes] = {}
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        self._thread.join(30)

    def _run(self) -> None:
        for index in range(10**6):
            try:
                request = JobRequest(guest_wasm("reverse"), b"%d" % index, LIMITS, 1)
                self.jobs.append(self.client.submit(request, self.keys))
                commitment = encode_element(10**6 + index)
                answer = self.client.call("POST", "/deposits", {"commitment": commitment.hex()})
                self.leaves[int(answer["leaf_index"])] = commitment
            except NodeApiError:
                return


def test_a_node_killed_mid_write_restarts_consistent(
    layout: LocalnetLayout, tmp_path: Path
) -> None:
    node = layout.nodes[0]
    client = NodeClient(node.api_url, timeout=5)
    approved = run_withdrawal(client, withdraw_proofs(), {}, timeout=30)
    assert approved.vote.startswith("validator vote: approved")
    spent = _spent_nullifiers(node.directory / "data")
    assert len(spent) == 1

    writer = Writer(client, tmp_path / "keys")
    writer.start()
    eventually(lambda: True if len(writer.jobs) >= 20 else None, 60, "20 acknowledged jobs")
    os.killpg(int(node.pid_path.read_text()), signal.SIGKILL)
    writer.join()
    eventually(lambda: None if _running(layout) else True, 10, "the node gone")

    with sqlite3.connect(database_path(node.directory / "data")) as database:
        assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        _check_jobs(database, writer.jobs)
        leaves = dict(database.execute("SELECT leaf_index, leaf FROM merkle_leaves"))
        assert {index: leaves.get(index) for index in writer.leaves} == writer.leaves
        assert sorted(leaves) == list(range(len(leaves)))
        latest = database.execute("SELECT max(leaf_count) FROM merkle_roots").fetchone()[0]
        assert latest == len(leaves)
    assert _spent_nullifiers(node.directory / "data") == spent

    spawn_node(node)
    for job_id in writer.jobs:
        status = eventually(lambda job_id=job_id: _final(client, job_id), 60, f"job {job_id}")
        assert status == "completed"


def _check_jobs(database: sqlite3.Connection, acknowledged: list[str]) -> None:
    """No half-recorded job: each acknowledged job is stored whole and its log is unbroken."""
    stored = {bytes(row[0]).hex(): row[1:] for row in database.execute(
        "SELECT job_id, state, attempts FROM jobs"
    )}  # fmt: skip
    assert set(acknowledged) <= set(stored)
    for job_id, (state, attempts) in stored.items():
        key = bytes.fromhex(job_id)
        log = database.execute(
            "SELECT from_state, to_state FROM job_audit WHERE job_id = ? ORDER BY seq", (key,)
        ).fetchall()
        assert log[0][0] is None
        assert all(log[i][0] == log[i - 1][1] for i in range(1, len(log)))
        assert log[-1][1] == state
        cohorts = database.execute(
            "SELECT count(DISTINCT attempt) FROM job_cohorts WHERE job_id = ?", (key,)
        ).fetchone()[0]
        assert cohorts == attempts
        strangers = database.execute(
            "SELECT count(*) FROM job_results r WHERE job_id = ? AND NOT EXISTS (SELECT 1 FROM "
            "job_cohorts c WHERE c.job_id = r.job_id AND c.attempt = r.attempt AND "
            "c.node_id = r.node_id)",
            (key,),
        ).fetchone()[0]
        assert strangers == 0


def _spent_nullifiers(data_dir: Path) -> set[bytes]:
    with sqlite3.connect(database_path(data_dir)) as database:
        return {bytes(row[0]) for row in database.execute("SELECT nullifier FROM nullifiers")}


def _final(client: NodeClient, job_id: str) -> str | None:
    state = str(client.status(job_id)["state"])
    return state if state in ("completed", "failed", "rejected") else None


def _running(layout: LocalnetLayout) -> bool:
    """Whether the node process exists (the status reaps it once it is a zombie)."""
    return localnet_status(layout, probe=False)[0].running
