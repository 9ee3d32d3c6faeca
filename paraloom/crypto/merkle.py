"""An append-only Poseidon Merkle tree of fixed depth with a history of recent roots.

Semantics are Tornado Cash's ``MerkleTreeWithHistory``, with Poseidon and zero leaves of 0
(protocol; others reimplement it):

- A tree of depth d holds up to 2^d leaves, Fr elements, filled left to right; leaf i is the
  i-th inserted. Depth is 1..32 (default 20: about a million deposits). Inserting into a full
  tree raises :class:`TreeFullError`.
- Empty leaves are 0 and an empty subtree of height h hashes to zeros[h] with zeros[0] = 0,
  zeros[h + 1] = poseidon_hash([zeros[h], zeros[h]]). A node is
  poseidon_hash([left, right]); the root of the empty tree is zeros[d].
- Path bits are LSB-first: bit i of the leaf index says whether the level-i node on the path
  is a right child (1) or a left child (0), and sibling i is the other child at level i.
- Root history: the last N roots (default 30, Tornado's ROOT_HISTORY_SIZE), the root of the
  empty tree being the first. A root stays known until N later roots have pushed it out, so a
  proof made against a slightly old root is still accepted; 0 is never a known root.
  :meth:`IncrementalMerkleTree.insert_many` hashes each touched node once and records only
  the final root, as one batch.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from paraloom.crypto.g1 import require_scalar
from paraloom.crypto.poseidon import poseidon_hash
from paraloom.errors import MerkleTreeError, TreeFullError

DEFAULT_DEPTH = 20
DEFAULT_ROOT_HISTORY = 30
MAX_DEPTH = 32


def hash_pair(left: int, right: int) -> int:
    """The parent of two nodes: poseidon_hash([left, right])."""
    return poseidon_hash([left, right])


@functools.cache
def empty_hashes(depth: int) -> tuple[int, ...]:
    """zeros[0..depth]: the hash of an empty subtree of each height, leaves being 0."""
    zeros = [0]
    for _ in range(depth):
        zeros.append(hash_pair(zeros[-1], zeros[-1]))
    return tuple(zeros)


def index_bits(index: int, depth: int) -> tuple[int, ...]:
    """The LSB-first path bits of a leaf index (1: the node is the right child)."""
    return tuple(index >> level & 1 for level in range(depth))


def root_from_path(leaf: int, path_bits: Sequence[int], siblings: Sequence[int]) -> int:
    """Hash ``leaf`` up to the root with one sibling per level, bits LSB-first."""
    node = leaf
    for bit, sibling in zip(path_bits, siblings, strict=True):
        node = hash_pair(sibling, node) if bit else hash_pair(node, sibling)
    return node


@dataclass(frozen=True)
class MerkleProof:
    """A leaf, its index and the siblings from the leaf level up (one per level)."""

    leaf: int
    leaf_index: int
    siblings: tuple[int, ...]

    @property
    def depth(self) -> int:
        return len(self.siblings)

    @property
    def path_bits(self) -> tuple[int, ...]:
        return index_bits(self.leaf_index, self.depth)

    def compute_root(self) -> int:
        """The root this proof leads to; InvalidScalarError or MerkleTreeError if malformed."""
        require_scalar(self.leaf, "merkle proof: leaf")
        for level, sibling in enumerate(self.siblings):
            require_scalar(sibling, f"merkle proof: sibling {level}")
        if not 0 <= self.leaf_index < 1 << self.depth:
            raise MerkleTreeError(
                f"merkle proof: leaf index {self.leaf_index} does not fit a tree of depth "
                f"{self.depth}"
            )
        return root_from_path(self.leaf, self.path_bits, self.siblings)


def verify_proof(root: int, proof: MerkleProof) -> bool:
    """Whether ``proof`` leads to ``root``."""
    return proof.compute_root() == root


class IncrementalMerkleTree:
    """The tree with every level kept, so that proofs cost no hashing (module docstring)."""

    def __init__(
        self, depth: int = DEFAULT_DEPTH, root_history_size: int = DEFAULT_ROOT_HISTORY
    ) -> None:
        if not 1 <= depth <= MAX_DEPTH:
            raise MerkleTreeError(f"tree depth {depth} is not in 1..{MAX_DEPTH}")
        if root_history_size < 1:
            raise MerkleTreeError(f"root history size {root_history_size} is below 1")
        self.depth = depth
        self._zeros = empty_hashes(depth)
        self._layers: list[list[int]] = [[] for _ in range(depth + 1)]
        self._history: deque[int] = deque([self._zeros[depth]], maxlen=root_history_size)

    def __len__(self) -> int:
        return len(self._layers[0])

    @property
    def capacity(self) -> int:
        return 1 << self.depth

    @property
    def root(self) -> int:
        return self._history[-1]

    @property
    def roots(self) -> tuple[int, ...]:
        """The known roots, oldest first; the last is the current root."""
        return tuple(self._history)

    def is_known_root(self, root: int) -> bool:
        return root != 0 and root in self._history

    def insert(self, leaf: int) -> int:
        """Append ``leaf``; returns its index. Costs ``depth`` hashes and records the new root."""
        return self.insert_many([leaf]).start

    def insert_many(self, leaves: Iterable[int]) -> range:
        """Append several leaves, hashing each touched node once; records one root."""
        values = [require_scalar(leaf, "merkle leaf") for leaf in leaves]
        start = len(self)
        if start + len(values) > self.capacity:
            raise TreeFullError(
                f"the tree of depth {self.depth} has {self.capacity - start} free leaves, "
                f"{len(values)} requested"
            )
        if values:
            self._layers[0].extend(values)
            self._rehash(start, len(self) - 1)
            self._history.append(self._layers[self.depth][0])
        return range(start, len(self))

    def leaf(self, index: int) -> int:
        return self._layers[0][self._require_index(index)]

    def proof(self, index: int) -> MerkleProof:
        """The membership proof of leaf ``index`` against the current root."""
        leaf = self.leaf(index)
        siblings = tuple(self._node(level, (index >> level) ^ 1) for level in range(self.depth))
        return MerkleProof(leaf, index, siblings)

    def verify_proof(self, proof: MerkleProof) -> bool:
        """Whether ``proof`` has this tree's depth and leads to one of its known roots."""
        if proof.depth != self.depth:
            raise MerkleTreeError(
                f"merkle proof of depth {proof.depth} for a tree of depth {self.depth}"
            )
        return self.is_known_root(proof.compute_root())

    def _node(self, level: int, index: int) -> int:
        layer = self._layers[level]
        return layer[index] if index < len(layer) else self._zeros[level]

    def _rehash(self, first: int, last: int) -> None:
        """Recompute the parents of leaves first..last (inclusive), level by level."""
        for level in range(self.depth):
            first, last = first >> 1, last >> 1
            parents = self._layers[level + 1]
            del parents[first:]
            parents.extend(
                hash_pair(self._node(level, 2 * i), self._node(level, 2 * i + 1))
                for i in range(first, last + 1)
            )

    def _require_index(self, index: int) -> int:
        if not 0 <= index < len(self):
            raise MerkleTreeError(f"leaf index {index} is not below the {len(self)} leaves")
        return index
