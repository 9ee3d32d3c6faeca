"""Opening, migrating and refusing databases; transactions and their savepoint semantics."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import StorageError
from paraloom.storage.database import (
    DATABASE_FILENAME,
    Database,
    database_path,
    open_database,
)
from paraloom.storage.migrations import Migration
from paraloom.storage.nullifiers import NullifierSet
from paraloom.storage.schema import MIGRATIONS

from .support import label, scratch_database

V1 = (Migration(1, "values", ("CREATE TABLE entries (value INTEGER NOT NULL)",)),)
V2 = (
    *V1,
    Migration(
        2,
        "a column and a table",
        (
            "ALTER TABLE entries ADD COLUMN weight INTEGER NOT NULL DEFAULT 7",
            "CREATE TABLE notes (text TEXT NOT NULL)",
        ),
    ),
)
FAKE_CHAIN = (
    *V2,
    Migration(3, "an index", ("CREATE INDEX entries_by_value ON entries (value)",)),
    Migration(4, "a view", ("CREATE VIEW heavy AS SELECT value FROM entries WHERE weight > 5",)),
)


def schema_of(database: Database) -> list[Any]:
    return database.rows("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")


def entries(database: Database) -> list[int]:
    return [value for (value,) in database.rows("SELECT value FROM entries ORDER BY rowid")]


def integrity_check_fails(database: Database) -> bool:
    """Whether the check reports problems or finds the file too damaged to check."""
    try:
        return bool(database.integrity_problems())
    except StorageError:
        return True


def test_a_new_database_is_durable_and_at_the_latest_version(tmp_path: Path) -> None:
    with open_database(tmp_path / "node.sqlite3") as database:
        assert database.value("PRAGMA journal_mode") == "wal"
        assert database.value("PRAGMA synchronous") == 2  # FULL
        assert database.value("PRAGMA foreign_keys") == 1
        assert database.value("PRAGMA busy_timeout") == 5000
        assert database.schema_version == len(MIGRATIONS)
        assert database.integrity_problems() == ()


def test_synchronous_normal_is_available_and_other_modes_are_refused(tmp_path: Path) -> None:
    with open_database(tmp_path / "a.sqlite3", synchronous="normal") as database:
        assert database.value("PRAGMA synchronous") == 1
    with pytest.raises(StorageError, match="'OFF' is not one of NORMAL, FULL, EXTRA"):
        open_database(tmp_path / "b.sqlite3", synchronous="OFF")
    assert not (tmp_path / "b.sqlite3").exists()


def test_reopening_keeps_the_data_and_the_version(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    with open_database(path) as database:
        NullifierSet(database).add(label("spent"))
    with open_database(path) as database:
        assert database.schema_version == len(MIGRATIONS)
        assert NullifierSet(database).spent(label("spent"))


def test_an_old_database_is_upgraded_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with open_database(path, migrations=V1) as database:
        database.execute("INSERT INTO entries (value) VALUES (41)")
        assert database.schema_version == 1
    with open_database(path, migrations=V2) as database:
        assert database.schema_version == 2
        assert database.rows("SELECT value, weight FROM entries") == [(41, 7)]
        assert database.rows("SELECT * FROM notes") == []


@settings(max_examples=15)
@given(st.integers(0, len(FAKE_CHAIN)), st.integers(0, len(FAKE_CHAIN)))
def test_upgrading_in_steps_gives_the_schema_of_a_fresh_database(first: int, second: int) -> None:
    first, second = sorted((first, second))
    with scratch_database(migrations=FAKE_CHAIN) as (_, fresh):
        expected = schema_of(fresh)
    with scratch_database(migrations=FAKE_CHAIN[:first]) as (path, database):
        database.close()
        open_database(path, migrations=FAKE_CHAIN[:second]).close()
        with open_database(path, migrations=FAKE_CHAIN) as upgraded:
            assert upgraded.schema_version == len(FAKE_CHAIN)
            assert schema_of(upgraded) == expected


def test_a_failing_migration_leaves_the_previous_version_whole(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    open_database(path, migrations=V1).close()
    broken = (
        *V1,
        Migration(2, "broken", ("CREATE TABLE notes (text)", "INSERT INTO nope VALUES (1)")),
    )
    with pytest.raises(StorageError, match="no such table: nope"):
        open_database(path, migrations=broken)
    with open_database(path, migrations=V1) as database:
        assert database.schema_version == 1
        assert database.value("SELECT name FROM sqlite_master WHERE name = 'notes'") is None


def test_a_newer_schema_is_refused_naming_the_file_and_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    open_database(path, migrations=V2).close()
    with pytest.raises(StorageError, match=r"schema version 2 is newer .*\(up to 1\)") as caught:
        open_database(path, migrations=V1)
    assert str(path) in str(caught.value)


def test_the_real_schema_refuses_a_database_from_the_future(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    open_database(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StorageError, match=f"schema version {len(MIGRATIONS) + 1} is newer"):
        open_database(path)


@pytest.mark.parametrize("versions", [(2,), (1, 3), (1, 1)])
def test_a_migration_list_with_a_gap_is_refused(tmp_path: Path, versions: tuple[int, ...]) -> None:
    migrations = [Migration(version, "m", ()) for version in versions]
    with pytest.raises(StorageError, match=r"versions must run 1\.\."):
        open_database(tmp_path / "node.sqlite3", migrations=migrations)


def test_a_file_that_is_not_sqlite_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are not the pages you are looking for\n" * 200)
    with pytest.raises(StorageError, match="file is not a database") as caught:
        open_database(path)
    assert str(path) in str(caught.value)


def test_a_database_with_a_destroyed_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    open_database(path).close()
    with path.open("r+b") as file:
        file.write(bytes(range(100)))
    with pytest.raises(StorageError, match="file is not a database"):
        open_database(path)


def test_a_corrupted_page_is_reported_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    with open_database(path) as database:
        NullifierSet(database).add_many(hashlib.sha256(bytes(n)).digest() for n in range(3000))
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.seek(size // 2)
        file.write(b"\xff" * 8192)
    with open_database(path) as database:
        with pytest.raises(StorageError, match="malformed") as caught:
            NullifierSet(database).count()
        assert str(path) in str(caught.value)
        assert integrity_check_fails(database)


def test_a_database_in_a_missing_folder_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "node.sqlite3"
    with pytest.raises(StorageError, match="unable to open") as caught:
        open_database(path)
    assert str(path) in str(caught.value)


def test_a_write_lock_held_elsewhere_times_out_as_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    with open_database(path, busy_timeout=0.05) as database:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StorageError, match="locked"), database.transaction():
                pass
        finally:
            other.close()
        with database.transaction():  # the lock is free again
            pass


def test_database_path_expands_the_home_folder() -> None:
    assert database_path("~/.paraloom") == Path.home() / ".paraloom" / DATABASE_FILENAME


# -- transactions -------------------------------------------------------------------------


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Database]:
    with open_database(tmp_path / "scratch.sqlite3", migrations=V1) as database:
        yield database


def test_a_commit_is_visible_to_another_connection(scratch: Database) -> None:
    with scratch.transaction():
        scratch.execute("INSERT INTO entries (value) VALUES (1)")
        scratch.execute("INSERT INTO entries (value) VALUES (2)")
    with sqlite3.connect(scratch.path) as other:
        assert other.execute("SELECT count(*) FROM entries").fetchone() == (2,)


def insert(database: Database, *values: int | None, then: Exception | None = None) -> None:
    """Insert ``values`` in one transaction, raising ``then`` (if given) before it commits."""
    with database.transaction():
        for value in values:
            database.execute("INSERT INTO entries (value) VALUES (?)", (value,))
        if then is not None:
            raise then


def test_an_exception_rolls_back_and_propagates_unchanged(scratch: Database) -> None:
    with pytest.raises(KeyError, match="boom"):
        insert(scratch, 1, 2, then=KeyError("boom"))
    assert entries(scratch) == []
    assert not scratch.in_transaction


def test_a_failing_inner_level_rolls_back_alone(scratch: Database) -> None:
    with scratch.transaction():
        insert(scratch, 1)
        with pytest.raises(StorageError, match="NOT NULL constraint failed"):
            insert(scratch, 2, None)
        insert(scratch, 3)
    assert entries(scratch) == [1, 3]


def register_and_fail(database: Database, ran: list[str]) -> None:
    """Register undo actions at two levels, one of them twice, then fail the outer level."""
    with database.transaction():
        with database.transaction():
            database.on_rollback(lambda: ran.append("inner"))

        def outer() -> None:
            ran.append("outer")

        database.on_rollback(outer)
        database.on_rollback(outer)
        raise RuntimeError


def test_rollback_actions_run_once_on_rollback_and_never_on_commit(scratch: Database) -> None:
    ran: list[str] = []
    with scratch.transaction():
        scratch.on_rollback(lambda: ran.append("committed"))
    assert ran == []
    with pytest.raises(RuntimeError):
        register_and_fail(scratch, ran)
    assert ran == ["outer", "inner"]


def test_rollback_actions_need_a_transaction(scratch: Database) -> None:
    with pytest.raises(StorageError, match="outside a transaction"):
        scratch.on_rollback(lambda: None)


class BlockFailedError(Exception):
    pass


Block = tuple[bool, list[Any]]
blocks: st.SearchStrategy[Block] = st.recursive(
    st.tuples(st.booleans(), st.lists(st.integers(0, 99), max_size=3)),
    lambda inner: st.tuples(
        st.booleans(), st.lists(st.one_of(st.integers(0, 99), inner), max_size=3)
    ),
    max_leaves=12,
)


def run_block(database: Database, block: Block) -> None:
    fails, items = block
    with database.transaction():
        for item in items:
            if isinstance(item, int):
                database.execute("INSERT INTO entries (value) VALUES (?)", (item,))
            else:
                with contextlib.suppress(BlockFailedError):
                    run_block(database, item)
        if fails:
            raise BlockFailedError


def kept(block: Block) -> list[int]:
    """What a block leaves behind: nothing if it fails, else its values and kept sub-blocks."""
    fails, items = block
    if fails:
        return []
    return [value for item in items for value in ([item] if isinstance(item, int) else kept(item))]


@settings(max_examples=60)
@given(blocks)
def test_nested_transactions_keep_exactly_what_no_failing_level_encloses(block: Block) -> None:
    with scratch_database(migrations=V1) as (_, database):
        with contextlib.suppress(BlockFailedError):
            run_block(database, block)
        assert entries(database) == kept(block)
        assert not database.in_transaction
