"""The incremental Merkle tree against a naive full-tree computation, plus its refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from paraloom.crypto.merkle import (
    DEFAULT_DEPTH,
    IncrementalMerkleTree,
    MerkleProof,
    empty_hashes,
    verify_proof,
)
from paraloom.crypto.poseidon import poseidon_hash
from paraloom.errors import InvalidScalarError, MerkleTreeError, TreeFullError
from paraloom.math.fields import FR_MODULUS

elements = st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))


def naive_root(leaves: list[int], depth: int) -> int:
    """Pad to 2^depth with zeros and hash every pair, level by level."""
    level = leaves + [0] * ((1 << depth) - len(leaves))
    while len(level) > 1:
        level = [poseidon_hash([level[i], level[i + 1]]) for i in range(0, len(level), 2)]
    return level[0]


@st.composite
def trees(draw: st.DrawFn, max_depth: int = 5) -> tuple[int, list[int]]:
    depth = draw(st.integers(1, max_depth))
    return depth, draw(st.lists(elements, max_size=1 << depth))


@settings(max_examples=40)
@given(trees())
def test_roots_match_the_naive_tree_after_every_insert(case: tuple[int, list[int]]) -> None:
    depth, leaves = case
    tree = IncrementalMerkleTree(depth, root_history_size=len(leaves) + 1)
    assert tree.root == naive_root([], depth)
    for count, leaf in enumerate(leaves, 1):
        assert tree.insert(leaf) == count - 1
        assert tree.root == naive_root(leaves[:count], depth)
    assert len(tree) == len(leaves)


@settings(max_examples=40)
@given(trees(), st.data())
def test_insert_many_equals_one_by_one(case: tuple[int, list[int]], data: st.DataObject) -> None:
    depth, leaves = case
    split = data.draw(st.integers(0, len(leaves)))
    single, batched = IncrementalMerkleTree(depth), IncrementalMerkleTree(depth)
    for leaf in leaves:
        single.insert(leaf)
    assert batched.insert_many(leaves[:split]) == range(split)
    assert batched.insert_many(leaves[split:]) == range(split, len(leaves))
    assert batched.root == single.root
    assert [batched.leaf(i) for i in range(len(leaves))] == leaves


@settings(max_examples=40)
@given(trees())
def test_every_leaf_has_a_proof_of_the_current_root(case: tuple[int, list[int]]) -> None:
    depth, leaves = case
    tree = IncrementalMerkleTree(depth)
    tree.insert_many(leaves)
    for index, leaf in enumerate(leaves):
        proof = tree.proof(index)
        assert (proof.leaf, proof.leaf_index, proof.depth) == (leaf, index, depth)
        assert proof.path_bits == tuple(int(b) for b in reversed(f"{index:0{depth}b}"))
        assert verify_proof(tree.root, proof)
        assert tree.verify_proof(proof)


@settings(max_examples=40)
@given(trees(), st.data())
def test_tampered_proofs_are_rejected(case: tuple[int, list[int]], data: st.DataObject) -> None:
    depth, leaves = case
    assume(leaves)
    tree = IncrementalMerkleTree(depth)
    tree.insert_many(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = tree.proof(index)
    other = data.draw(elements)
    assume(other != proof.leaf)
    assert not verify_proof(tree.root, replace(proof, leaf=other))
    level = data.draw(st.integers(0, depth - 1))
    assume(other != proof.siblings[level])
    siblings = list(proof.siblings)
    siblings[level] = other
    assert not verify_proof(tree.root, replace(proof, siblings=tuple(siblings)))
    moved = data.draw(st.integers(0, (1 << depth) - 1))
    assume(proof.leaf != (leaves[moved] if moved < len(leaves) else 0))
    assert not verify_proof(tree.root, replace(proof, leaf_index=moved))


def test_the_default_tree_is_tornado_shaped() -> None:
    tree = IncrementalMerkleTree()
    assert tree.depth == DEFAULT_DEPTH == 20
    assert tree.capacity == 1 << 20
    assert tree.root == empty_hashes(20)[20]
    assert tree.roots == (tree.root,)
    index = tree.insert(12345)
    proof = tree.proof(index)
    assert proof.siblings == empty_hashes(20)[:20]
    assert tree.verify_proof(proof)


def test_empty_hashes_are_hashes_of_empty_subtrees() -> None:
    zeros = empty_hashes(4)
    assert zeros[0] == 0
    for height in range(1, 5):
        assert zeros[height] == naive_root([], height)


def test_the_root_history_keeps_the_last_n_roots() -> None:
    tree = IncrementalMerkleTree(depth=4, root_history_size=3)
    empty_root = tree.root
    roots = [empty_root]
    for leaf in range(1, 6):
        tree.insert(leaf)
        roots.append(tree.root)
    assert tree.roots == tuple(roots[-3:])
    assert all(tree.is_known_root(root) for root in roots[-3:])
    assert not any(tree.is_known_root(root) for root in roots[:-3])
    assert not tree.is_known_root(0)


def test_old_proofs_stay_valid_while_their_root_is_known() -> None:
    tree = IncrementalMerkleTree(depth=4, root_history_size=2)
    tree.insert(7)
    proof = tree.proof(0)
    tree.insert(8)
    assert tree.verify_proof(proof)
    assert not verify_proof(tree.root, proof)
    tree.insert(9)
    assert not tree.verify_proof(proof)


def test_insert_many_records_one_root() -> None:
    tree = IncrementalMerkleTree(depth=4)
    tree.insert_many([1, 2, 3])
    assert len(tree.roots) == 2
    tree.insert_many([])
    assert len(tree.roots) == 2


def test_a_full_tree_refuses_more_leaves() -> None:
    tree = IncrementalMerkleTree(depth=2)
    tree.insert_many([1, 2, 3, 4])
    root = tree.root
    with pytest.raises(TreeFullError, match="0 free leaves, 1 requested"):
        tree.insert(5)
    small = IncrementalMerkleTree(depth=2)
    small.insert(1)
    with pytest.raises(TreeFullError, match="3 free leaves, 4 requested"):
        small.insert_many([1, 2, 3, 4])
    assert len(small) == 1
    assert tree.root == root


@pytest.mark.parametrize("bad", [FR_MODULUS, -1, True, "1"])
def test_leaves_outside_fr_are_refused(bad: object) -> None:
    tree = IncrementalMerkleTree(depth=3)
    with pytest.raises(InvalidScalarError, match="merkle leaf"):
        tree.insert(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidScalarError, match="merkle leaf"):
        tree.insert_many([1, bad])  # type: ignore[list-item]
    assert len(tree) == 0


@pytest.mark.parametrize(("depth", "history"), [(0, 1), (33, 1), (4, 0)])
def test_bad_shapes_are_refused(depth: int, history: int) -> None:
    with pytest.raises(MerkleTreeError):
        IncrementalMerkleTree(depth, history)


def test_unknown_leaf_indices_are_refused() -> None:
    tree = IncrementalMerkleTree(depth=3)
    tree.insert(1)
    for index in (1, -1):
        with pytest.raises(MerkleTreeError, match=f"leaf index {index} is not below the 1"):
            tree.proof(index)


def test_malformed_proofs_are_refused() -> None:
    tree = IncrementalMerkleTree(depth=3)
    tree.insert(1)
    proof = tree.proof(0)
    with pytest.raises(MerkleTreeError, match="depth 2 for a tree of depth 3"):
        tree.verify_proof(replace(proof, siblings=proof.siblings[:2]))
    with pytest.raises(MerkleTreeError, match="leaf index 8 does not fit"):
        verify_proof(tree.root, replace(proof, leaf_index=8))
    with pytest.raises(InvalidScalarError, match="sibling 1"):
        verify_proof(tree.root, replace(proof, siblings=(0, FR_MODULUS, 0)))
    with pytest.raises(InvalidScalarError, match="merkle proof: leaf"):
        verify_proof(tree.root, MerkleProof(-1, 0, proof.siblings))
