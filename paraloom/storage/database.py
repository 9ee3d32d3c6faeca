"""The node's SQLite database: durable settings, transactions, typed errors.

Durability (DESIGN §6): WAL journaling with ``synchronous = FULL``, so a transaction is on
disk (the WAL fsynced) when COMMIT returns, and the node acknowledges a write only after
that; ``NORMAL`` exists for the benchmark, since it may lose the last commits on power loss.
Foreign keys are on (SQLite leaves them off per connection) because the stores' rules rest
on them, and a busy timeout lets a reader in another process wait instead of failing.

Every SQLite failure surfaces as a :class:`~paraloom.errors.StorageError` naming the file:
"file is not a database" for a file that is not SQLite, "database disk image is malformed"
for a corrupted one, the trigger's message for a refused write. One connection per thread,
as :mod:`sqlite3` requires.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from paraloom.errors import StorageError
from paraloom.storage.migrations import Migration, migrate
from paraloom.storage.schema import MIGRATIONS

SYNCHRONOUS_MODES = ("NORMAL", "FULL", "EXTRA")
DEFAULT_BUSY_TIMEOUT = 5.0
#: The node's database inside its ``data_dir`` (:class:`paraloom.config.NodeSettings`).
DATABASE_FILENAME = "node.sqlite3"

Row = tuple[Any, ...]


def database_path(data_dir: str | Path) -> Path:
    """Where a node with ``data_dir`` keeps its database (``~`` expanded)."""
    return Path(data_dir).expanduser() / DATABASE_FILENAME


class Database:
    """One connection with explicit transactions (see :meth:`transaction`)."""

    def __init__(
        self, connection: sqlite3.Connection, path: Path, clock: Callable[[], float]
    ) -> None:
        self._connection = connection
        self.path = path
        self._clock = clock
        #: Undo actions of each open transaction level, outermost first.
        self._levels: list[list[Callable[[], None]]] = []

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._connection.close()

    @property
    def schema_version(self) -> int:
        return int(self.value("PRAGMA user_version"))

    @property
    def total_changes(self) -> int:
        """Rows changed through this connection since it opened: a cheap "anything new?"."""
        return self._connection.total_changes

    @property
    def in_transaction(self) -> bool:
        return bool(self._levels)

    def now_ms(self) -> int:
        """The clock as integer Unix milliseconds: what the stores record as a time."""
        return int(self._clock() * 1000)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together, or not at all; nests as savepoints.

        The outermost level takes the write lock at once (``BEGIN IMMEDIATE``), so a
        transaction never fails halfway for lack of it, and returns only once COMMIT has
        returned: with ``synchronous = FULL`` the writes are then on disk. An inner level
        rolls back alone if its block raises, so a caller may catch a refused write and go
        on with the outer transaction.
        """
        depth = len(self._levels)
        savepoint = f"level_{depth}"
        self.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {savepoint}")
        self._levels.append([])
        try:
            yield
            self.execute("COMMIT" if depth == 0 else f"RELEASE {savepoint}")
        except BaseException:
            self._roll_back(depth, savepoint)
            raise
        actions = self._levels.pop()
        if self._levels:
            self._levels[-1].extend(actions)

    def on_rollback(self, action: Callable[[], None]) -> None:
        """Run ``action`` if the current transaction (or an enclosing one) rolls back.

        For state kept in memory beside the database (the Merkle tree): it changes with the
        writes, and must be restored if they are undone, also by an outer level.
        """
        if not self._levels:
            raise StorageError(f"{self.path}: on_rollback outside a transaction")
        self._levels[-1].append(action)

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> sqlite3.Cursor:
        with self._translated():
            return self._connection.execute(sql, parameters)

    def execute_many(self, sql: str, rows: Iterable[Sequence[object]]) -> sqlite3.Cursor:
        with self._translated():
            return self._connection.executemany(sql, rows)

    def rows(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]:
        with self._translated():
            return self._connection.execute(sql, parameters).fetchall()

    def value(self, sql: str, parameters: Sequence[object] = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        found = self.rows(sql, parameters)
        return found[0][0] if found else None

    def integrity_problems(self) -> tuple[str, ...]:
        """What SQLite's integrity and foreign-key checks find; empty when the file is sound.

        A file too damaged to be checked raises StorageError instead.
        """
        problems = [row[0] for row in self.rows("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [
            f"foreign key: {table} row {rowid} has no parent in {parent}"
            for table, rowid, parent, _ in self.rows("PRAGMA foreign_key_check")
        ]
        return tuple(problems)

    def _roll_back(self, depth: int, savepoint: str) -> None:
        """Undo level ``depth`` and run each of its undo actions once, newest first."""
        actions = self._levels.pop()
        if depth:
            self.execute(f"ROLLBACK TO {savepoint}")
            self.execute(f"RELEASE {savepoint}")
        elif self._connection.in_transaction:
            # SQLite has already rolled back after some errors (I/O, disk full).
            self.execute("ROLLBACK")
        for action in dict.fromkeys(reversed(actions)):
            action()

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise StorageError(f"{self.path}: {error}") from error


def open_database(
    path: str | Path,
    *,
    synchronous: str = "FULL",
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    migrations: Sequence[Migration] = MIGRATIONS,
    clock: Callable[[], float] = time.time,
) -> Database:
    """Open (or create) the database at ``path`` and bring its schema up to date.

    StorageError, naming the file, when it cannot be opened, is not SQLite or is corrupted,
    cannot use WAL, or has a newer schema version than ``migrations`` reach.
    """
    path = Path(path)
    mode = _require_synchronous(synchronous)
    try:
        connection = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    except sqlite3.Error as error:
        raise StorageError(f"{path}: {error}") from error
    database = Database(connection, path, clock)
    try:
        _configure(database, mode)
        migrate(database, migrations)
    except BaseException:
        database.close()
        raise
    return database


def _require_synchronous(mode: str) -> str:
    if mode.upper() not in SYNCHRONOUS_MODES:
        raise StorageError(
            f"synchronous mode {mode!r} is not one of {', '.join(SYNCHRONOUS_MODES)}"
        )
    return mode.upper()


def _configure(database: Database, synchronous: str) -> None:
    journal = database.value("PRAGMA journal_mode = WAL")
    if journal != "wal":
        raise StorageError(f"{database.path}: cannot use WAL journaling (journal mode {journal})")
    database.execute(f"PRAGMA synchronous = {synchronous}")
    database.execute("PRAGMA foreign_keys = ON")
