"""The persisted commitment tree against the in-memory tree, before and after reopening."""

from __future__ import annotations

import sqlite3
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.crypto.merkle import IncrementalMerkleTree, verify_proof
from paraloom.errors import InvalidScalarError, StorageError, TreeFullError
from paraloom.math.fields import FR_MODULUS
from paraloom.storage.database import Database, open_database
from paraloom.storage.merkle_store import MerkleStore

from .support import scratch_database

elements = st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))


@st.composite
def histories(draw: st.DrawFn) -> tuple[int, int, list[list[int]]]:
    """A depth, a root history size and batches of leaves that fit the tree."""
    depth = draw(st.integers(1, 4))
    history = draw(st.integers(1, 6))
    leaves = draw(st.lists(elements, max_size=1 << depth))
    cuts = sorted(draw(st.lists(st.integers(0, len(leaves)), max_size=6)))
    bounds = [0, *cuts, len(leaves)]
    return depth, history, [leaves[start:end] for start, end in pairwise(bounds)]


def assert_same(store: MerkleStore, tree: IncrementalMerkleTree, every_root: list[int]) -> None:
    assert len(store) == len(tree)
    assert store.root == tree.root
    assert store.roots == tree.roots
    for root in [*every_root, 0, 12345]:
        assert store.is_known_root(root) == tree.is_known_root(root)
    for index in range(len(tree)):
        assert store.leaf(index) == tree.leaf(index)
        assert store.proof(index) == tree.proof(index)
        assert verify_proof(store.root, store.proof(index))


@settings(max_examples=30)
@given(histories())
def test_the_store_matches_the_in_memory_tree_after_appends_and_reopening(
    case: tuple[int, int, list[list[int]]],
) -> None:
    depth, history, batches = case
    tree = IncrementalMerkleTree(depth, history)
    every_root = [tree.root]
    with scratch_database() as (path, database):
        store = MerkleStore.open(database, depth, history)
        for batch in batches:
            assert store.append(batch) == tree.insert_many(batch)
            every_root.append(tree.root)
            assert_same(store, tree, every_root)
        database.close()
        with open_database(path) as reopened:
            assert_same(MerkleStore.open(reopened, depth, history), tree, every_root)


def test_an_empty_append_publishes_no_root(database: Database) -> None:
    store = MerkleStore.open(database, depth=3)
    store.append([5])
    roots = store.roots
    assert store.append([]) == range(1, 1)
    assert store.roots == roots


def test_a_different_shape_is_refused_on_reopening(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    with open_database(path) as database:
        MerkleStore.open(database, depth=3, root_history_size=4).append([1, 2])
    with open_database(path) as database:
        with pytest.raises(StorageError, match="depth 3 and a root history of 4, not 4 and 4"):
            MerkleStore.open(database, depth=4, root_history_size=4)
        with pytest.raises(StorageError, match="not 3 and 30"):
            MerkleStore.open(database, depth=3)


@pytest.mark.parametrize(
    ("leaves", "error"), [([1] * 5, TreeFullError), ([1, FR_MODULUS], InvalidScalarError)]
)
def test_a_refused_append_stores_nothing(
    tmp_path: Path, leaves: list[int], error: type[Exception]
) -> None:
    path = tmp_path / "node.sqlite3"
    with open_database(path) as database:
        store = MerkleStore.open(database, depth=2)
        store.append([7])
        root = store.root
        with pytest.raises(error):
            store.append(leaves)
        assert (len(store), store.root) == (1, root)
    with open_database(path) as database:
        store = MerkleStore.open(database, depth=2)
        assert (len(store), store.root) == (1, root)


def test_a_rolled_back_enclosing_transaction_restores_the_tree(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    with open_database(path) as database:
        store = MerkleStore.open(database, depth=4)
        store.append([1, 2])
        committed = (len(store), store.root, store.roots)
        with pytest.raises(RuntimeError, match="5 leaves before the rollback"):
            append_then_fail(database, store, [[3], [4, 5]])
        assert (len(store), store.root, store.roots) == committed
        store.append([6])
        expected = (len(store), store.root, store.roots)
    with open_database(path) as database:
        store = MerkleStore.open(database, depth=4)
        assert (len(store), store.root, store.roots) == expected


def append_then_fail(database: Database, store: MerkleStore, batches: list[list[int]]) -> None:
    """Append batches inside one transaction, then fail it, saying how many leaves it had."""
    with database.transaction():
        for batch in batches:
            store.append(batch)
        raise RuntimeError(f"{len(store)} leaves before the rollback")


@pytest.mark.parametrize(
    "tampering",
    [
        "UPDATE merkle_leaves SET leaf = zeroblob(32) WHERE leaf_index = 1",
        "DELETE FROM merkle_leaves WHERE leaf_index = 2",
        "DELETE FROM merkle_roots WHERE seq = (SELECT max(seq) FROM merkle_roots)",
    ],
)
def test_stored_leaves_that_miss_the_recorded_root_are_refused(
    tmp_path: Path, tampering: str
) -> None:
    path = tmp_path / "node.sqlite3"
    with open_database(path) as database:
        MerkleStore.open(database, depth=3).append([11, 12, 13])
    with sqlite3.connect(path) as raw:
        for table in ("merkle_leaves", "merkle_roots"):
            raw.execute(f"DROP TRIGGER {table}_no_update")
            raw.execute(f"DROP TRIGGER {table}_no_delete")
        raw.execute(tampering)
    with (
        open_database(path) as database,
        pytest.raises(StorageError, match="the Merkle tree is inconsistent"),
    ):
        MerkleStore.open(database, depth=3)


def test_leaves_and_roots_are_append_only(database: Database) -> None:
    MerkleStore.open(database, depth=3).append([1])
    for statement in ("DELETE FROM merkle_leaves", "UPDATE merkle_roots SET root = zeroblob(32)"):
        with pytest.raises(StorageError, match="is append-only"):
            database.execute(statement)
