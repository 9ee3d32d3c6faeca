"""What a durable commit costs: the node database with synchronous = FULL against NORMAL.

A transition is one recorded state change: a job moving state (its row updated, its audit
entry appended by trigger) or a withdrawal decided (7 signed votes, its nullifier spent).
Each configuration records TRANSITIONS transitions, in transactions of 1, 10 or 100 (so
that every configuration writes the same data), on a fresh database in a temporary folder,
and prints the median of several runs; with FULL every
commit waits for an fsync of the WAL, so the difference between the two modes per commit
is the fsync, and grouping transitions spreads it. The last line times reopening a stored
Merkle tree, which is rebuilt from its leaves.

    python benchmarks/bench_storage.py                     # 1000 transitions, 3 runs each
    python benchmarks/bench_storage.py --transitions 200   # a few seconds
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

from measure import timed

from paraloom.consensus.votes import Decision, sign_vote
from paraloom.crypto.identity import NodeIdentity
from paraloom.storage.chain import ChainStore, SignedVote, WithdrawalDecision, WithdrawalRequest
from paraloom.storage.compute_store import ComputeStore, NewJob, Transition
from paraloom.storage.database import Database, open_database
from paraloom.storage.merkle_store import MerkleStore

GROUPS = (1, 10, 100)
MODES = ("FULL", "NORMAL")
VALIDATORS = tuple(NodeIdentity.from_seed(bytes([number]) * 32) for number in range(7))

#: Makes the work of one transaction: (database, transitions per transaction) -> callable.
#: (database, transitions per transaction, transitions it will be asked for) -> one commit.
Workload = Callable[[Database, int, int], Callable[[], None]]


def job_transitions(database: Database, group: int, _needed: int) -> Callable[[], None]:
    """Move ``group`` jobs between two states, alternately, in one transaction."""
    store = ComputeStore(database)
    jobs = [os.urandom(32) for _ in range(group)]
    store.submit(NewJob(job_id, b"spec", "bench") for job_id in jobs)
    states = itertools.cycle(["executing", "verifying"])

    def commit() -> None:
        state = next(states)
        store.apply(Transition(job_id, state, "bench") for job_id in jobs)

    return commit


def withdrawal_decisions(database: Database, group: int, needed: int) -> Callable[[], None]:
    """Decide ``group`` new withdrawals (approved, 7 votes, nullifier spent) in one transaction.

    The votes are signed before the clock starts: signing is the validators' cost, not the
    store's.
    """
    chain = ChainStore(database)
    decisions = iter([approved_withdrawal() for _ in range(needed)])

    def commit() -> None:
        chain.record_decisions([next(decisions) for _ in range(group)])

    return commit


def approved_withdrawal() -> WithdrawalDecision:
    request = WithdrawalRequest(os.urandom(32), os.urandom(32), 1_000, bytes(32), 99)
    votes = tuple(
        SignedVote.of(sign_vote(voter, request.request_id, Decision.APPROVE, voted_at=1))
        for voter in VALIDATORS
    )
    return WithdrawalDecision(request, "approved", votes, decided_at=2)


def measure(workload: Workload, mode: str, group: int, commits: int, repeat: int) -> float:
    """Median seconds of ``commits`` transactions of ``group`` transitions each."""
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "bench.sqlite3", synchronous=mode)
        with database:
            commit = workload(database, group, commits * group * repeat)
            median, _ = timed(repeat, lambda: [commit() for _ in range(commits)])
    return median


def bench_commits(transitions: int, repeat: int) -> None:
    print(
        f"{'transition':<20} {'sync':<7} {'per txn':>7} {'commits/s':>10} "
        f"{'transitions/s':>14} {'µs/transition':>14} {'µs/commit':>10}"
    )
    workloads = {"job state change": job_transitions, "withdrawal decided": withdrawal_decisions}
    for (name, workload), mode, group in itertools.product(workloads.items(), MODES, GROUPS):
        commits = max(1, transitions // group)
        seconds = measure(workload, mode, group, commits, repeat)
        print(
            f"{name:<20} {mode:<7} {group:>7} {commits / seconds:>10.0f} "
            f"{commits * group / seconds:>14.0f} {seconds / (commits * group) * 1e6:>14.1f} "
            f"{seconds / commits * 1e6:>10.0f}",
            flush=True,
        )


def bench_merkle_reopen(leaves: int, repeat: int) -> None:
    rng = random.Random(2024)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        with open_database(path) as database:
            MerkleStore.open(database).append(rng.randrange(1, 1 << 250) for _ in range(leaves))

        def reopen() -> None:
            with open_database(path) as database:
                MerkleStore.open(database)

        median, _ = timed(repeat, reopen)
    print(
        f"merkle store reopen, depth 20, {leaves} leaves: {median * 1e3:.0f} ms "
        f"({median / leaves * 1e6:.0f} µs per leaf)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transitions", type=int, default=1000, help="transitions per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration")
    parser.add_argument("--leaves", type=int, default=2048, help="leaves of the reopened tree")
    arguments = parser.parse_args()
    bench_commits(arguments.transitions, arguments.repeat)
    bench_merkle_reopen(arguments.leaves, arguments.repeat)


if __name__ == "__main__":
    main()
