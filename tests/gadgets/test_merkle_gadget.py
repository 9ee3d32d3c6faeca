"""Merkle path gadgets: satisfiable exactly when the native proof verifies, for both trees."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.crypto.merkle import IncrementalMerkleTree, MerkleProof, verify_proof
from paraloom.crypto.sparse_merkle import SparseMerkleProof, SparseMerkleTree, verify_sparse_proof
from paraloom.errors import CircuitError
from paraloom.gadgets import merkle as merkle_gadgets
from paraloom.gadgets.merkle import (
    assert_merkle_membership,
    assert_sparse_membership,
    assert_sparse_non_membership,
    field_key_bits,
    merkle_root,
    merkle_root_at_index,
    sparse_key_bits,
)
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import Assignment, CircuitBuilder, build_assignment, build_shape
from paraloom.zk.expressions import Expr, Wire
from paraloom.zk.satisfiability import check_satisfied

elements = st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))


def satisfied(assignment: Assignment) -> bool:
    return check_satisfied(assignment.shape.system, assignment.witness).ok


def named(prefix: str, values: tuple[int, ...]) -> dict[str, int]:
    return {f"{prefix}{i}": value for i, value in enumerate(values)}


def inputs(cs: CircuitBuilder, prefix: str, count: int) -> list[Wire]:
    return [cs.private_input(f"{prefix}{i}") for i in range(count)]


def membership_circuit(depth: int) -> Callable[[CircuitBuilder], None]:
    def circuit(cs: CircuitBuilder) -> None:
        leaf, root = cs.private_input("leaf"), cs.public_input("root")
        assert_merkle_membership(cs, leaf, inputs(cs, "bit", depth), inputs(cs, "sib", depth), root)

    return circuit


def membership_inputs(root: int, proof: MerkleProof, bits: tuple[int, ...]) -> dict[str, int]:
    return {
        "leaf": proof.leaf,
        "root": root,
        **named("bit", bits),
        **named("sib", proof.siblings),
    }


@st.composite
def incremental_cases(draw: st.DrawFn) -> tuple[IncrementalMerkleTree, MerkleProof]:
    depth = draw(st.integers(1, 4))
    tree = IncrementalMerkleTree(depth)
    tree.insert_many(draw(st.lists(elements, min_size=1, max_size=1 << depth)))
    return tree, tree.proof(draw(st.integers(0, len(tree) - 1)))


@settings(max_examples=10)
@given(incremental_cases())
def test_the_gadget_root_is_the_native_root(
    case: tuple[IncrementalMerkleTree, MerkleProof],
) -> None:
    tree, proof = case

    def circuit(cs: CircuitBuilder) -> None:
        leaf = cs.private_input("leaf")
        bits, siblings = inputs(cs, "bit", tree.depth), inputs(cs, "sib", tree.depth)
        cs.public_output("root", merkle_root(cs, leaf, bits, siblings))
        cs.public_output(
            "root_by_index", merkle_root_at_index(cs, leaf, cs.private_input("index"), siblings)
        )

    values = membership_inputs(tree.root, proof, proof.path_bits)
    del values["root"]
    assignment = build_assignment(circuit, {**values, "index": proof.leaf_index})
    assert satisfied(assignment)
    assert assignment.public_signals == (tree.root, tree.root)


@settings(max_examples=25)
@given(incremental_cases(), st.data())
def test_membership_holds_exactly_when_the_native_proof_verifies(
    case: tuple[IncrementalMerkleTree, MerkleProof], data: st.DataObject
) -> None:
    tree, proof = case
    field = data.draw(st.sampled_from(["none", "leaf", "sibling", "bit"]))
    bits = list(proof.path_bits)
    if field == "leaf":
        proof = replace(proof, leaf=data.draw(elements))
    elif field == "sibling":
        siblings = list(proof.siblings)
        siblings[data.draw(st.integers(0, tree.depth - 1))] = data.draw(elements)
        proof = replace(proof, siblings=tuple(siblings))
    elif field == "bit":
        level = data.draw(st.integers(0, tree.depth - 1))
        bits[level] ^= 1
        proof = replace(proof, leaf_index=proof.leaf_index ^ (1 << level))
    assignment = build_assignment(
        membership_circuit(tree.depth), membership_inputs(tree.root, proof, tuple(bits))
    )
    assert satisfied(assignment) == verify_proof(tree.root, proof)


def test_a_wrong_sibling_or_leaf_is_unsatisfiable() -> None:
    tree = IncrementalMerkleTree(3)
    tree.insert_many([11, 22, 33])
    proof = tree.proof(1)
    circuit = membership_circuit(3)
    assert satisfied(
        build_assignment(circuit, membership_inputs(tree.root, proof, proof.path_bits))
    )
    wrong_sibling = replace(proof, siblings=(proof.siblings[0], 5, proof.siblings[2]))
    assert not satisfied(
        build_assignment(circuit, membership_inputs(tree.root, wrong_sibling, proof.path_bits))
    )
    wrong_leaf = replace(proof, leaf=12)
    assert not satisfied(
        build_assignment(circuit, membership_inputs(tree.root, wrong_leaf, proof.path_bits))
    )


def test_a_non_boolean_path_bit_is_unsatisfiable() -> None:
    tree = IncrementalMerkleTree(2)
    tree.insert_many([7, 7])
    proof = tree.proof(0)
    bits = (2, 0)
    assignment = build_assignment(membership_circuit(2), membership_inputs(tree.root, proof, bits))
    report = check_satisfied(assignment.shape.system, assignment.witness)
    assert not report.ok
    assert report.failing[0] == 0  # the boolean check of bit 0 comes first


def test_an_index_beyond_the_depth_is_unsatisfiable() -> None:
    tree = IncrementalMerkleTree(2)
    tree.insert(7)
    proof = tree.proof(0)

    def circuit(cs: CircuitBuilder) -> None:
        root = merkle_root_at_index(
            cs, cs.private_input("leaf"), cs.private_input("index"), inputs(cs, "sib", 2)
        )
        cs.assert_equal(root, cs.public_input("root"))

    values = {"leaf": 7, "root": tree.root, **named("sib", proof.siblings)}
    assert satisfied(build_assignment(circuit, {**values, "index": 0}))
    assert not satisfied(build_assignment(circuit, {**values, "index": 4}))


def test_the_shape_needs_no_inputs() -> None:
    shape = build_shape(membership_circuit(20))
    assert shape.n_pub_in == 1
    assert shape.n_prv_in == 41
    shorter = build_shape(membership_circuit(19))
    # one more level: Poseidon(2) (240, circomlib's count) + the swap and its boolean check
    assert len(shape.system.constraints) == len(shorter.system.constraints) + 242


def test_mismatched_path_lengths_are_refused() -> None:
    def circuit(cs: CircuitBuilder) -> None:
        merkle_root(cs, cs.private_input("leaf"), inputs(cs, "bit", 3), inputs(cs, "sib", 2))

    with pytest.raises(CircuitError, match="3 bits, 2 siblings"):
        build_shape(circuit)


# -- sparse trees ---------------------------------------------------------------------------


def sparse_circuit(depth: int, member: bool) -> Callable[[CircuitBuilder], None]:
    def circuit(cs: CircuitBuilder) -> None:
        key, root = cs.private_input("key"), cs.public_input("root")
        siblings = inputs(cs, "sib", depth)
        if member:
            assert_sparse_membership(cs, key, cs.private_input("value"), siblings, root)
        else:
            assert_sparse_non_membership(cs, key, siblings, root)

    return circuit


def sparse_inputs(root: int, proof: SparseMerkleProof) -> dict[str, int]:
    values = {"key": proof.key, "root": root, **named("sib", proof.siblings)}
    return values if proof.value is None else {**values, "value": proof.value}


@st.composite
def sparse_cases(draw: st.DrawFn) -> tuple[SparseMerkleTree, SparseMerkleProof]:
    depth = draw(st.integers(1, 4))
    tree = SparseMerkleTree(depth)
    keys = st.integers(0, (1 << depth) - 1)
    for key, value in draw(st.dictionaries(keys, elements, max_size=1 << depth)).items():
        tree.update(key, value)
    return tree, tree.proof(draw(keys))


@settings(max_examples=25)
@given(sparse_cases(), st.data())
def test_sparse_gadgets_hold_exactly_when_the_native_proof_verifies(
    case: tuple[SparseMerkleTree, SparseMerkleProof], data: st.DataObject
) -> None:
    tree, proof = case
    tamper = data.draw(st.sampled_from(["none", "value", "sibling", "key"]))
    if tamper == "value":
        proof = replace(proof, value=data.draw(st.one_of(st.none(), elements)))
    elif tamper == "sibling":
        siblings = list(proof.siblings)
        siblings[data.draw(st.integers(0, tree.depth - 1))] = data.draw(elements)
        proof = replace(proof, siblings=tuple(siblings))
    elif tamper == "key":
        proof = replace(proof, key=data.draw(st.integers(0, (1 << tree.depth) - 1)))
    circuit = sparse_circuit(tree.depth, proof.value is not None)
    assignment = build_assignment(circuit, sparse_inputs(tree.root, proof))
    assert satisfied(assignment) == verify_sparse_proof(tree.root, proof)


def test_sparse_keys_beyond_the_depth_are_unsatisfiable() -> None:
    tree = SparseMerkleTree(3)
    proof = tree.proof(0)
    assignment = build_assignment(
        sparse_circuit(3, False), sparse_inputs(tree.root, proof) | {"key": 8}
    )
    assert not satisfied(assignment)


@settings(max_examples=20)
@given(st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1, (1 << 253) - 1, 1 << 253]), elements))
def test_field_key_bits_are_the_canonical_bits(key: int) -> None:
    def circuit(cs: CircuitBuilder) -> None:
        for index, bit in enumerate(field_key_bits(cs, cs.private_input("key"))):
            cs.public_output(f"bit{index}", bit)

    assignment = build_assignment(circuit, {"key": key})
    assert satisfied(assignment)
    assert assignment.public_signals == tuple(key >> i & 1 for i in range(254))


def alias_bit(cs: CircuitBuilder, key: Expr, index: int) -> int:
    """A cheating prover's hint: the bits of key + r, which sum to the same field element."""
    return (cs.value(key) + FR_MODULUS) >> index & 1


@settings(max_examples=20)
@given(st.integers(0, (1 << 254) - FR_MODULUS - 1))
def test_field_key_bits_refuse_the_alias_key_plus_r(key: int) -> None:
    def circuit(cs: CircuitBuilder) -> None:
        field_key_bits(cs, cs.private_input("key"))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merkle_gadgets, "_key_bit", alias_bit)
        assignment = build_assignment(circuit, {"key": key})
    report = check_satisfied(assignment.shape.system, assignment.witness)
    assert not report.ok
    recomposition = 254  # the 254 boolean checks come first, then the sum; both hold
    assert min(report.failing) > recomposition


@pytest.mark.parametrize("depth", [0, 255, 256])
def test_sparse_gadget_depths_are_checked(depth: int) -> None:
    def circuit(cs: CircuitBuilder) -> None:
        sparse_key_bits(cs, cs.private_input("key"), depth)

    with pytest.raises(CircuitError, match=f"not {depth}"):
        build_shape(circuit)


@pytest.mark.slow
def test_depth_254_membership_and_non_membership() -> None:
    tree = SparseMerkleTree()
    tree.update(FR_MODULUS - 1, 42)
    tree.update(12345, 7)
    for key, member in ((FR_MODULUS - 1, True), (FR_MODULUS - 2, False)):
        proof = tree.proof(key)
        assignment = build_assignment(sparse_circuit(254, member), sparse_inputs(tree.root, proof))
        assert satisfied(assignment)
    wrong = replace(tree.proof(12345), value=8)
    assignment = build_assignment(sparse_circuit(254, True), sparse_inputs(tree.root, wrong))
    assert not satisfied(assignment)
