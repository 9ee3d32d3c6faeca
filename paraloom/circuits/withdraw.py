"""The withdraw circuit: spend one note of the pool to a Solana account, revealing only what the
bridge must know.

Protocol, version 1 (others reimplement it: the Solana program, wallets, validators):

- A note holds ``amount`` (lamports, < 2^64), its owner's ``secret`` and a ``blinding`` factor,
  all elements of BN254's scalar field.
  ``owner = Poseidon(secret)`` is the owner's public key: a sender can make a note for someone
  knowing only that key. ``commitment = Poseidon(amount, owner, blinding)`` is the leaf the
  pool's :class:`~paraloom.crypto.merkle.IncrementalMerkleTree` stores; the blinding hides the
  amount and the owner from anyone who guesses them.
- ``nullifier = Poseidon(secret, leaf_index)``. Tying it to the position (as Zcash does) means
  two notes with the same commitment at two positions stay two spendable notes, and only the
  owner can compute it. The index is proven below 2^depth by the path decomposition, so each
  note has exactly one nullifier.
- The tree has depth 12 (4096 notes): 3684 constraints, so constraints + public inputs + 1 =
  3691 fit the 2^12 domain, and the ceremony needs only a power-12 powers of tau.
- Public inputs, in this order: the merkle ``root``, the ``nullifier``, the ``amount``, the
  recipient's 32-byte Solana public key as two 128-bit big-endian halves ``recipient_hi``
  (bytes 0..15) and ``recipient_lo`` (bytes 16..31), and the ``expiration_slot``. Two halves
  rather than the key reduced mod r: the split is injective, so a proof names one account, and
  the program rebuilds both from the key's bytes with no hashing.
- Private inputs: ``secret``, ``blinding``, ``leaf_index`` and the siblings ``path[0..11]``
  from the leaf level up (path bits are the index's bits, LSB first, as in the native tree).

The circuit proves the amount is below 2^64 and that the commitment of (amount, Poseidon(secret),
blinding) sits at ``leaf_index`` under ``root`` and that ``nullifier`` is its nullifier. The
recipient and the slot enter no constraint: Groth16 in snarkjs' layout binds every public input
anyway (the QAP gets one extra row per public input), so a proof made for one recipient or slot
fails for any other; the tests check this with the shipped key.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from paraloom.crypto.g1 import require_scalar
from paraloom.crypto.merkle import MerkleProof
from paraloom.crypto.poseidon import poseidon_hash
from paraloom.errors import CircuitError
from paraloom.gadgets.merkle import merkle_root_at_index
from paraloom.gadgets.poseidon import poseidon_gadget
from paraloom.gadgets.range import assert_in_range
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import (
    Assignment,
    CircuitBuilder,
    CircuitShape,
    build_assignment,
    build_shape,
)

TREE_DEPTH = 12
AMOUNT_BITS = 64
RECIPIENT_SIZE = 32
_HALF = RECIPIENT_SIZE // 2

PUBLIC_INPUTS = ("root", "nullifier", "amount", "recipient_hi", "recipient_lo", "expiration_slot")
"""The public signals in the order a verifier passes them."""


def withdraw_circuit(cs: CircuitBuilder) -> None:
    """The constraints of the module docstring (inputs: :meth:`WithdrawWitness.inputs`)."""
    root, nullifier, amount, *_recipient_and_slot = map(cs.public_input, PUBLIC_INPUTS)
    secret = cs.private_input("secret")
    blinding = cs.private_input("blinding")
    leaf_index = cs.private_input("leaf_index")
    siblings = [cs.private_input(f"path[{level}]") for level in range(TREE_DEPTH)]
    assert_in_range(cs, amount, AMOUNT_BITS)
    owner = poseidon_gadget(cs, [secret])
    commitment = poseidon_gadget(cs, [amount, owner, blinding])
    cs.assert_equal(merkle_root_at_index(cs, commitment, leaf_index, siblings), root)
    cs.assert_equal(poseidon_gadget(cs, [secret, leaf_index]), nullifier)


@cache
def withdraw_shape() -> CircuitShape:
    """The constraint system (built once per process: it takes about a second)."""
    return build_shape(withdraw_circuit)


@dataclass(frozen=True)
class Note:
    """A note of the pool (module docstring); fields are refused, never reduced, when invalid."""

    amount: int
    secret: int
    blinding: int

    def __post_init__(self) -> None:
        require_u64(self.amount, "note amount")
        require_scalar(self.secret, "note secret")
        require_scalar(self.blinding, "note blinding")

    @classmethod
    def random(cls, amount: int) -> Note:
        """A fresh note with a secret and blinding from the OS's CSPRNG."""
        return cls(amount, secrets.randbelow(FR_MODULUS), secrets.randbelow(FR_MODULUS))

    @property
    def owner(self) -> int:
        """Poseidon(secret): the public key notes are addressed to."""
        return poseidon_hash([self.secret])

    @property
    def commitment(self) -> int:
        """Poseidon(amount, owner, blinding): the leaf stored in the pool's tree."""
        return poseidon_hash([self.amount, self.owner, self.blinding])

    def nullifier(self, leaf_index: int) -> int:
        """Poseidon(secret, leaf_index): what spending the note at ``leaf_index`` reveals."""
        return poseidon_hash([self.secret, require_leaf_index(leaf_index)])


def withdraw_public_inputs(
    *, root: int, nullifier: int, amount: int, recipient: bytes, expiration_slot: int
) -> tuple[int, ...]:
    """The public signals of a withdrawal, in :data:`PUBLIC_INPUTS` order, each checked."""
    hi, lo = recipient_limbs(recipient)
    return (
        require_scalar(root, "merkle root"),
        require_scalar(nullifier, "nullifier"),
        require_u64(amount, "amount"),
        hi,
        lo,
        require_u64(expiration_slot, "expiration slot"),
    )


@dataclass(frozen=True)
class WithdrawWitness:
    """Everything a prover knows: the note, its membership proof, the recipient and the slot.

    ``membership`` is :meth:`IncrementalMerkleTree.proof` of the note's leaf; the root it leads
    to is the root the proof is made against.
    """

    note: Note
    membership: MerkleProof
    recipient: bytes
    expiration_slot: int

    def __post_init__(self) -> None:
        recipient_limbs(self.recipient)
        require_u64(self.expiration_slot, "expiration slot")
        if self.membership.depth != TREE_DEPTH:
            raise CircuitError(
                f"the withdraw circuit takes merkle proofs of depth {TREE_DEPTH}, "
                f"not {self.membership.depth}"
            )
        if self.membership.leaf != self.note.commitment:
            raise CircuitError(
                f"the merkle proof is for leaf {self.membership.leaf}, not for the note's "
                f"commitment {self.note.commitment}"
            )

    @property
    def root(self) -> int:
        return self.membership.compute_root()

    @property
    def nullifier(self) -> int:
        return self.note.nullifier(self.membership.leaf_index)

    def public_inputs(self) -> tuple[int, ...]:
        return withdraw_public_inputs(
            root=self.root,
            nullifier=self.nullifier,
            amount=self.note.amount,
            recipient=self.recipient,
            expiration_slot=self.expiration_slot,
        )

    def inputs(self) -> dict[str, int]:
        """The circuit's inputs by signal name (what :func:`build_assignment` takes)."""
        siblings = self.membership.siblings
        return {
            **dict(zip(PUBLIC_INPUTS, self.public_inputs(), strict=True)),
            "secret": self.note.secret,
            "blinding": self.note.blinding,
            "leaf_index": self.membership.leaf_index,
            **{f"path[{level}]": sibling for level, sibling in enumerate(siblings)},
        }

    def assignment(self) -> Assignment:
        """The shape with the full witness, ready for the prover."""
        return assign(self.inputs())


def assign(inputs: Mapping[str, int]) -> Assignment:
    """Solve the withdraw circuit for raw ``inputs`` (satisfied or not: check before proving)."""
    return build_assignment(withdraw_circuit, inputs)


def recipient_limbs(recipient: bytes) -> tuple[int, int]:
    """The two 128-bit big-endian halves of a 32-byte Solana public key."""
    if not isinstance(recipient, bytes) or len(recipient) != RECIPIENT_SIZE:
        size = len(recipient) if isinstance(recipient, bytes) else type(recipient).__name__
        raise CircuitError(f"the recipient must be a {RECIPIENT_SIZE}-byte public key, not {size}")
    return int.from_bytes(recipient[:_HALF], "big"), int.from_bytes(recipient[_HALF:], "big")


def require_u64(value: int, what: str) -> int:
    """An amount or slot as Solana holds them (u64), which the circuit also bounds the amount to."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << AMOUNT_BITS:
        raise CircuitError(f"{what} {value!r} is not an integer in [0, 2^{AMOUNT_BITS})")
    return value


def require_leaf_index(leaf_index: int) -> int:
    """A position in the depth-12 tree."""
    if isinstance(leaf_index, bool) or not isinstance(leaf_index, int):
        raise CircuitError(f"leaf index {leaf_index!r} is not an integer")
    if not 0 <= leaf_index < 1 << TREE_DEPTH:
        raise CircuitError(f"leaf index {leaf_index} is not below 2^{TREE_DEPTH}")
    return leaf_index
