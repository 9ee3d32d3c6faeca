"""One withdrawal shared by the withdraw tests: a note amid others in a real tree."""

from __future__ import annotations

from functools import cache

from paraloom.circuits.withdraw import TREE_DEPTH, Note, WithdrawWitness
from paraloom.crypto.merkle import IncrementalMerkleTree


@cache
def base_witness() -> WithdrawWitness:
    tree = IncrementalMerkleTree(TREE_DEPTH)
    note = Note(amount=1_500_000_000, secret=12345, blinding=67890)
    tree.insert_many([11, 22, 33])
    index = tree.insert(note.commitment)
    tree.insert(44)
    return WithdrawWitness(note, tree.proof(index), bytes(range(32)), expiration_slot=250_000)
