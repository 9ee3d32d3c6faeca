"""Kill a writing node (SIGKILL, a real child process) over and over; the database must hold.

After every kill the database is reopened and checked: SQLite's integrity and foreign-key
checks pass, the Merkle tree rebuilds to its last recorded root, every job's audit log runs
without a gap from its submission to its current state, every approved withdrawal has its
nullifier spent and no nullifier is spent without one, every recorded vote re-verifies, and
everything the child acknowledged before it died is there.

A kill loses what the operating system has not yet been told, not what is in its page cache,
so this checks atomicity and recovery, not the fsync of ``synchronous = FULL`` (that needs a
power cut; the benchmark measures its cost).
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from paraloom.consensus.votes import verify_vote
from paraloom.storage.chain import ChainStore
from paraloom.storage.compute_store import JOB_STATES, ComputeStore
from paraloom.storage.database import Database, open_database
from paraloom.storage.merkle_store import MerkleStore
from paraloom.storage.nullifiers import NullifierSet

from .crash_writer import COHORT, TREE_DEPTH, VALIDATORS

KEYS = {validator.node_id: validator.public_key for validator in VALIDATORS}

WRITER = Path(__file__).with_name("crash_writer.py")

Ack = tuple[str, ...]


def write_until_killed(path: Path, acks_wanted: int) -> list[Ack]:
    """Start the writer, read ``acks_wanted`` acknowledgements, SIGKILL it mid-loop."""
    child = subprocess.Popen(
        [sys.executable, str(WRITER), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acks: list[Ack] = []
    try:
        assert child.stdout is not None
        while len(acks) < acks_wanted and (line := child.stdout.readline()):
            acks.append(tuple(line.split()))
    finally:
        child.send_signal(signal.SIGKILL)
        _, errors = child.communicate()
    assert child.returncode == -signal.SIGKILL, f"the writer died by itself:\n{errors}"
    return acks


def check_jobs(compute: ComputeStore, acked: set[bytes]) -> None:
    every_job = {job for state in JOB_STATES for job in compute.jobs_in_state(state)}
    assert acked <= every_job
    for job_id in every_job:
        record = compute.job(job_id)
        assert record is not None
        log = compute.audit_log(job_id)
        assert (log[0].from_state, log[0].to_state) == (None, "submitted")
        assert all(later.from_state == earlier.to_state for earlier, later in pairwise(log))
        assert log[-1].to_state == record.state
        assert record.cohort == (COHORT if record.attempts else ())
        if job_id in acked:
            assert record.state == "completed"
            assert len(compute.results(job_id)) == len(COHORT)


def check_withdrawals(database: Database, acked: dict[bytes, str]) -> None:
    chain, nullifiers = ChainStore(database), NullifierSet(database)
    approved = 0
    for (request_id,) in database.rows("SELECT request_id FROM withdrawals"):
        decision = chain.decision(request_id)
        assert decision is not None
        assert len(decision.votes) == 7
        for vote in decision.votes:
            verify_vote(vote.decoded(), KEYS[vote.validator_id], request_id=request_id)
        if decision.outcome == "approved":
            approved += 1
            assert nullifiers.spent(decision.request.nullifier)
    assert nullifiers.count() == approved
    for request_id, outcome in acked.items():
        decision = chain.decision(request_id)
        assert decision is not None
        assert decision.outcome == outcome


def check_consistent(path: Path, acks: list[Ack]) -> None:
    with open_database(path) as database:
        assert database.integrity_problems() == ()
        merkle = MerkleStore.open(database, TREE_DEPTH)
        assert len(merkle) >= max((int(ack[1]) for ack in acks if ack[0] == "leaves"), default=0)
        assert merkle.is_known_root(merkle.root)
        check_jobs(ComputeStore(database), {bytes.fromhex(a[1]) for a in acks if a[0] == "job"})
        check_withdrawals(
            database, {bytes.fromhex(a[1]): a[2] for a in acks if a[0] == "withdrawal"}
        )


def kill_repeatedly(path: Path, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    acks: list[Ack] = []
    for _ in range(kills):
        acks += write_until_killed(path, rng.randint(1, 40))
        check_consistent(path, acks)
    assert acks


def test_a_node_killed_during_writes_restarts_consistent(tmp_path: Path) -> None:
    kill_repeatedly(tmp_path / "node.sqlite3", kills=4, seed=1)


@pytest.mark.slow
def test_a_node_killed_many_times_during_writes_restarts_consistent(tmp_path: Path) -> None:
    kill_repeatedly(tmp_path / "node.sqlite3", kills=40, seed=2)
