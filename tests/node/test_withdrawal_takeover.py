"""A new primary takes the deposit tree and withdrawal decisions over from the replicated state.

Oracles: the encoded leaves and votes read back from the store they were written to, and a
second store that received the same notices.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paraloom.compute.registry import ValidatorRegistry
from paraloom.compute.reputation import ReputationTracker
from paraloom.config import ComputeSettings, ConsensusSettings, ReputationSettings
from paraloom.consensus.votes import Decision, sign_vote
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ConsensusError
from paraloom.network.wire import WireMessage
from paraloom.node.protocol import Accepted, Reply
from paraloom.node.withdrawals import WithdrawalCoordinator
from paraloom.storage import chain
from paraloom.storage.chain import SignedVote, WithdrawalDecision
from paraloom.storage.database import Database, open_database
from paraloom.storage.merkle_store import encode_element


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
