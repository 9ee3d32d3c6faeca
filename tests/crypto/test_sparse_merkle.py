"""The sparse Merkle tree against a naive full tree, its proofs, storage, and the big depths."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from paraloom.crypto.merkle import MerkleTreeError, empty_hashes
from paraloom.crypto.poseidon import poseidon_hash
from paraloom.crypto.sparse_merkle import (
    BYTES_DEPTH,
    FIELD_DEPTH,
    SparseMerkleProof,
    SparseMerkleTree,
    verify_sparse_proof,
)
from paraloom.errors import InvalidScalarError
from paraloom.math.fields import FR_MODULUS

elements = st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))

Operation = tuple[int, int | None]  # (key, value); None deletes


def naive_root(entries: dict[int, int], depth: int) -> int:
    """Every leaf written out (poseidon([v]) or 0) and hashed pairwise up to the root."""
    level = [poseidon_hash([entries[i]]) if i in entries else 0 for i in range(1 << depth)]
    while len(level) > 1:
        level = [poseidon_hash([level[i], level[i + 1]]) for i in range(0, len(level), 2)]
    return level[0]


@st.composite
def histories(draw: st.DrawFn) -> tuple[int, list[Operation]]:
    """A small depth and a list of updates and deletes (deletes only of present keys)."""
    depth = draw(st.integers(1, 5))
    keys = st.integers(0, (1 << depth) - 1)
    present: set[int] = set()
    operations: list[Operation] = []
    for _ in range(draw(st.integers(0, 12))):
        if present and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(present)))
            present.discard(key)
            operations.append((key, None))
        else:
            key = draw(keys)
            present.add(key)
            operations.append((key, draw(elements)))
    return depth, operations


def replay(depth: int, operations: list[Operation]) -> tuple[SparseMerkleTree, dict[int, int]]:
    tree, entries = SparseMerkleTree(depth), {}
    for key, value in operations:
        if value is None:
            tree.delete(key)
            del entries[key]
        else:
            tree.update(key, value)
            entries[key] = value
    return tree, entries


@settings(max_examples=40)
@given(histories())
def test_roots_match_the_naive_tree(case: tuple[int, list[Operation]]) -> None:
    depth, operations = case
    tree, entries = replay(depth, operations)
    assert tree.root == naive_root(entries, depth)
    assert len(tree) == len(entries)
    assert {key: tree.get(key) for key in tree} == entries


@settings(max_examples=30)
@given(histories())
def test_storage_holds_only_non_empty_nodes(case: tuple[int, list[Operation]]) -> None:
    depth, operations = case
    tree, entries = replay(depth, operations)
    assert tree.stored_nodes <= len(entries) * (depth + 1)
    for key in list(entries):
        tree.delete(key)
    assert tree.stored_nodes == 0
    assert tree.root == empty_hashes(depth)[depth]


@settings(max_examples=30)
@given(histories())
def test_every_key_has_a_proof_of_presence_or_absence(case: tuple[int, list[Operation]]) -> None:
    depth, operations = case
    tree, entries = replay(depth, operations)
    for key in range(1 << depth):
        proof = tree.proof(key)
        assert proof.value == entries.get(key)
        assert proof.depth == depth
        assert verify_sparse_proof(tree.root, proof)


@settings(max_examples=40)
@given(histories(), st.data())
def test_tampered_proofs_are_rejected(
    case: tuple[int, list[Operation]], data: st.DataObject
) -> None:
    depth, operations = case
    tree, _ = replay(depth, operations)
    key = data.draw(st.integers(0, (1 << depth) - 1))
    proof = tree.proof(key)
    other = data.draw(elements)
    assume(other != proof.value)
    assert not verify_sparse_proof(tree.root, replace(proof, value=other))
    if proof.value is not None:
        assert not verify_sparse_proof(tree.root, replace(proof, value=None))
    level = data.draw(st.integers(0, depth - 1))
    siblings = list(proof.siblings)
    assume(siblings[level] != other)
    siblings[level] = other
    assert not verify_sparse_proof(tree.root, replace(proof, siblings=tuple(siblings)))


def test_storing_zero_differs_from_absence() -> None:
    tree = SparseMerkleTree(4)
    empty_root = tree.root
    tree.update(3, 0)
    assert tree.root != empty_root
    assert 3 in tree
    assert not verify_sparse_proof(tree.root, replace(tree.proof(3), value=None))


def test_overwriting_changes_the_value_not_the_count() -> None:
    tree = SparseMerkleTree(4)
    tree.update(5, 1)
    root = tree.update(5, 2)
    assert (len(tree), tree.get(5), root) == (1, 2, naive_root({5: 2}, 4))


def test_depth_254_field_keys() -> None:
    tree = SparseMerkleTree()
    assert tree.depth == FIELD_DEPTH
    keys = [0, 1, FR_MODULUS - 1]
    for value, key in enumerate(keys, 10):
        tree.update(key, value)
    absent = tree.proof(2)
    assert absent.value is None
    assert verify_sparse_proof(tree.root, absent)
    top = tree.proof(FR_MODULUS - 1)
    assert top.value == 12
    assert top.path_bits == tuple((FR_MODULUS - 1) >> i & 1 for i in range(FIELD_DEPTH))
    assert verify_sparse_proof(tree.root, top)
    assert not verify_sparse_proof(tree.root, replace(top, value=13))
    for key in keys:
        tree.delete(key)
    assert tree.root == empty_hashes(FIELD_DEPTH)[FIELD_DEPTH]
    assert tree.stored_nodes == 0


def test_depth_256_byte_keys() -> None:
    tree = SparseMerkleTree(BYTES_DEPTH)
    key = bytes(range(32))
    tree.update(key, 99)
    proof = tree.proof(key)
    assert proof.path_bits[:8] == (1, 1, 1, 1, 1, 0, 0, 0)  # 0x1f, LSB first
    assert verify_sparse_proof(tree.root, proof)
    assert verify_sparse_proof(tree.root, tree.proof(b"\xff" * 32))
    assert tree.get(key) == 99
    with pytest.raises(MerkleTreeError, match="32-byte keys"):
        tree.update(5, 1)
    with pytest.raises(MerkleTreeError, match="32-byte keys"):
        tree.get(key[:31])


def test_bad_keys_values_and_depths_are_refused() -> None:
    tree = SparseMerkleTree(8)
    with pytest.raises(InvalidScalarError, match="does not fit in 8 bits"):
        tree.update(256, 1)
    with pytest.raises(InvalidScalarError, match="sparse merkle key"):
        tree.update(-1, 1)
    with pytest.raises(InvalidScalarError, match="sparse merkle value"):
        tree.update(1, FR_MODULUS)
    assert len(tree) == 0
    with pytest.raises(MerkleTreeError, match="takes field keys"):
        tree.update(b"\x01", 1)
    with pytest.raises(MerkleTreeError, match="is not present"):
        tree.delete(3)
    with pytest.raises(InvalidScalarError, match="sparse merkle key"):
        SparseMerkleTree().proof(FR_MODULUS)
    for depth in (0, 255, 257):
        with pytest.raises(MerkleTreeError, match=f"depth {depth} is not"):
            SparseMerkleTree(depth)


def test_malformed_proofs_are_refused() -> None:
    tree = SparseMerkleTree(4)
    tree.update(1, 1)
    proof = tree.proof(1)
    with pytest.raises(InvalidScalarError, match="sibling 2"):
        verify_sparse_proof(tree.root, replace(proof, siblings=(0, 0, FR_MODULUS, 0)))
    with pytest.raises(InvalidScalarError, match="sparse merkle proof: value"):
        verify_sparse_proof(tree.root, replace(proof, value=-1))
    with pytest.raises(InvalidScalarError, match="does not fit in 4 bits"):
        verify_sparse_proof(tree.root, replace(proof, key=16))
    with pytest.raises(MerkleTreeError, match="depth 0 is not"):
        verify_sparse_proof(tree.root, SparseMerkleProof(1, 1, ()))
