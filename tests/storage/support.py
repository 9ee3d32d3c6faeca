"""Builders of records and a scratch database for the storage tests."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from paraloom.consensus.votes import Decision, sign_vote
from paraloom.crypto.identity import NodeIdentity
from paraloom.storage.chain import SignedVote, WithdrawalDecision, WithdrawalRequest
from paraloom.storage.database import Database, open_database

ids = st.binary(min_size=32, max_size=32)


@contextmanager
def scratch_database(**options: Any) -> Iterator[tuple[Path, Database]]:
    """A database in a fresh directory, for hypothesis tests (tmp_path is per test, not per
    example). They check logic, not durability, so they skip the fsync of every commit."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "node.sqlite3"
        with open_database(path, **{"synchronous": "NORMAL", **options}) as database:
            yield path, database


def label(name: str, number: int = 0) -> bytes:
    """A readable 32-byte id: the name, the number, zero padding."""
    return f"{name}-{number}".encode().ljust(32, b"\0")


VALIDATORS = tuple(NodeIdentity.from_seed(label("validator", number)) for number in range(10))
#: Each validator's public key by its node id, as consensus's validator set would give it.
KEYS = {identity.node_id: identity.public_key for identity in VALIDATORS}


def vote(
    validator: int, kind: str = "approve", at: int = 1_000, *, request_number: int = 0
) -> SignedVote:
    """Validator ``validator``'s really signed vote on request ``request_number``."""
    identity = VALIDATORS[validator]
    signed = sign_vote(identity, label("request", request_number), Decision(kind), voted_at=at)
    return SignedVote.of(signed)


def request(number: int, nullifier: bytes | None = None) -> WithdrawalRequest:
    return WithdrawalRequest(
        request_id=label("request", number),
        nullifier=label("nullifier", number) if nullifier is None else nullifier,
        amount=1_000_000 + number,
        recipient=label("recipient", number),
        expiration_slot=500 + number,
    )


def decision(
    number: int, outcome: str = "approved", nullifier: bytes | None = None, voters: int = 7
) -> WithdrawalDecision:
    kind = {"approved": "approve", "rejected": "reject"}.get(outcome, "abstain")
    votes = tuple(vote(validator, kind, request_number=number) for validator in range(voters))
    return WithdrawalDecision(request(number, nullifier), outcome, votes, decided_at=2_000)
