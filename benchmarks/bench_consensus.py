"""Withdrawal consensus latency with 10 validators in one process (DESIGN §6).

A coordinator and ten validators on the memory transport (the network of the withdrawal tests,
``tests/node/withdrawal_net.py``); each withdrawal is a real proof made with the shipped keys.
Latency runs from the submission to the decision recorded in the coordinator's chain store
(approval needs 7 of 10 votes). Two split figures: one Groth16 verification as a validator
runs it (curve "auto"), and the latency of the same rounds with verification replaced by a
constant answer, which is everything but the proofs: messaging, judging, signing, counting,
recording. Medians of ``--rounds`` withdrawals.

    python benchmarks/bench_consensus.py              # 10 rounds
    python benchmarks/bench_consensus.py --rounds 3   # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from paraloom.circuits.withdraw import Note
from paraloom.consensus.withdrawal import WithdrawalRequest
from paraloom.node.withdrawals import ProofVerifier
from paraloom.storage.merkle_store import encode_element
from tests.node.withdrawal_net import (
    WithdrawalNet,
    prove_withdrawal,
    withdraw_proofs,
    withdrawal_net,
)

VALIDATORS = 10
RECIPIENT = bytes(range(32))


class TimedVerifier:
    """The real verifier, keeping how long each call took."""

    def __init__(self, inner: ProofVerifier, samples: list[float]) -> None:
        self.inner = inner
        self.samples = samples

    def verify(self, request: WithdrawalRequest) -> bool:
        started = time.perf_counter()
        try:
            return self.inner.verify(request)
        finally:
            self.samples.append(time.perf_counter() - started)


class ConstantVerifier:
    """Verification taken out: every proof is valid."""

    def verify(self, request: WithdrawalRequest) -> bool:
        return True


def make_requests(rounds: int) -> tuple[list[int], list[WithdrawalRequest]]:
    """``rounds`` notes in one tree and a proof spending each (made before timing starts)."""
    notes = [Note.random(1_000 + index) for index in range(rounds)]
    leaves = [note.commitment for note in notes]
    requests = [
        prove_withdrawal(note, leaves, index, RECIPIENT) for index, note in enumerate(notes)
    ]
    return leaves, requests


async def latencies(
    net: WithdrawalNet, leaves: list[int], requests: list[WithdrawalRequest]
) -> list[float]:
    withdrawals = net.coordinator.withdrawals
    assert withdrawals is not None
    for leaf in leaves:
        await withdrawals.deposit(encode_element(leaf))
    samples = []
    for request in requests:
        started = time.perf_counter()
        await withdrawals.submit(request)
        while withdrawals.chain.decision(request.request_id) is None:
            await asyncio.sleep(0.001)
        samples.append(time.perf_counter() - started)
        decision = withdrawals.chain.decision(request.request_id)
        assert decision is not None
        assert decision.outcome == "approved", decision.outcome
    return samples


async def measure(
    verifier: ProofVerifier, leaves: list[int], requests: list[WithdrawalRequest]
) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        async with withdrawal_net(
            Path(folder), VALIDATORS, verifier_for=lambda _index, _honest: verifier
        ) as net:
            return await latencies(net, leaves, requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="withdrawals per figure")
    rounds = parser.parse_args().rounds
    leaves, requests = make_requests(rounds)
    verifications: list[float] = []
    real = asyncio.run(measure(TimedVerifier(withdraw_proofs(), verifications), leaves, requests))
    rest = asyncio.run(measure(ConstantVerifier(), leaves, requests))
    backend = type(withdraw_proofs().backend).__name__
    print(f"withdrawal consensus, {VALIDATORS} validators in-process, curve backend {backend}")
    print(f"  latency (submit -> decision recorded)  {statistics.median(real) * 1e3:8.1f} ms")
    print(
        f"  one proof verification                 {statistics.median(verifications) * 1e3:8.1f} ms"
    )
    print(f"  latency without verification           {statistics.median(rest) * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
