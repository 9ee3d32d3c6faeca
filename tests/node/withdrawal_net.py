"""An in-process network that votes on withdrawals, and withdraw proofs made with the shipped
keys; shared by the withdrawal tests and benchmarks/bench_consensus.py (not a test module).

The note's tree is rebuilt here with :class:`IncrementalMerkleTree` from the commitments that
were deposited, so the proof's root is computed independently of the nodes' stores.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from paraloom.circuits.withdraw import TREE_DEPTH, Note, WithdrawWitness
from paraloom.compute.wasmtime_executor import WasmtimeExecutor
from paraloom.config import load_config
from paraloom.consensus.withdrawal import WithdrawalRequest, withdrawal_request
from paraloom.crypto.identity import NodeIdentity
from paraloom.crypto.merkle import IncrementalMerkleTree
from paraloom.manager import build_plugin_manager
from paraloom.network.memory import MemoryNetwork, MemoryTransport
from paraloom.node.node import Node, NodeRoles
from paraloom.node.withdrawals import ProofVerifier, WithdrawProofs, load_withdraw_proofs
from paraloom.registry import Registry
from paraloom.storage.merkle_store import encode_element

from .node_harness import CAPACITY, LIMITS, node_config, running

EXPIRATION_SLOT = 1_000


@functools.cache
def withdraw_proofs() -> WithdrawProofs:
    """The default config's verifier: curve "auto", the compact codec, the shipped keys."""
    config = load_config(None, environ={}, overrides={})
    return load_withdraw_proofs(Registry(build_plugin_manager(config.plugins.loading)), config)


def auto_curve_is_python() -> bool:
    """Whether "auto" falls back to the pure-Python backend (no native plugin installed)."""
    return Registry(build_plugin_manager()).get("curve", "auto").spec.name == "python"


def prove_withdrawal(
    note: Note, leaves: list[int], index: int, recipient: bytes, *, amount: int | None = None
) -> WithdrawalRequest:
    """A request spending ``note`` at ``index`` of the tree of ``leaves``; ``amount`` other
    than the note's makes a request whose proof was made for another statement."""
    tree = IncrementalMerkleTree(TREE_DEPTH)
    tree.insert_many(leaves)
    witness = WithdrawWitness(note, tree.proof(index), recipient, EXPIRATION_SLOT)
    proofs = withdraw_proofs()
    proof, _ = proofs.circuit.prove(proofs.backend, witness.inputs())
    return withdrawal_request(
        proof=proofs.codec.encode_proof(proof),
        root=encode_element(witness.root),
        nullifier=encode_element(witness.nullifier),
        amount=note.amount if amount is None else amount,
        recipient=recipient,
        expiration_slot=EXPIRATION_SLOT,
    )


@dataclass
class WithdrawalNet:
    coordinator: Node
    validators: list[Node]

    @property
    def nodes(self) -> list[Node]:
        return [self.coordinator, *self.validators]


@asynccontextmanager
async def withdrawal_net(
    tmp_path: Path,
    validators: int,
    *,
    verifier_for: Callable[[int, ProofVerifier], ProofVerifier] | None = None,
) -> AsyncIterator[WithdrawalNet]:
    """A coordinator (no validator role) and ``validators`` voting validators, registered."""
    network = MemoryNetwork()
    executor = WasmtimeExecutor(LIMITS, concurrent_jobs=4)
    proofs: ProofVerifier = withdraw_proofs()
    coordinator = Node(
        node_config(tmp_path / "coordinator"),
        NodeIdentity.generate(),
        MemoryTransport(network, 4 * 2**20),
        None,
        roles=NodeRoles(coordinator=True, validator=False),
    )
    members = [
        Node(
            node_config(tmp_path / f"validator-{index}"),
            NodeIdentity.generate(),
            MemoryTransport(network, 4 * 2**20),
            executor,
            roles=NodeRoles(coordinator_id=coordinator.node_id),
            validator_options=CAPACITY,
            withdraw_proofs=verifier_for(index, proofs) if verifier_for else proofs,
        )
        for index in range(validators)
    ]
    net = WithdrawalNet(coordinator, members)
    try:
        async with running(net.nodes):
            yield net
    finally:
        executor.close()
