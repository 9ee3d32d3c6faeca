"""The commitment tree, persisted: leaves in insertion order and the history of roots.

The in-memory :class:`~paraloom.crypto.merkle.IncrementalMerkleTree` answers roots and proofs;
the database holds what rebuilds it. On open the leaves are inserted again (about 0.1 ms of
Poseidon hashing per leaf) and the result must equal the last stored root, so a database
that lost or gained a leaf is refused instead of serving wrong proofs.

Roots are stored, one per append, rather than recomputed, because a rebuilt tree records a
single root for the whole batch: "is this root among the last N" must be answered with the
roots the node actually published, also just after a restart. Field elements are stored as
32 bytes big-endian.
"""

from __future__ import annotations

from collections.abc import Iterable

from paraloom.crypto.merkle import (
    DEFAULT_DEPTH,
    DEFAULT_ROOT_HISTORY,
    IncrementalMerkleTree,
    MerkleProof,
)
from paraloom.errors import StorageError
from paraloom.math.fields import FR_MODULUS
from paraloom.storage.database import Database

ELEMENT_SIZE = 32


def encode_element(value: int) -> bytes:
    return value.to_bytes(ELEMENT_SIZE, "big")


def decode_element(blob: bytes) -> int:
    return int.from_bytes(blob, "big")


class MerkleStore:
    """The node's commitment tree; :meth:`append` returns once the leaves are committed."""

    def __init__(self, database: Database, depth: int, root_history_size: int) -> None:
        """Use :meth:`open`, which also creates or checks the stored tree."""
        self._database = database
        self._depth = depth
        self._history_size = root_history_size
        self._tree = IncrementalMerkleTree(depth, root_history_size)
        self._last_seq = 0

    @classmethod
    def open(
        cls,
        database: Database,
        depth: int = DEFAULT_DEPTH,
        root_history_size: int = DEFAULT_ROOT_HISTORY,
    ) -> MerkleStore:
        """The stored tree, created empty on first use; StorageError if it differs in shape."""
        store = cls(database, depth, root_history_size)
        with database.transaction():
            store._create_or_check()
        store._load()
        return store

    def __len__(self) -> int:
        return len(self._tree)

    @property
    def depth(self) -> int:
        return self._depth

    @property
    def root(self) -> int:
        return self._tree.root

    @property
    def roots(self) -> tuple[int, ...]:
        """The known roots as published, oldest first; the last is the current root."""
        return tuple(
            decode_element(root)
            for (root,) in self._database.rows(
                "SELECT root FROM merkle_roots WHERE seq > ? ORDER BY seq", (self._oldest_seq(),)
            )
        )

    def is_known_root(self, root: int) -> bool:
        """Whether ``root`` is one of the last N published roots (0 never is)."""
        if not 0 < root < FR_MODULUS:
            return False
        found = self._database.value(
            "SELECT 1 FROM merkle_roots WHERE root = ? AND seq > ? LIMIT 1",
            (encode_element(root), self._oldest_seq()),
        )
        return found is not None

    def leaf(self, index: int) -> int:
        return self._tree.leaf(index)

    def proof(self, index: int) -> MerkleProof:
        """The membership proof of leaf ``index`` against the current root."""
        return self._tree.proof(index)

    def append(self, leaves: Iterable[int]) -> range:
        """Append leaves and their new root in one transaction; returns their indices.

        Several leaves cost one root and one commit. Inside an enclosing transaction the
        tree in memory follows that transaction: it is rebuilt if the transaction rolls back.
        """
        values = list(leaves)
        with self._database.transaction():
            indices = self._tree.insert_many(values)
            if not indices:
                return indices
            self._database.on_rollback(self._load)
            self._database.execute_many(
                "INSERT INTO merkle_leaves (leaf_index, leaf) VALUES (?, ?)",
                zip(indices, map(encode_element, values), strict=True),
            )
            self._last_seq += 1
            self._database.execute(
                "INSERT INTO merkle_roots (seq, root, leaf_count) VALUES (?, ?, ?)",
                (self._last_seq, encode_element(self._tree.root), len(self._tree)),
            )
        return indices

    def _oldest_seq(self) -> int:
        """Roots with a greater sequence number are the last N."""
        return self._last_seq - self._history_size

    def _create_or_check(self) -> None:
        shape = self._database.rows("SELECT depth, root_history FROM merkle_tree")
        if not shape:
            self._database.execute(
                "INSERT INTO merkle_tree (id, depth, root_history) VALUES (1, ?, ?)",
                (self._depth, self._history_size),
            )
            self._database.execute(
                "INSERT INTO merkle_roots (seq, root, leaf_count) VALUES (0, ?, 0)",
                (encode_element(self._tree.root),),
            )
        elif shape[0] != (self._depth, self._history_size):
            depth, history = shape[0]
            raise StorageError(
                f"{self._database.path}: the stored Merkle tree has depth {depth} and a root "
                f"history of {history}, not {self._depth} and {self._history_size}"
            )

    def _load(self) -> None:
        """Rebuild the tree from the stored leaves and check it against the last root."""
        tree = IncrementalMerkleTree(self._depth, self._history_size)
        leaves = self._database.rows("SELECT leaf FROM merkle_leaves ORDER BY leaf_index")
        tree.insert_many(decode_element(leaf) for (leaf,) in leaves)
        seq, root, leaf_count = self._database.rows(
            "SELECT seq, root, leaf_count FROM merkle_roots ORDER BY seq DESC LIMIT 1"
        )[0]
        if (decode_element(root), leaf_count) != (tree.root, len(tree)):
            raise StorageError(
                f"{self._database.path}: the Merkle tree is inconsistent: {len(tree)} stored "
                f"leaves hash to a root other than the last recorded one ({leaf_count} leaves)"
            )
        self._tree, self._last_seq = tree, seq
