"""Withdrawal decisions with their votes and nullifier, and finality marks."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from paraloom.errors import StorageError
from paraloom.storage.chain import (
    OUTCOMES,
    VOTES,
    ChainStore,
    FinalityMark,
    SignedVote,
    WithdrawalDecision,
    WithdrawalRequest,
)
from paraloom.storage.database import Database, open_database
from paraloom.storage.nullifiers import NullifierSet

from .support import decision, ids, label, scratch_database, vote

signed_votes = st.builds(
    SignedVote,
    validator_id=ids,
    vote=st.sampled_from(VOTES),
    signature=st.binary(min_size=64, max_size=64),
    voted_at=st.integers(0, 2**63 - 1),
)
decisions = st.builds(
    WithdrawalDecision,
    request=st.builds(
        WithdrawalRequest,
        request_id=ids,
        nullifier=ids,
        amount=st.integers(1, 2**63 - 1),
        recipient=ids,
        expiration_slot=st.integers(0, 2**63 - 1),
    ),
    outcome=st.sampled_from(OUTCOMES),
    votes=st.lists(signed_votes, max_size=10, unique_by=lambda vote: vote.validator_id).map(tuple),
    decided_at=st.integers(0, 2**63 - 1),
)


def in_validator_order(recorded: WithdrawalDecision) -> WithdrawalDecision:
    return replace(recorded, votes=tuple(sorted(recorded.votes, key=lambda v: v.validator_id)))


@settings(max_examples=30)
@given(st.lists(decisions, max_size=4, unique_by=lambda d: d.request.request_id))
def test_decisions_read_back_as_recorded_and_approvals_spend_their_nullifier(
    recorded: list[WithdrawalDecision],
) -> None:
    approved = [d for d in recorded if d.outcome == "approved"]
    assume(len({d.request.nullifier for d in approved}) == len(approved))
    with scratch_database() as (path, database):
        ChainStore(database).record_decisions(recorded)
        database.close()
        with open_database(path) as reopened:
            chain, spent = ChainStore(reopened), NullifierSet(reopened)
            for item in recorded:
                assert chain.decision(item.request.request_id) == in_validator_order(item)
            assert spent.count() == len(approved)
            assert all(spent.spent(d.request.nullifier) for d in approved)


def test_an_unknown_request_has_no_decision(database: Database) -> None:
    assert ChainStore(database).decision(label("request", 9)) is None


@pytest.mark.parametrize("outcome", ["rejected", "timeout"])
def test_a_withdrawal_that_is_not_approved_spends_nothing(database: Database, outcome: str) -> None:
    ChainStore(database).record_decision(decision(1, outcome))
    assert not NullifierSet(database).spent(decision(1).request.nullifier)
    assert NullifierSet(database).count() == 0
    # ... so the same nullifier can still be spent by a later, approved request.
    ChainStore(database).record_decision(decision(2, nullifier=decision(1).request.nullifier))
    assert NullifierSet(database).count() == 1


def test_an_approval_of_a_spent_nullifier_records_nothing(database: Database) -> None:
    chain = ChainStore(database)
    chain.record_decision(decision(1))
    double = decision(2, nullifier=decision(1).request.nullifier)
    with pytest.raises(StorageError, match="which is already spent"):
        chain.record_decision(double)
    assert chain.decision(double.request.request_id) is None
    assert database.value("SELECT count(*) FROM withdrawal_votes") == 7


def test_a_group_of_decisions_is_recorded_whole_or_not_at_all(database: Database) -> None:
    chain = ChainStore(database)
    group = [decision(1), decision(2, "rejected"), decision(3, nullifier=label("nullifier", 1))]
    with pytest.raises(StorageError, match="already spent"):
        chain.record_decisions(group)
    assert [chain.decision(d.request.request_id) for d in group] == [None, None, None]
    assert NullifierSet(database).count() == 0
    chain.record_decisions(group[:2])
    assert NullifierSet(database).count() == 1


def test_a_request_is_decided_once(database: Database) -> None:
    chain = ChainStore(database)
    chain.record_decision(decision(1, "rejected"))
    with pytest.raises(StorageError, match="is already decided"):
        chain.record_decision(decision(1, "approved"))
    recorded = chain.decision(label("request", 1))
    assert recorded is not None
    assert recorded.outcome == "rejected"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcome": "maybe"}, "a withdrawal outcome 'maybe' is not one of"),
        ({"decided_at": -1}, "a decision time -1 is not in"),
        ({"votes": (vote(1), vote(1, "reject"))}, "a validator votes more than once"),
        ({"votes": (vote(1, "yes"),)}, "a vote 'yes' is not one of approve, reject, abstain"),
        ({"votes": (replace(vote(1), signature=b"s"),)}, "a vote signature must be 64 bytes"),
        ({"votes": (replace(vote(1), validator_id=b"v"),)}, "a validator id must be 32 bytes"),
        ({"votes": (replace(vote(1), voted_at=True),)}, "a vote time must be an integer"),
        ({"request": replace(decision(0).request, amount=0)}, "a withdrawal amount 0 is not in"),
        ({"request": replace(decision(0).request, amount=2**63)}, "amount 9223372036854775808"),
        ({"request": replace(decision(0).request, nullifier=b"n")}, "a nullifier must be 32"),
        ({"request": replace(decision(0).request, recipient=b"r")}, "a withdrawal recipient"),
        ({"request": replace(decision(0).request, request_id=b"")}, "a withdrawal request id"),
        ({"request": replace(decision(0).request, expiration_slot=-5)}, "an expiration slot"),
    ],
)
def test_a_malformed_decision_is_refused_naming_the_field(
    database: Database, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(StorageError, match=message):
        ChainStore(database).record_decisions([decision(9), replace(decision(0), **change)])
    assert database.value("SELECT count(*) FROM withdrawals") == 0


def test_decisions_and_votes_are_append_only(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    with open_database(path) as database:
        ChainStore(database).record_decision(decision(1))
    with sqlite3.connect(path) as raw:
        for statement in (
            "UPDATE withdrawals SET outcome = 'rejected', spent_nullifier = NULL",
            "DELETE FROM withdrawal_votes",
            "DELETE FROM withdrawals",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="is append-only"):
                raw.execute(statement)


def test_an_approval_without_its_nullifier_is_impossible_even_in_raw_sql(
    database: Database,
) -> None:
    row = (label("r"), label("n"), 1, label("to"), 0, "approved", 0)
    with pytest.raises(StorageError, match="FOREIGN KEY"):
        database.execute("INSERT INTO withdrawals VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (*row, row[1]))
    with pytest.raises(StorageError, match="CHECK constraint"):
        database.execute("INSERT INTO withdrawals VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", row)


# -- finality -----------------------------------------------------------------------------


def test_finality_marks_are_kept_and_repeating_one_is_harmless(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    with open_database(path) as database:
        chain = ChainStore(database)
        assert chain.last_finalized_slot() is None
        chain.mark_finalized([FinalityMark(10, label("block", 10)), FinalityMark(7, label("b7"))])
        chain.mark_finalized([FinalityMark(10, label("block", 10))])
    with open_database(path) as database:
        chain = ChainStore(database)
        assert chain.last_finalized_slot() == 10
        assert chain.finalized_block(7) == label("b7")
        assert chain.finalized_block(8) is None


def test_a_conflicting_finality_mark_refuses_its_whole_group(database: Database) -> None:
    chain = ChainStore(database)
    chain.mark_finalized([FinalityMark(10, label("block", 10))])
    with pytest.raises(StorageError, match="slot 10 is already final with block"):
        chain.mark_finalized([FinalityMark(11, label("b11")), FinalityMark(10, label("other"))])
    assert chain.finalized_block(11) is None
    assert chain.finalized_block(10) == label("block", 10)


@pytest.mark.parametrize(
    ("mark", "message"),
    [(FinalityMark(-1, label("b")), "a slot -1"), (FinalityMark(1, b"short"), "a block hash")],
)
def test_a_malformed_finality_mark_is_refused(
    database: Database, mark: FinalityMark, message: str
) -> None:
    with pytest.raises(StorageError, match=message):
        ChainStore(database).mark_finalized([mark])
