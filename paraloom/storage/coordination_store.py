"""What a coordinator-set member must find again after a restart: its term and vote, and the
state snapshot it holds (:mod:`paraloom.node.coordination` names them Persist and Store).

Each is one row rewritten in place and committed before the call returns: the role machine
acts on the next event only after the write, so a member never votes twice in one term and
never acknowledges a snapshot it could lose.
"""

from __future__ import annotations

from paraloom.node.coordination import PersistentState
from paraloom.node.messages import Position
from paraloom.node.replication import GENESIS, Snapshot
from paraloom.storage.database import Database


class CoordinationStore:
    """One member's durable HA state in the node database."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def persistent(self) -> PersistentState:
        """The stored term and vote; term 0 and no vote for a member that never stored any."""
        rows = self._database.rows("SELECT term, voted_for FROM coordination_term WHERE id = 1")
        if not rows:
            return PersistentState()
        term, voted_for = rows[0]
        return PersistentState(int(term), voted_for)

    def snapshot(self) -> Snapshot:
        """The stored snapshot, its SHA-256 checked again (a damaged row is refused); genesis
        for a member that never stored one."""
        rows = self._database.rows(
            "SELECT term, version, sha256, state FROM coordination_snapshot WHERE id = 1"
        )
        if not rows:
            return GENESIS
        term, version, sha256, state = rows[0]
        return Snapshot(Position(int(term), int(version)), bytes(state), bytes(sha256))

    def save_persistent(self, state: PersistentState) -> None:
        with self._database.transaction():
            self._database.execute(
                "INSERT OR REPLACE INTO coordination_term (id, term, voted_for) VALUES (1, ?, ?)",
                (state.term, state.voted_for),
            )

    def save_snapshot(self, snapshot: Snapshot) -> None:
        position = snapshot.position
        with self._database.transaction():
            self._database.execute(
                "INSERT OR REPLACE INTO coordination_snapshot (id, term, version, sha256, state) "
                "VALUES (1, ?, ?, ?, ?)",
                (position.term, position.version, snapshot.sha256, snapshot.state),
            )
