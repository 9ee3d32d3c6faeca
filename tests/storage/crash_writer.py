"""A node's writes in a tight loop, run as a child process that the crash test kills.

    python crash_writer.py DATABASE

Each round commits node work in one of the shapes a node uses (a job's whole life in one
transaction or one transaction per step, a withdrawal decided with its spend, deposits
appended to the tree, all of it grouped in one transaction) and then prints one
acknowledgement line per committed record, flushed: ``job HEX``, ``withdrawal HEX OUTCOME``
or ``leaves COUNT``. A line is printed only after COMMIT returned, as a node acknowledges.
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Callable

from paraloom.consensus.votes import Decision, sign_vote
from paraloom.crypto.identity import NodeIdentity
from paraloom.storage.chain import (
    ChainStore,
    SignedVote,
    WithdrawalDecision,
    WithdrawalRequest,
)
from paraloom.storage.compute_store import ComputeStore, JobResult, NewJob, Transition
from paraloom.storage.database import Database, open_database
from paraloom.storage.merkle_store import MerkleStore

TREE_DEPTH = 16
COHORT = tuple(bytes([number]) * 32 for number in range(1, 4))
VALIDATORS = tuple(NodeIdentity.from_seed(bytes([number]) * 32) for number in range(10, 17))


class Writer:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.compute = ComputeStore(database)
        self.chain = ChainStore(database)
        self.merkle = MerkleStore.open(database, TREE_DEPTH)

    def job_in_one_transaction(self) -> list[str]:
        job_id = os.urandom(32)
        with self.database.transaction():
            self.run_job(job_id, lambda step: step())
        return [f"job {job_id.hex()}"]

    def job_step_by_step(self) -> list[str]:
        job_id = os.urandom(32)

        def committed(step: Callable[[], None]) -> None:
            with self.database.transaction():
                step()

        self.run_job(job_id, committed)
        return [f"job {job_id.hex()}"]

    def run_job(self, job_id: bytes, commit: Callable[[Callable[[], None]], None]) -> None:
        compute = self.compute
        commit(lambda: compute.submit([NewJob(job_id, os.urandom(64), "crash-test")]))
        commit(lambda: compute.apply([Transition(job_id, "assigned", "dispatched", COHORT)]))
        commit(lambda: compute.apply([Transition(job_id, "executing", "started")]))
        commit(lambda: compute.record_results(JobResult(job_id, n, b"out") for n in COHORT))
        commit(
            lambda: compute.apply(
                [
                    Transition(job_id, "verifying", "3 results"),
                    Transition(job_id, "completed", "quorum 3/3"),
                ]
            )
        )

    def withdrawal(self) -> list[str]:
        decision = random_decision()
        self.chain.record_decision(decision)
        return [f"withdrawal {decision.request.request_id.hex()} {decision.outcome}"]

    def deposits(self) -> list[str]:
        self.merkle.append(random.randrange(1, 1 << 250) for _ in range(random.randint(1, 3)))
        return [f"leaves {len(self.merkle)}"]

    def grouped(self) -> list[str]:
        with self.database.transaction():
            return [*self.job_in_one_transaction(), *self.withdrawal(), *self.deposits()]


def random_decision() -> WithdrawalDecision:
    outcome = random.choice(["approved", "approved", "rejected", "timeout"])
    kind = {"approved": "approve", "rejected": "reject"}.get(outcome, "abstain")
    request = WithdrawalRequest(os.urandom(32), os.urandom(32), 1_000, os.urandom(32), 99)
    votes = tuple(
        SignedVote.of(sign_vote(validator, request.request_id, Decision(kind), voted_at=1))
        for validator in VALIDATORS
    )
    return WithdrawalDecision(request, outcome, votes, decided_at=2)


def main() -> None:
    writer = Writer(open_database(sys.argv[1]))
    rounds = [
        writer.job_in_one_transaction,
        writer.job_step_by_step,
        writer.withdrawal,
        writer.deposits,
        writer.grouped,
    ]
    while True:
        for line in random.choice(rounds)():
            sys.stdout.write(line + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
