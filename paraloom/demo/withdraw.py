"""The demo's withdrawal: deposit a fresh note's commitment, prove with the shipped withdraw
keys that we may spend it, and ask the localnet's validators to vote on the request.

The vote goes through the coordinator's ``POST /deposits`` and ``POST /withdrawals``. Where
the localnet does not run withdrawal consensus (the API refuses), the proof is still made and
verified here, and the vote is reported as not wired.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from paraloom.circuits.withdraw import TREE_DEPTH, Note, WithdrawWitness
from paraloom.consensus.withdrawal import WithdrawalRequest, encode_request, withdrawal_request
from paraloom.crypto.merkle import IncrementalMerkleTree
from paraloom.errors import ConsensusError, NodeApiError
from paraloom.node.client import NodeClient
from paraloom.node.withdrawals import WithdrawProofs
from paraloom.storage.merkle_store import encode_element

AMOUNT = 1_000_000
EXPIRATION_SLOT = 1_000
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class WithdrawalOutcome:
    """What happened to the withdrawal: the local check and the validators' verdict."""

    amount: int
    proof_verified: bool
    prove_seconds: float
    vote: str


def run_withdrawal(
    client: NodeClient, prover: WithdrawProofs, names: Mapping[str, str], timeout: float
) -> WithdrawalOutcome:
    """Deposit, prove, verify locally, then have the validators vote (where they can)."""
    note = Note.random(AMOUNT)
    try:
        _deposit(client, note)
    except NodeApiError as error:
        return _local_only(prover, note, f"validator vote: not wired yet ({error})")
    started = time.perf_counter()
    request, verified = _prove(prover, note)
    elapsed = time.perf_counter() - started
    body = {"request": base64.b64encode(encode_request(request)).decode()}
    request_id = str(client.call("POST", "/withdrawals", body)["request_id"])
    status = _wait_decided(client, request_id, time.monotonic() + timeout)
    return WithdrawalOutcome(AMOUNT, verified, elapsed, _verdict(status, names))


def _deposit(client: NodeClient, note: Note) -> None:
    """Append the note to the pool's tree, which starts empty in the demo's fresh localnet."""
    answer = client.call("POST", "/deposits", {"commitment": encode_element(note.commitment).hex()})
    leaf_index = int(answer["leaf_index"])
    if leaf_index != 0:
        raise ConsensusError(f"the demo's fresh tree put the note at leaf {leaf_index}, not 0")


def _local_only(prover: WithdrawProofs, note: Note, vote: str) -> WithdrawalOutcome:
    started = time.perf_counter()
    _request, verified = _prove(prover, note)
    return WithdrawalOutcome(AMOUNT, verified, time.perf_counter() - started, vote)


def _prove(prover: WithdrawProofs, note: Note) -> tuple[WithdrawalRequest, bool]:
    """The request spending ``note`` from a tree holding only it, and whether it verifies."""
    tree = IncrementalMerkleTree(TREE_DEPTH)
    tree.insert(note.commitment)
    recipient = secrets.token_bytes(32)
    witness = WithdrawWitness(note, tree.proof(0), recipient, EXPIRATION_SLOT)
    proof, public = prover.circuit.prove(prover.backend, witness.inputs())
    request = withdrawal_request(
        proof=prover.codec.encode_proof(proof),
        root=encode_element(witness.root),
        nullifier=encode_element(witness.nullifier),
        amount=note.amount,
        recipient=recipient,
        expiration_slot=EXPIRATION_SLOT,
    )
    return request, prover.circuit.verify(prover.backend, public, proof)


def _wait_decided(client: NodeClient, request_id: str, deadline: float) -> dict[str, Any]:
    status: dict[str, Any] = client.call("GET", f"/withdrawals/{request_id}")
    while status["state"] == "voting":
        if time.monotonic() > deadline:
            raise ConsensusError(f"withdrawal {request_id} is still voting at the deadline")
        time.sleep(POLL_SECONDS)
        status = client.call("GET", f"/withdrawals/{request_id}")
    return status


def _verdict(status: dict[str, Any], names: Mapping[str, str]) -> str:
    votes = ", ".join(
        f"{names.get(vote['validator'], vote['validator'][:8])} {vote['vote']}"
        for vote in status.get("votes", [])
    )
    if not votes:
        return f"validator vote: not wired yet (the round ended {status['state']}, no votes)"
    return f"validator vote: {status['state']} ({votes})"
