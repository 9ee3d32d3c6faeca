"""Withdrawal decisions with their votes and nullifier, and finality marks."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace as replace_struct

from paraloom.consensus.evidence import equivocation_evidence, verify_evidence
from paraloom.consensus.votes import (
    MAX_REASON_LENGTH,
    MAX_ROUND,
    Decision,
    sign_vote,
    verify_vote,
)
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import EvidenceError, StorageError, VoteError
from paraloom.storage.chain import (
    OUTCOMES,
    ChainStore,
    FinalityMark,
    SignedVote,
    WithdrawalDecision,
    WithdrawalRequest,
)
from paraloom.storage.database import Database, open_database
from paraloom.storage.nullifiers import NullifierSet
from paraloom.storage.schema import MIGRATIONS

from .support import KEYS, VALIDATORS, decision, ids, label, scratch_database, vote

requests = st.builds(
    WithdrawalRequest,
    request_id=ids,
    nullifier=ids,
    amount=st.integers(1, 2**63 - 1),
    recipient=ids,
    expiration_slot=st.integers(0, 2**63 - 1),
)


def signed_vote(identity: NodeIdentity, request_id: bytes) -> st.SearchStrategy[SignedVote]:
    """Any vote ``identity`` can sign on ``request_id``, as the store records it."""
    return st.builds(
        sign_vote,
        st.just(identity),
        st.just(request_id),
        st.sampled_from(Decision),
        reason=st.text(max_size=MAX_REASON_LENGTH),
        round=st.integers(1, MAX_ROUND),
        voted_at=st.integers(0, 2**63 - 1),
    ).map(SignedVote.of)


@st.composite
def decisions(draw: st.DrawFn) -> WithdrawalDecision:
    request = draw(requests)
    voters = draw(
        st.lists(st.sampled_from(VALIDATORS), max_size=10, unique_by=lambda voter: voter.node_id)
    )
    votes = tuple(draw(signed_vote(voter, request.request_id)) for voter in voters)
    outcome = draw(st.sampled_from(OUTCOMES))
    return WithdrawalDecision(request, outcome, votes, draw(st.integers(0, 2**63 - 1)))


def in_validator_order(recorded: WithdrawalDecision) -> WithdrawalDecision:
    return replace(recorded, votes=tuple(sorted(recorded.votes, key=lambda v: v.validator_id)))


@settings(max_examples=30)
@given(st.lists(decisions(), max_size=4, unique_by=lambda d: d.request.request_id))
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
                stored = chain.decision(item.request.request_id)
                assert stored == in_validator_order(item)
                for signed in stored.votes:
                    verify_vote(signed.decoded(), KEYS[signed.validator_id])
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
        ({"votes": (replace(vote(1), vote="yes"),)}, "a vote 'yes' is not one of approve, reject"),
        ({"votes": (replace(vote(1), encoded=None),)}, "lacks its encoded signed vote"),
        ({"votes": (replace(vote(1), encoded="text"),)}, "the encoded vote by .* must be bytes"),
        ({"votes": (replace(vote(1), encoded=b"\x81"),)}, "the encoded vote by .* is malformed"),
        ({"votes": (replace(vote(1), vote="reject"),)}, "does not match its encoded vote"),
        ({"votes": (replace(vote(1), voted_at=7),)}, "does not match its encoded vote"),
        ({"votes": (replace(vote(1), signature=bytes(64)),)}, "does not match its encoded"),
        ({"votes": (replace(vote(1), encoded=vote(2).encoded),)}, "does not match its encoded"),
        ({"votes": (vote(1, request_number=5),)}, "is for request 726571756573742d35"),
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


def test_stored_votes_reverify_after_a_reopen_round_and_reason_included(tmp_path: Path) -> None:
    request = decision(1).request
    signed = [
        sign_vote(identity, request.request_id, Decision.REJECT, reason="root moved", round=2)
        for identity in VALIDATORS[:3]
    ]
    recorded = WithdrawalDecision(request, "rejected", tuple(map(SignedVote.of, signed)), 5)
    with open_database(tmp_path / "node.sqlite3") as database:
        ChainStore(database).record_decision(recorded)
    with open_database(tmp_path / "node.sqlite3") as database:
        stored = ChainStore(database).decision(request.request_id)
    assert stored is not None
    assert {vote.decoded() for vote in stored.votes} == set(signed)
    for vote_ in stored.votes:
        key = KEYS[vote_.validator_id]
        verify_vote(vote_.decoded(), key, request_id=request.request_id, round=2)
        with pytest.raises(VoteError, match="is for round 2, not 1"):
            verify_vote(vote_.decoded(), key, request_id=request.request_id, round=1)


def test_a_vote_without_its_encoding_is_refused_even_in_raw_sql(database: Database) -> None:
    ChainStore(database).record_decision(decision(1, "rejected"))
    row = (label("request", 1), label("other validator"), "reject", bytes(64), 0)
    with pytest.raises(StorageError, match="needs its encoded signed vote"):
        database.execute("INSERT INTO withdrawal_votes VALUES (?, ?, ?, ?, ?, NULL)", row)
    with pytest.raises(StorageError, match="CHECK constraint"):
        database.execute("INSERT INTO withdrawal_votes VALUES (?, ?, ?, ?, ?, X'')", row)


def legacy_decision(path: Path) -> None:
    """A schema-1 database holding a decision recorded the schema-1 way (no encoded votes)."""
    with open_database(path, migrations=MIGRATIONS[:1]) as database:
        database.execute(
            "INSERT INTO withdrawals VALUES (?, ?, 1, ?, 0, 'rejected', 3, NULL)",
            (label("request", 1), label("nullifier", 1), label("recipient")),
        )
        database.execute(
            "INSERT INTO withdrawal_votes VALUES (?, ?, 'reject', ?, 4)",
            (label("request", 1), label("validator", 1), bytes(64)),
        )


def test_an_upgrade_keeps_schema_1_votes_which_cannot_be_reverified(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    legacy_decision(path)
    with open_database(path) as database:
        assert database.schema_version == len(MIGRATIONS) == 3
        chain = ChainStore(database)
        old = chain.decision(label("request", 1))
        assert old is not None
        assert old.votes == (SignedVote(label("validator", 1), "reject", bytes(64), 4),)
        with pytest.raises(StorageError, match=r"before schema 2 .* cannot be re-verified"):
            old.votes[0].decoded()
        chain.record_decision(decision(2))
        new = chain.decision(label("request", 2))
        assert new is not None
        assert all(vote_.decoded().request_id == label("request", 2) for vote_ in new.votes)


def test_a_failing_vote_migration_leaves_schema_1_whole(tmp_path: Path) -> None:
    """A schema-1 vote row that breaks the new column's CHECK cannot exist, so make the
    migration itself fail: its ALTER and trigger are rolled back together."""
    path = tmp_path / "node.sqlite3"
    legacy_decision(path)
    clash = "CREATE TRIGGER withdrawal_votes_encoded AFTER INSERT ON finality BEGIN SELECT 1; END"
    with open_database(path, migrations=MIGRATIONS[:1]) as database:
        database.execute(clash)
    with pytest.raises(StorageError, match="already exists"):
        open_database(path)
    with open_database(path, migrations=MIGRATIONS[:1]) as database:
        assert database.schema_version == 1
        columns = [row[1] for row in database.rows("PRAGMA table_info(withdrawal_votes)")]
        assert "encoded" not in columns


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


# -- slashing evidence ----------------------------------------------------------------------


@given(st.integers(1, 9), st.sampled_from([Decision.REJECT, Decision.ABSTAIN]))
@settings(max_examples=20)
def test_evidence_is_kept_once_and_reads_back_verifiable(round_: int, other: Decision) -> None:
    identity = NodeIdentity.from_seed(bytes(32))
    request_id = label("request", round_)
    one = sign_vote(identity, request_id, Decision.APPROVE, round=round_)
    two = sign_vote(identity, request_id, other, round=round_)
    evidence = equivocation_evidence(identity.public_key, one, two)
    with scratch_database() as (_, database):
        store = ChainStore(database)
        assert store.record_evidence(evidence)
        assert not store.record_evidence(equivocation_evidence(identity.public_key, two, one))
        assert store.evidence() == (evidence,)
        verify_evidence(store.evidence()[0])


def test_evidence_without_a_conflict_is_refused_and_not_kept(database: Database) -> None:
    identity = NodeIdentity.from_seed(bytes(32))
    one = sign_vote(identity, label("request", 1), Decision.APPROVE, reason="a")
    two = sign_vote(identity, label("request", 1), Decision.REJECT)
    evidence = equivocation_evidence(identity.public_key, one, two)
    same = replace_struct(
        evidence, second=sign_vote(identity, label("request", 1), Decision.APPROVE)
    )
    with pytest.raises(EvidenceError, match="no conflict"):
        ChainStore(database).record_evidence(same)
    assert ChainStore(database).evidence() == ()


def test_evidence_is_append_only(database: Database) -> None:
    identity = NodeIdentity.from_seed(bytes(32))
    one = sign_vote(identity, label("request", 2), Decision.APPROVE)
    two = sign_vote(identity, label("request", 2), Decision.ABSTAIN)
    ChainStore(database).record_evidence(equivocation_evidence(identity.public_key, one, two))
    with pytest.raises(StorageError, match="append-only"), database.transaction():
        database.execute("DELETE FROM equivocation_evidence")
    assert len(ChainStore(database).evidence()) == 1
