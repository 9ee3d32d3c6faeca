"""The nullifier set against a Python set, and its append-only rule even through raw SQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import StorageError
from paraloom.storage.database import Database, open_database
from paraloom.storage.nullifiers import NullifierSet

from .support import label, scratch_database

# Few distinct values, so that repeats are common.
nullifiers = st.sampled_from([label("n", number) for number in range(12)])


@pytest.fixture
def spent(tmp_path: Path) -> Path:
    """A database with nullifiers n-0 and n-1 spent."""
    path = tmp_path / "node.sqlite3"
    with open_database(path) as database:
        NullifierSet(database).add_many([label("n", 0), label("n", 1)])
    return path


@settings(max_examples=40)
@given(st.lists(st.lists(nullifiers, max_size=5), max_size=8))
def test_the_set_behaves_as_a_python_set_that_only_grows(batches: list[list[bytes]]) -> None:
    model: set[bytes] = set()
    with scratch_database() as (path, database):
        store = NullifierSet(database)
        for batch in batches:
            expected = []
            for nullifier in batch:
                expected.append(nullifier not in model)
                model.add(nullifier)
            assert store.add_many(batch) == tuple(expected)
            assert store.count() == len(model)
        database.close()
        with open_database(path) as reopened:
            store = NullifierSet(reopened)
            assert store.count() == len(model)
            assert all(
                store.spent(label("n", number)) == (label("n", number) in model)
                for number in range(12)
            )


def test_add_says_whether_the_nullifier_was_new(tmp_path: Path) -> None:
    with open_database(tmp_path / "node.sqlite3") as database:
        store = NullifierSet(database)
        assert not store.spent(label("x"))
        assert store.add(label("x"))
        assert store.spent(label("x"))
        assert not store.add(label("x"))
        assert store.count() == 1


@pytest.mark.parametrize("bad", [b"", b"\1" * 31, b"\1" * 33, "ab" * 16, 7])
def test_a_malformed_nullifier_is_refused_before_anything_is_written(
    tmp_path: Path, bad: object
) -> None:
    with open_database(tmp_path / "node.sqlite3") as database:
        store = NullifierSet(database)
        with pytest.raises(StorageError, match="a nullifier must be 32 bytes"):
            store.add_many([label("good"), bad])  # type: ignore[list-item]
        assert store.count() == 0


def test_there_is_no_removal_api() -> None:
    public = {name for name in dir(NullifierSet) if not name.startswith("_")}
    assert public == {"add", "add_many", "spent", "count"}


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("DELETE FROM nullifiers", "append-only"),
        ("DELETE FROM nullifiers WHERE nullifier = ?", "append-only"),
        ("UPDATE nullifiers SET spent_at = 0 WHERE nullifier = ?", "append-only"),
        ("UPDATE nullifiers SET nullifier = zeroblob(32) WHERE nullifier = ?", "append-only"),
        ("INSERT OR REPLACE INTO nullifiers VALUES (?, 0)", "already spent"),
        ("REPLACE INTO nullifiers VALUES (?, 0)", "already spent"),
        ("INSERT INTO nullifiers VALUES (?, 0)", "already spent"),
    ],
)
def test_raw_sql_on_a_plain_connection_cannot_forget_or_rewrite_a_spend(
    spent: Path, statement: str, message: str
) -> None:
    parameters = (label("n", 0),) if "?" in statement else ()
    raw = sqlite3.connect(spent)
    try:
        with pytest.raises(sqlite3.IntegrityError, match=message):
            raw.execute(statement, parameters)
        raw.rollback()
    finally:
        raw.close()
    with open_database(spent) as database:
        store = NullifierSet(database)
        assert store.count() == 2
        assert store.spent(label("n", 0))
        assert store.spent(label("n", 1))


def test_raw_sql_through_the_database_is_refused_as_a_storage_error(spent: Path) -> None:
    with open_database(spent) as database:
        with pytest.raises(StorageError, match="nullifiers is append-only"):
            database.execute("DELETE FROM nullifiers")
        assert NullifierSet(database).count() == 2


def spend_then_fail(database: Database, nullifier: bytes) -> None:
    with database.transaction():
        NullifierSet(database).add(nullifier)
        raise RuntimeError("undone")


def test_a_failing_enclosing_transaction_unspends_nothing_committed(database: Database) -> None:
    store = NullifierSet(database)
    store.add(label("kept"))
    with pytest.raises(RuntimeError, match="undone"):
        spend_then_fail(database, label("undone"))
    assert store.spent(label("kept"))
    assert not store.spent(label("undone"))
