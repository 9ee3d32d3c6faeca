"""A sparse Poseidon Merkle tree: a full-depth tree with one leaf position per possible key.

Protocol (others reimplement it, so every choice is fixed here):

- Depth 254 over field keys (the default): a key is an Fr element and its bits, LSB-first,
  choose the path, so the key *is* the leaf index and bit i says whether the level-i node is a
  right child. Depth 256 over 32-byte keys (hashes): the key read big-endian is the index.
  Smaller depths (1..253) take integer keys below 2^depth, for tests and small maps.
- An absent key's leaf is 0. A present key with value v has the leaf poseidon_hash([v]), so
  storing the value 0 differs from absence. Nodes are poseidon_hash([left, right]) and the
  empty subtree of height h hashes to empty[h] (empty[0] = 0), as in
  :mod:`paraloom.crypto.merkle`; the root of the empty map is empty[depth].
- A proof is the key, the value (None for a non-membership proof) and the depth siblings from
  the leaf level up. Membership and non-membership are checked the same way: hash the leaf
  (or 0) up the key's path and compare with the root.

Storage keeps only non-empty nodes (a dict from (level, index) to hash), so n keys cost about
n·depth entries, and empty siblings come from the precomputed empty[h]. An update or a delete
rehashes the key's path, depth hashes (254: about 45 ms in pure Python); a delete stops
hashing where both children are empty, since the parent is then a known empty hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from paraloom.crypto.g1 import require_scalar
from paraloom.crypto.merkle import (
    empty_hashes,
    hash_pair,
    index_bits,
    root_from_path,
)
from paraloom.crypto.poseidon import poseidon_hash
from paraloom.errors import InvalidScalarError, MerkleTreeError

FIELD_DEPTH = 254
BYTES_DEPTH = 256

Key = int | bytes


def leaf_hash(value: int) -> int:
    """The leaf of a present key: poseidon_hash([value])."""
    return poseidon_hash([value])


def require_depth(depth: int) -> int:
    if not (1 <= depth <= FIELD_DEPTH or depth == BYTES_DEPTH):
        raise MerkleTreeError(f"sparse tree depth {depth} is not 1..254 or 256")
    return depth


def key_index(key: Key, depth: int) -> int:
    """The leaf index of ``key`` in a tree of ``depth``, refusing keys of the wrong kind."""
    if require_depth(depth) == BYTES_DEPTH:
        if not isinstance(key, bytes) or len(key) != BYTES_DEPTH // 8:
            raise MerkleTreeError(f"a depth-256 sparse tree takes 32-byte keys, not {key!r:.80}")
        return int.from_bytes(key, "big")
    if isinstance(key, bytes):
        raise MerkleTreeError(f"a depth-{depth} sparse tree takes field keys, not bytes")
    index = require_scalar(key, "sparse merkle key")
    if index >> depth:
        raise InvalidScalarError(f"sparse merkle key {index} does not fit in {depth} bits")
    return index


@dataclass(frozen=True)
class SparseMerkleProof:
    """Siblings of ``key``'s path; ``value`` None proves that the key is absent."""

    key: Key
    value: int | None
    siblings: tuple[int, ...]

    @property
    def depth(self) -> int:
        return len(self.siblings)

    @property
    def path_bits(self) -> tuple[int, ...]:
        return index_bits(key_index(self.key, self.depth), self.depth)

    def compute_root(self) -> int:
        """The root the proof leads to; typed errors if a field is malformed."""
        leaf = (
            0
            if self.value is None
            else leaf_hash(require_scalar(self.value, "sparse merkle proof: value"))
        )
        for level, sibling in enumerate(self.siblings):
            require_scalar(sibling, f"sparse merkle proof: sibling {level}")
        return root_from_path(leaf, self.path_bits, self.siblings)


def verify_sparse_proof(root: int, proof: SparseMerkleProof) -> bool:
    """Whether ``proof`` (membership or non-membership) leads to ``root``."""
    return proof.compute_root() == root


class SparseMerkleTree:
    """A key-value map with Merkle proofs of presence and absence (module docstring)."""

    def __init__(self, depth: int = FIELD_DEPTH) -> None:
        self.depth = require_depth(depth)
        self._empty = empty_hashes(depth)
        self._values: dict[int, int] = {}
        self._nodes: dict[tuple[int, int], int] = {}

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: Key) -> bool:
        return key_index(key, self.depth) in self._values

    def __iter__(self) -> Iterator[int]:
        """Leaf indices of the present keys (keys themselves for field keys)."""
        return iter(self._values)

    @property
    def root(self) -> int:
        return self._node(self.depth, 0)

    @property
    def stored_nodes(self) -> int:
        """Non-empty nodes held: the storage cost."""
        return len(self._nodes)

    def get(self, key: Key) -> int | None:
        return self._values.get(key_index(key, self.depth))

    def update(self, key: Key, value: int) -> int:
        """Set ``key`` to ``value`` (insert or overwrite); returns the new root."""
        index = key_index(key, self.depth)
        self._values[index] = require_scalar(value, "sparse merkle value")
        return self._set_leaf(index, leaf_hash(value))

    def delete(self, key: Key) -> int:
        """Remove ``key`` (MerkleTreeError if absent); returns the new root."""
        index = key_index(key, self.depth)
        if self._values.pop(index, None) is None:
            raise MerkleTreeError(f"sparse merkle key {key!r:.80} is not present")
        return self._set_leaf(index, 0)

    def proof(self, key: Key) -> SparseMerkleProof:
        """Membership proof if ``key`` is present, else non-membership proof."""
        index = key_index(key, self.depth)
        siblings = tuple(self._node(level, (index >> level) ^ 1) for level in range(self.depth))
        return SparseMerkleProof(key, self._values.get(index), siblings)

    def _node(self, level: int, index: int) -> int:
        return self._nodes.get((level, index), self._empty[level])

    def _set_leaf(self, index: int, leaf: int) -> int:
        """Write ``leaf`` and rehash its path, dropping nodes that became empty."""
        node = leaf
        for level in range(self.depth):
            self._store(level, index, node)
            sibling = self._node(level, index ^ 1)
            if node == sibling == self._empty[level]:
                node = self._empty[level + 1]
            else:
                node = hash_pair(sibling, node) if index & 1 else hash_pair(node, sibling)
            index >>= 1
        self._store(self.depth, 0, node)
        return node

    def _store(self, level: int, index: int, node: int) -> None:
        if node == self._empty[level]:
            self._nodes.pop((level, index), None)
        else:
            self._nodes[(level, index)] = node
