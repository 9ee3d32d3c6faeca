"""The withdrawal coordinator: what a new primary takes over from the replicated state (the
deposit tree, the decisions), and what it refuses (forged votes, spent nullifiers).

Oracles: the encoded leaves and votes read back from the store they were written to, and a
second store that received the same notices.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import msgspec
import pytest

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.registry import ValidatorRegistry, ValidatorStatus
from paraloom.compute.reputation import ReputationTracker
from paraloom.config import ComputeSettings, ConsensusSettings, ReputationSettings
from paraloom.consensus.votes import Decision, sign_vote
from paraloom.consensus.withdrawal import WithdrawalRequest, withdrawal_request
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ConsensusError
from paraloom.network.wire import WireMessage
from paraloom.node.protocol import Accepted, Reply
from paraloom.node.withdrawals import VoteRequest, WithdrawalCoordinator
from paraloom.storage import chain
from paraloom.storage.chain import SignedVote, WithdrawalDecision
from paraloom.storage.database import Database, open_database
from paraloom.storage.merkle_store import encode_element
from paraloom.storage.nullifiers import NullifierSet

LIMITS = ExecutionLimits(memory_limit=2**20, fuel=10**6, timeout=1.0)


async def _nowhere(_node: str, _message: WireMessage) -> Reply:
    return Accepted()


def _coordinator(database: Database) -> WithdrawalCoordinator:
    reputation = ReputationTracker(ReputationSettings())
    return WithdrawalCoordinator(
        ConsensusSettings(),
        database,
        reputation,
        registry=ValidatorRegistry(ComputeSettings(), reputation),
        send=_nowhere,
    )


def _decision(voter: NodeIdentity, nullifier: bytes) -> WithdrawalDecision:
    request_id = bytes([7]) * 32
    vote = sign_vote(voter, request_id, Decision.APPROVE, reason="ok", round=1, voted_at=5)
    request = chain.WithdrawalRequest(request_id, nullifier, 10, bytes(32), 0)
    return WithdrawalDecision(request, "approved", (SignedVote.of(vote),), 123)


async def test_a_new_primary_takes_the_tree_and_decisions_over(tmp_path: Path) -> None:
    voter = NodeIdentity.generate()
    with (
        open_database(tmp_path / "old.sqlite3") as old_db,
        open_database(tmp_path / "new.sqlite3") as new_db,
    ):
        old, new = _coordinator(old_db), _coordinator(new_db)
        for leaf in (1, 2, 3):
            await old.deposit(encode_element(leaf))
        new.tree.append([1])  # a prefix: the notices this node took as a validator
        old.chain.record_decision(_decision(voter, bytes([9]) * 32))

        new.adopt(old.export_deposits(), old.export_decisions(10))

        assert new.export_deposits() == old.export_deposits()
        assert new.tree.root == old.tree.root
        assert new.export_decisions(10) == old.export_decisions(10)
        assert new.chain.decision(bytes([7]) * 32) == old.chain.decision(bytes([7]) * 32)
        new.adopt(old.export_deposits(), old.export_decisions(10))  # again: nothing changes
        assert new.export_decisions(10) == old.export_decisions(10)


async def test_a_tree_that_differs_from_the_replicated_one_is_refused(tmp_path: Path) -> None:
    with (
        open_database(tmp_path / "old.sqlite3") as old_db,
        open_database(tmp_path / "new.sqlite3") as new_db,
    ):
        old, new = _coordinator(old_db), _coordinator(new_db)
        await old.deposit(encode_element(1))
        new.tree.append([2])
        with pytest.raises(ConsensusError, match="leaf 0 differs"):
            new.adopt(old.export_deposits(), [])
        new.tree.append([3])
        with pytest.raises(ConsensusError, match="2 leaves, the replicated one 1"):
            new.adopt(old.export_deposits(), [])


# -- what the coordinator refuses -----------------------------------------------------------


def _request(nullifier: bytes) -> WithdrawalRequest:
    return withdrawal_request(
        proof=b"not checked by the coordinator",
        root=bytes(32),
        nullifier=nullifier,
        amount=5,
        recipient=bytes(32),
        expiration_slot=0,
    )


async def test_a_forged_vote_is_refused_and_counted(tmp_path: Path) -> None:
    honest, victim, forger = (NodeIdentity.generate() for _ in range(3))

    async def answer(node: str, message: WireMessage) -> Reply:
        if not isinstance(message, VoteRequest):
            return Accepted()
        request_id = message.request.request_id
        if node == victim.node_id_hex:  # the forger signs in the victim's name
            vote = sign_vote(forger, request_id, Decision.APPROVE, round=message.round)
            return msgspec.structs.replace(vote, voter=victim.node_id)
        return sign_vote(honest, request_id, Decision.APPROVE, round=message.round)

    with open_database(tmp_path / "node.sqlite3") as database:
        reputation = ReputationTracker(ReputationSettings())
        registry = ValidatorRegistry(ComputeSettings(), reputation)
        coordinator = WithdrawalCoordinator(
            ConsensusSettings(), database, reputation, registry=registry, send=answer
        )
        for identity in (honest, victim):
            registry.register(identity.node_id_hex, time.monotonic(), ValidatorStatus(LIMITS))
            coordinator.register(identity.node_id_hex, identity.public_key)
        request_id = await coordinator.submit(_request(bytes([3]) * 32))
        deadline = time.monotonic() + 10
        while coordinator.refused_votes == 0:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        assert coordinator.refused_votes == 1
        status = coordinator.status(bytes.fromhex(request_id))
        assert status is not None
        assert status["state"] == "voting"  # one honest approval of two is not enough
        await coordinator.close()


async def test_a_request_for_a_spent_nullifier_is_refused_before_any_vote(
    tmp_path: Path,
) -> None:
    with open_database(tmp_path / "node.sqlite3") as database:
        coordinator = _coordinator(database)
        NullifierSet(database).add(bytes([4]) * 32)
        with pytest.raises(ConsensusError, match="already spent"):
            await coordinator.submit(_request(bytes([4]) * 32))
