"""Merkle path verification in R1CS, for both trees of :mod:`paraloom.crypto`.

The gadgets recompute a root from a leaf exactly as the native trees do: bits LSB-first, bit i
set meaning the level-i node is the right child, and one Poseidon(2) per level
(:func:`paraloom.crypto.merkle.root_from_path`). A path bit that were not boolean would let a
prover blend a node with its sibling, so every bit is constrained: by ``conditional_swap``
for given path bits, or by the decomposition that produced them.

Sparse trees take the path from the key. Below depth 254 the key is decomposed into ``depth``
bits (which proves key < 2^depth). At depth 254 a plain decomposition is not unique: key and
key + r have the same value in Fr, and the position key + r is never written by the native
tree, so a prover could "prove" any key absent there. :func:`field_key_bits` therefore also
proves that the bits, read as an integer, are at most r - 1. Depth-256 trees over 32-byte
keys have no gadget: such a key is not a field element.

Costs per level: Poseidon(2) is 240 constraints, the swap 1 (2 with its boolean check); a
depth-20 membership proof is about 4.8k constraints, a depth-254 sparse proof about 61.5k.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from paraloom.crypto.sparse_merkle import FIELD_DEPTH
from paraloom.errors import CircuitError
from paraloom.gadgets.bits import assert_boolean, from_bits, to_bits
from paraloom.gadgets.poseidon import poseidon_gadget
from paraloom.gadgets.select import conditional_swap
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import CircuitBuilder, Operand
from paraloom.zk.expressions import Expr, lift


def merkle_root(
    cs: CircuitBuilder,
    leaf: Operand,
    path_bits: Sequence[Operand],
    siblings: Sequence[Operand],
    *,
    assume_boolean: bool = False,
) -> Expr:
    """The root that ``leaf`` reaches along ``path_bits`` (LSB-first) and ``siblings``.

    Each bit is boolean-constrained unless ``assume_boolean`` says the caller did so already.
    """
    if len(path_bits) != len(siblings):
        raise CircuitError(
            f"a Merkle path needs one sibling per bit: {len(path_bits)} bits, "
            f"{len(siblings)} siblings"
        )
    node = lift(cs, leaf)
    for bit, sibling in zip(path_bits, siblings, strict=True):
        left, right = conditional_swap(cs, bit, node, sibling, assume_boolean=assume_boolean)
        node = poseidon_gadget(cs, [left, right])
    return node


def merkle_root_at_index(
    cs: CircuitBuilder, leaf: Operand, leaf_index: Operand, siblings: Sequence[Operand]
) -> Expr:
    """:func:`merkle_root` with the path taken from a leaf index (proving index < 2^depth)."""
    bits = to_bits(cs, leaf_index, len(siblings))
    return merkle_root(cs, leaf, bits, siblings, assume_boolean=True)


def assert_merkle_membership(
    cs: CircuitBuilder,
    leaf: Operand,
    path_bits: Sequence[Operand],
    siblings: Sequence[Operand],
    root: Operand,
) -> None:
    """Constrain ``leaf`` to sit in the incremental tree of ``root`` at ``path_bits``."""
    cs.assert_equal(merkle_root(cs, leaf, path_bits, siblings), root)


def field_key_bits(cs: CircuitBuilder, key: Operand) -> list[Expr]:
    """The 254 bits of ``key``, LSB-first, proven boolean, summing to key and at most r - 1.

    The bound is checked from the most significant bit down: ``tight`` stays 1 while the bits
    equal those of r - 1. Where r - 1 has a 0 bit, a tight prefix forbids a 1 (tight·bit = 0);
    where it has a 1 bit, tight becomes tight·bit. One constraint per bit but the first, 508 in all.
    """
    value = lift(cs, key)
    bits: list[Expr] = [cs.allocate(partial(_key_bit, cs, value, i)) for i in range(FIELD_DEPTH)]
    for bit in bits:
        assert_boolean(cs, bit)
    cs.assert_equal(from_bits(cs, bits), value)
    tight: Expr = cs.constant(1)
    for index in reversed(range(FIELD_DEPTH)):
        if (FR_MODULUS - 1) >> index & 1:
            tight = cs.mul(tight, bits[index])
        else:
            cs.enforce(tight, bits[index], 0)
    return bits


def sparse_key_bits(cs: CircuitBuilder, key: Operand, depth: int) -> list[Expr]:
    """The path bits of a sparse-tree key: canonical at depth 254, a range check below."""
    if depth == FIELD_DEPTH:
        return field_key_bits(cs, key)
    if not 1 <= depth < FIELD_DEPTH:
        raise CircuitError(f"sparse tree gadgets take depths 1..254, not {depth}")
    return to_bits(cs, key, depth)


def assert_sparse_membership(
    cs: CircuitBuilder, key: Operand, value: Operand, siblings: Sequence[Operand], root: Operand
) -> None:
    """Constrain the sparse tree of ``root`` to map ``key`` to ``value``."""
    leaf = poseidon_gadget(cs, [value])
    _assert_sparse_path(cs, key, leaf, siblings, root)


def assert_sparse_non_membership(
    cs: CircuitBuilder, key: Operand, siblings: Sequence[Operand], root: Operand
) -> None:
    """Constrain ``key`` to be absent from the sparse tree of ``root`` (its leaf is 0)."""
    _assert_sparse_path(cs, key, 0, siblings, root)


def _assert_sparse_path(
    cs: CircuitBuilder, key: Operand, leaf: Operand, siblings: Sequence[Operand], root: Operand
) -> None:
    bits = sparse_key_bits(cs, key, len(siblings))
    cs.assert_equal(merkle_root(cs, leaf, bits, siblings, assume_boolean=True), root)


def _key_bit(cs: CircuitBuilder, key: Expr, index: int) -> int:
    """Witness hint: bit ``index`` of the key's canonical value."""
    return cs.value(key) >> index & 1
