"""Chain records: decided withdrawals with the signed votes that decided them, finality marks.

What consensus (DESIGN §6, seed 003) must not forget across a restart: for each withdrawal
request the outcome (approved, rejected, timeout), every validator's signed vote, and for an
approved one the nullifier it spends. A decision and its spend are one transaction, so a
node never holds an approval whose nullifier is still unspent, nor a spent nullifier without
the votes that justify it. Each vote is stored as consensus signed it, encoded
(:func:`~paraloom.consensus.votes.encode_vote`), so anyone can re-verify the record later;
checking the signatures is consensus's work, done before they are recorded (the store does not
know the validators' keys). Votes recorded under schema 1 lack the encoding. Slashing
evidence (two conflicting votes of one validator, :mod:`paraloom.consensus.evidence`) is kept
whole, once per voter, request and round, for the slashing authority. Finality marks
record which block hash each slot was finalized with; a second, different hash for a slot is
refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from paraloom.consensus.evidence import (
    EquivocationEvidence,
    decode_evidence,
    encode_evidence,
    verify_evidence,
)
from paraloom.consensus.votes import Decision, Vote, decode_vote, encode_vote
from paraloom.crypto.identity import NODE_ID_SIZE, PUBLIC_KEY_SIZE, SIGNATURE_SIZE
from paraloom.errors import FormatError, StorageError
from paraloom.storage.database import Database, Row
from paraloom.storage.nullifiers import NullifierSet, require_nullifier
from paraloom.storage.validation import (
    require_bytes,
    require_choice,
    require_integer,
    require_size,
)

OUTCOMES = ("approved", "rejected", "timeout")
VOTES = tuple(decision.value for decision in Decision)
REQUEST_ID_SIZE = 32
BLOCK_HASH_SIZE = 32


@dataclass(frozen=True)
class WithdrawalRequest:
    """What validators voted on; ``recipient`` is a Solana public key, ``amount`` lamports."""

    request_id: bytes
    nullifier: bytes
    amount: int
    recipient: bytes
    expiration_slot: int


@dataclass(frozen=True)
class SignedVote:
    """One validator's vote as recorded; build it with :meth:`of` from the consensus vote.

    The first four fields are the columns that SQL queries see; ``encoded`` is the whole
    consensus vote (round and reason included), what a re-verification needs. It is None
    only for a vote read back from before schema 2; a new record must carry it.
    """

    validator_id: bytes
    vote: str
    signature: bytes
    voted_at: int
    encoded: bytes | None = None

    @classmethod
    def of(cls, vote: Vote) -> SignedVote:
        return cls(*_columns(vote), encode_vote(vote))

    def decoded(self) -> Vote:
        """The consensus vote, for :func:`~paraloom.consensus.votes.verify_vote`."""
        if self.encoded is None:
            raise StorageError(
                f"the vote by {self.validator_id.hex()} was recorded before schema 2 kept "
                "signed votes whole; it cannot be re-verified"
            )
        return decode_vote(self.encoded)


@dataclass(frozen=True)
class WithdrawalDecision:
    """A consensus round's result; read back, ``votes`` come in validator id order."""

    request: WithdrawalRequest
    outcome: str
    votes: tuple[SignedVote, ...]
    decided_at: int


@dataclass(frozen=True)
class FinalityMark:
    slot: int
    block_hash: bytes


class ChainStore:
    """Withdrawal decisions and finality marks; every call commits before it returns."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._nullifiers = NullifierSet(database)

    def record_decision(self, decision: WithdrawalDecision) -> None:
        self.record_decisions([decision])

    def record_decisions(self, decisions: Iterable[WithdrawalDecision]) -> None:
        """Record decisions, their votes and the nullifiers approvals spend, all or none.

        StorageError, recording nothing, if a request was already decided or an approval
        spends a nullifier that is already spent.
        """
        checked = [require_decision(decision) for decision in decisions]
        with self._database.transaction():
            for decision in checked:
                self._insert(decision)

    def decision(self, request_id: bytes) -> WithdrawalDecision | None:
        request_id = require_size(request_id, REQUEST_ID_SIZE, "a withdrawal request id")
        found = self._database.rows(
            "SELECT request_id, nullifier, amount, recipient, expiration_slot, outcome, "
            "decided_at FROM withdrawals WHERE request_id = ?",
            (request_id,),
        )
        if not found:
            return None
        *request, outcome, decided_at = found[0]
        votes = self._database.rows(
            "SELECT validator_id, vote, signature, voted_at, encoded FROM withdrawal_votes "
            "WHERE request_id = ? ORDER BY validator_id",
            (request_id,),
        )
        return WithdrawalDecision(
            WithdrawalRequest(*request),
            outcome,
            tuple(SignedVote(*vote) for vote in votes),
            decided_at,
        )

    def record_evidence(self, evidence: EquivocationEvidence) -> bool:
        """Keep slashing evidence (checked again here); False if this voter's equivocation in
        this request and round is already on record."""
        verify_evidence(evidence)
        first = evidence.first
        key = (first.voter, first.request_id, first.round)
        with self._database.transaction():
            known = self._database.value(
                "SELECT 1 FROM equivocation_evidence WHERE voter = ? AND request_id = ? "
                "AND round = ?",
                key,
            )
            if known is not None:
                return False
            self._database.execute(
                "INSERT INTO equivocation_evidence (voter, request_id, round, encoded, "
                "recorded_at) VALUES (?, ?, ?, ?, ?)",
                (*key, encode_evidence(evidence), self._database.now_ms()),
            )
        return True

    def evidence(self) -> tuple[EquivocationEvidence, ...]:
        """Every piece of slashing evidence on record, oldest first."""
        rows = self._database.rows(
            "SELECT encoded FROM equivocation_evidence ORDER BY recorded_at, voter"
        )
        return tuple(decode_evidence(encoded) for (encoded,) in rows)

    def recent_decisions(self, limit: int) -> tuple[bytes, ...]:
        """Request ids of the ``limit`` latest decisions, latest first."""
        rows = self._database.rows(
            "SELECT request_id FROM withdrawals ORDER BY decided_at DESC, request_id LIMIT ?",
            (limit,),
        )
        return tuple(request_id for (request_id,) in rows)

    def mark_finalized(self, marks: Iterable[FinalityMark]) -> None:
        """Record finality marks in one transaction; repeating a mark is harmless.

        StorageError, recording none, if a slot is already final with another block hash.
        """
        checked = [require_mark(mark) for mark in marks]
        with self._database.transaction():
            for mark in checked:
                self._insert_mark(mark)

    def finalized_block(self, slot: int) -> bytes | None:
        """The block hash ``slot`` was finalized with, if it is final."""
        found = self._database.value(
            "SELECT block_hash FROM finality WHERE slot = ?", (require_integer(slot, "a slot"),)
        )
        return None if found is None else bytes(found)

    def last_finalized_slot(self) -> int | None:
        found = self._database.value("SELECT max(slot) FROM finality")
        return None if found is None else int(found)

    def _insert(self, decision: WithdrawalDecision) -> None:
        request = decision.request
        if self._decided(request.request_id):
            raise StorageError(
                f"{self._database.path}: withdrawal {request.request_id.hex()} is already decided"
            )
        approved = decision.outcome == "approved"
        if approved and not self._nullifiers.add(request.nullifier):
            raise StorageError(
                f"{self._database.path}: withdrawal {request.request_id.hex()} spends nullifier "
                f"{request.nullifier.hex()}, which is already spent"
            )
        self._database.execute(
            "INSERT INTO withdrawals (request_id, nullifier, amount, recipient, expiration_slot, "
            "outcome, decided_at, spent_nullifier) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                *_request_row(request),
                decision.outcome,
                decision.decided_at,
                request.nullifier if approved else None,
            ),
        )
        self._database.execute_many(
            "INSERT INTO withdrawal_votes (request_id, validator_id, vote, signature, voted_at, "
            "encoded) VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    request.request_id,
                    vote.validator_id,
                    vote.vote,
                    vote.signature,
                    vote.voted_at,
                    vote.encoded,
                )
                for vote in decision.votes
            ),
        )

    def _decided(self, request_id: bytes) -> bool:
        found = self._database.value(
            "SELECT 1 FROM withdrawals WHERE request_id = ?", (request_id,)
        )
        return found is not None

    def _insert_mark(self, mark: FinalityMark) -> None:
        known = self.finalized_block(mark.slot)
        if known is None:
            self._database.execute(
                "INSERT INTO finality (slot, block_hash, finalized_at) VALUES (?, ?, ?)",
                (mark.slot, mark.block_hash, self._database.now_ms()),
            )
        elif known != mark.block_hash:
            raise StorageError(
                f"{self._database.path}: slot {mark.slot} is already final with block "
                f"{known.hex()}, not {mark.block_hash.hex()}"
            )


def _request_row(request: WithdrawalRequest) -> Row:
    return (
        request.request_id,
        request.nullifier,
        request.amount,
        request.recipient,
        request.expiration_slot,
    )


def require_request(request: WithdrawalRequest) -> WithdrawalRequest:
    require_size(request.request_id, REQUEST_ID_SIZE, "a withdrawal request id")
    require_nullifier(request.nullifier)
    require_integer(request.amount, "a withdrawal amount", minimum=1)
    require_size(request.recipient, PUBLIC_KEY_SIZE, "a withdrawal recipient")
    require_integer(request.expiration_slot, "an expiration slot")
    return request


def _columns(vote: Vote) -> tuple[bytes, str, bytes, int]:
    return (vote.voter, vote.decision.value, vote.signature, vote.voted_at)


def require_vote(vote: SignedVote, request_id: bytes) -> SignedVote:
    """A well-formed vote whose encoding is a vote on ``request_id`` that its columns match."""
    require_size(vote.validator_id, NODE_ID_SIZE, "a validator id")
    require_choice(vote.vote, VOTES, "a vote")
    require_size(vote.signature, SIGNATURE_SIZE, "a vote signature")
    require_integer(vote.voted_at, "a vote time")
    voter = vote.validator_id.hex()
    if vote.encoded is None:
        raise StorageError(f"the vote by {voter} lacks its encoded signed vote (SignedVote.of)")
    try:
        decoded = decode_vote(require_bytes(vote.encoded, f"the encoded vote by {voter}"))
    except FormatError as error:
        raise StorageError(f"the encoded vote by {voter} is malformed: {error}") from None
    if _columns(decoded) != (vote.validator_id, vote.vote, vote.signature, vote.voted_at):
        raise StorageError(f"the vote by {voter} does not match its encoded vote")
    if decoded.request_id != request_id:
        raise StorageError(
            f"the vote by {voter} is for request {decoded.request_id.hex()}, not {request_id.hex()}"
        )
    return vote


def require_decision(decision: WithdrawalDecision) -> WithdrawalDecision:
    """A decision with well-formed fields and at most one vote per validator."""
    require_request(decision.request)
    require_choice(decision.outcome, OUTCOMES, "a withdrawal outcome")
    require_integer(decision.decided_at, "a decision time")
    request_id = decision.request.request_id
    voters = [require_vote(vote, request_id).validator_id for vote in decision.votes]
    if len(set(voters)) != len(voters):
        raise StorageError(
            f"withdrawal {decision.request.request_id.hex()}: a validator votes more than once"
        )
    return decision


def require_mark(mark: FinalityMark) -> FinalityMark:
    require_integer(mark.slot, "a slot")
    require_size(mark.block_hash, BLOCK_HASH_SIZE, "a block hash")
    return mark
