"""Schema versions: an ordered list of migrations, the version kept in ``PRAGMA user_version``.

Migration N takes a database of version N-1 to version N. Each is applied in its own
transaction together with the new ``user_version``, so a database is always exactly at one
version: a crash or a failing statement leaves it at the previous one, never between two. A
database whose version is above the last migration was written by a newer paraloom and is
refused rather than used with a schema this code does not know.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paraloom.errors import StorageError

if TYPE_CHECKING:
    from paraloom.storage.database import Database


@dataclass(frozen=True)
class Migration:
    """The statements that take the schema from ``version - 1`` to ``version``.

    Statements are kept apart (not one script) because a trigger body holds semicolons and
    because ``sqlite3.executescript`` commits first, which would break the one transaction.
    """

    version: int
    summary: str
    statements: tuple[str, ...]


def append_only(table: str) -> tuple[str, ...]:
    """Triggers that refuse UPDATE and DELETE on ``table``, whoever runs them.

    Records that others rely on (spent nullifiers, decided withdrawals, audit entries) must
    not be rewritten, not even by a tool with raw SQL access to the file.
    """
    return tuple(
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for action in ("UPDATE", "DELETE")
    )


def require_ordered(migrations: Sequence[Migration]) -> None:
    """Refuse a list whose versions are not 1, 2, 3...: a gap would skip schema changes."""
    for position, migration in enumerate(migrations, 1):
        if migration.version != position:
            raise StorageError(
                f"migration {position} of the list has version {migration.version}; "
                f"versions must run 1..{len(migrations)} in order"
            )


def migrate(database: Database, migrations: Sequence[Migration]) -> int:
    """Bring ``database`` to the last version of ``migrations``; returns that version.

    The version is read again inside each write transaction, so two processes opening a new
    file at once apply every migration once.
    """
    require_ordered(migrations)
    latest = len(migrations)
    _refuse_newer(database, latest)
    for migration in migrations[database.schema_version :]:
        with database.transaction():
            if database.schema_version >= migration.version:
                continue
            for statement in migration.statements:
                database.execute(statement)
            database.execute(f"PRAGMA user_version = {migration.version}")
    return latest


def _refuse_newer(database: Database, latest: int) -> None:
    found = database.schema_version
    if found > latest:
        raise StorageError(
            f"{database.path}: schema version {found} is newer than this paraloom knows "
            f"(up to {latest}); upgrade paraloom to open it"
        )
