"""The set of spent nullifiers: append-only, a nullifier once recorded is spent for good.

A nullifier is 32 bytes, as in the on-chain program's PDA seeds ``["nullifier", nullifier]``
(a field element is stored big-endian). There is deliberately no way to remove one: the
schema's triggers refuse UPDATE and DELETE, so forgetting a spend takes editing the schema.
"""

from __future__ import annotations

from collections.abc import Iterable

from paraloom.storage.database import Database
from paraloom.storage.validation import require_size

NULLIFIER_SIZE = 32


def require_nullifier(nullifier: object) -> bytes:
    return require_size(nullifier, NULLIFIER_SIZE, "a nullifier")


class NullifierSet:
    """The spent nullifiers of one database; every call commits before it returns."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def add(self, nullifier: bytes) -> bool:
        """Record ``nullifier`` as spent; False if it already was (nothing is written)."""
        return self.add_many([nullifier])[0]

    def add_many(self, nullifiers: Iterable[bytes]) -> tuple[bool, ...]:
        """Spend several nullifiers in one transaction; for each, whether it was new.

        A nullifier repeated within the call is new only the first time.
        """
        values = [require_nullifier(nullifier) for nullifier in nullifiers]
        with self._database.transaction():
            return tuple(self._insert(value) for value in values)

    def spent(self, nullifier: bytes) -> bool:
        return (
            self._database.value(
                "SELECT 1 FROM nullifiers WHERE nullifier = ?", (require_nullifier(nullifier),)
            )
            is not None
        )

    def count(self) -> int:
        return int(self._database.value("SELECT count(*) FROM nullifiers"))

    def _insert(self, nullifier: bytes) -> bool:
        """Inside a transaction, so the check and the insert cannot be separated."""
        if self.spent(nullifier):
            return False
        self._database.execute(
            "INSERT INTO nullifiers (nullifier, spent_at) VALUES (?, ?)",
            (nullifier, self._database.now_ms()),
        )
        return True
