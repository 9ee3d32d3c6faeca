"""The withdraw circuit: satisfiable exactly for notes in the tree, and proofs with the shipped
key bind every public input."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.circuits.shipped import ShippedCircuit, shipped_key_bytes, shipped_verification_key
from paraloom.circuits.withdraw import (
    PUBLIC_INPUTS,
    TREE_DEPTH,
    Note,
    WithdrawWitness,
    assign,
    recipient_limbs,
    withdraw_public_inputs,
    withdraw_shape,
)
from paraloom.crypto.merkle import IncrementalMerkleTree, MerkleProof, root_from_path
from paraloom.crypto.poseidon import poseidon_hash
from paraloom.errors import (
    CircuitError,
    InvalidScalarError,
    SetupError,
    UnsatisfiedConstraintError,
)
from paraloom.formats.r1cs import R1cs, write_r1cs
from paraloom.manager import build_plugin_manager
from paraloom.math.fields import FR_MODULUS
from paraloom.registry import Registry
from paraloom.testing import fresh_manager
from paraloom.zk.keys import Proof
from paraloom.zk.satisfiability import SatisfactionReport, check_satisfied

from .cases import base_witness

ROOT = Path(__file__).parents[2]
U64 = 1 << 64
elements = st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))
amounts = st.one_of(st.sampled_from([0, 1, U64 - 1]), st.integers(0, U64 - 1))
leaf_indices = st.one_of(st.sampled_from([0, (1 << TREE_DEPTH) - 1]), st.integers(0, 4095))
recipients = st.binary(min_size=32, max_size=32)


def report(inputs: dict[str, int]) -> SatisfactionReport:
    assignment = assign(inputs)
    return check_satisfied(assignment.shape.system, assignment.witness)


def commitment(amount: int, secret: int, blinding: int) -> int:
    """The documented formula, written out again: Poseidon(amount, Poseidon(secret), blinding)."""
    return poseidon_hash([amount, poseidon_hash([secret]), blinding])


def raw_inputs(
    amount: int, secret: int, blinding: int, leaf_index: int, siblings: tuple[int, ...]
) -> dict[str, int]:
    """Inputs computed from the protocol text alone, bypassing Note's checks."""
    bits = [leaf_index >> level & 1 for level in range(TREE_DEPTH)]
    return {
        "root": root_from_path(commitment(amount, secret, blinding), bits, siblings),
        "nullifier": poseidon_hash([secret, leaf_index]),
        "amount": amount,
        "recipient_hi": 7,
        "recipient_lo": 9,
        "expiration_slot": 1000,
        "secret": secret,
        "blinding": blinding,
        "leaf_index": leaf_index,
        **{f"path[{level}]": sibling for level, sibling in enumerate(siblings)},
    }


@st.composite
def withdrawals(draw: st.DrawFn) -> WithdrawWitness:
    note = Note(draw(amounts), draw(elements), draw(elements))
    siblings = tuple(draw(st.lists(elements, min_size=TREE_DEPTH, max_size=TREE_DEPTH)))
    membership = MerkleProof(note.commitment, draw(leaf_indices), siblings)
    return WithdrawWitness(note, membership, draw(recipients), draw(st.integers(0, U64 - 1)))


# -- shape and artefacts --------------------------------------------------------------------


def test_the_circuit_fits_a_power_12_ceremony() -> None:
    shape = withdraw_shape()
    system = shape.system
    assert len(system.constraints) + system.n_public + 1 <= 1 << 12
    assert (shape.n_pub_out, shape.n_pub_in, shape.n_prv_in) == (0, 6, 3 + TREE_DEPTH)
    assert shape.names[1 : 1 + system.n_public] == PUBLIC_INPUTS


def test_the_committed_r1cs_is_the_circuit() -> None:
    """The keys were made from circuits/withdraw/withdraw.r1cs: a change to the circuit or its
    gadgets that is not followed by a new ceremony must fail here."""
    buffer = io.BytesIO()
    write_r1cs(buffer, R1cs.from_circuit(withdraw_shape()))
    assert buffer.getvalue() == (ROOT / "circuits/withdraw/withdraw.r1cs").read_bytes()


# -- satisfiability -------------------------------------------------------------------------


@settings(max_examples=8)
@given(withdrawals())
def test_valid_notes_satisfy_the_circuit(witness: WithdrawWitness) -> None:
    assignment = witness.assignment()
    assert check_satisfied(assignment.shape.system, assignment.witness).ok
    note, membership = witness.note, witness.membership
    expected = raw_inputs(
        note.amount, note.secret, note.blinding, membership.leaf_index, membership.siblings
    )
    hi, lo = assignment.public_signals[3:5]
    assert assignment.public_signals[:3] == (expected["root"], expected["nullifier"], note.amount)
    assert hi << 128 | lo == int.from_bytes(witness.recipient, "big")
    assert assignment.public_signals[5] == witness.expiration_slot


def test_every_note_of_a_tree_can_be_withdrawn_against_its_root() -> None:
    tree = IncrementalMerkleTree(TREE_DEPTH)
    notes = [Note.random(amount) for amount in (1, 2, 3)]
    tree.insert_many(note.commitment for note in notes)
    for index, note in enumerate(notes):
        witness = WithdrawWitness(note, tree.proof(index), bytes(32), 0)
        assert witness.root == tree.root
        assert report(witness.inputs()).ok


def _shifted(name: str) -> Callable[[dict[str, int]], None]:
    def change(inputs: dict[str, int]) -> None:
        inputs[name] = (inputs[name] + 1) % FR_MODULUS

    return change


def _other_nullifier(inputs: dict[str, int]) -> None:
    inputs["nullifier"] = base_witness().note.nullifier(inputs["leaf_index"] + 1)


def _other_root(inputs: dict[str, int]) -> None:
    inputs["root"] = IncrementalMerkleTree(TREE_DEPTH).root


@pytest.mark.parametrize(
    "tamper",
    [
        _shifted("path[0]"),
        _shifted("path[11]"),
        _shifted("leaf_index"),
        _other_nullifier,
        _other_root,
        _shifted("amount"),
        _shifted("secret"),
        _shifted("blinding"),
    ],
    ids=["path-0", "path-11", "leaf-index", "nullifier", "root", "amount", "secret", "blinding"],
)
def test_each_broken_statement_is_unsatisfied(tamper: Callable[[dict[str, int]], None]) -> None:
    inputs = base_witness().inputs()
    assert report(inputs).ok
    tamper(inputs)
    assert not report(inputs).ok


def test_recipient_and_slot_enter_no_constraint() -> None:
    """They are bound by the key instead (see the Groth16 tests below)."""
    inputs = base_witness().inputs()
    for name in ("recipient_hi", "recipient_lo", "expiration_slot"):
        _shifted(name)(inputs)
    assert report(inputs).ok


@settings(max_examples=4)
@given(st.integers(U64, FR_MODULUS - 1), elements, leaf_indices)
def test_amounts_from_2_64_are_unsatisfied_even_when_committed(
    amount: int, secret: int, leaf_index: int
) -> None:
    """A note committing to a huge amount, consistently through root and nullifier: only the
    range check stands between it and a withdrawal that wraps around r."""
    inputs = raw_inputs(amount, secret, 5, leaf_index, (0,) * TREE_DEPTH)
    assert not report(inputs).ok
    assert report(raw_inputs(U64 - 1, secret, 5, leaf_index, (0,) * TREE_DEPTH)).ok


def test_a_leaf_index_beyond_the_tree_is_unsatisfied() -> None:
    """Index 2^12 + i would reach leaf i's root with a different nullifier: a double spend."""
    siblings = (3,) * TREE_DEPTH
    aliased = raw_inputs(10, 77, 5, 1 << TREE_DEPTH, siblings)
    aliased["root"] = raw_inputs(10, 77, 5, 0, siblings)["root"]
    assert not report(aliased).ok


# -- input validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "error", "fragment"),
    [
        ({"amount": U64}, CircuitError, "note amount"),
        ({"amount": -1}, CircuitError, "note amount"),
        ({"amount": True}, CircuitError, "note amount"),
        ({"secret": FR_MODULUS}, InvalidScalarError, "note secret"),
        ({"blinding": -1}, InvalidScalarError, "note blinding"),
    ],
)
def test_notes_refuse_values_the_circuit_cannot_take(
    fields: dict[str, Any], error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        Note(**{"amount": 1, "secret": 2, "blinding": 3, **fields})


def test_a_witness_refuses_what_the_circuit_cannot_prove() -> None:
    witness = base_witness()
    other = replace(witness.membership, leaf=witness.membership.leaf + 1)
    with pytest.raises(CircuitError, match="not for the note's commitment"):
        replace(witness, membership=other)
    shallow = MerkleProof(witness.note.commitment, 0, (0,) * (TREE_DEPTH - 1))
    with pytest.raises(CircuitError, match="depth 12, not 11"):
        replace(witness, membership=shallow)
    with pytest.raises(CircuitError, match="32-byte public key, not 33"):
        replace(witness, recipient=bytes(33))
    with pytest.raises(CircuitError, match="expiration slot"):
        replace(witness, expiration_slot=1 << 64)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"recipient": bytes(31)}, "32-byte public key, not 31"),
        ({"recipient": "ab" * 16}, "32-byte public key, not str"),
        ({"amount": U64}, "amount"),
        ({"expiration_slot": -1}, "expiration slot"),
        ({"nullifier": FR_MODULUS}, "nullifier"),
    ],
)
def test_public_inputs_refuse_bad_values(changes: dict[str, Any], fragment: str) -> None:
    fields: dict[str, Any] = {
        "root": 1,
        "nullifier": 2,
        "amount": 3,
        "recipient": bytes(32),
        "expiration_slot": 4,
    }
    with pytest.raises((CircuitError, InvalidScalarError), match=fragment):
        withdraw_public_inputs(**{**fields, **changes})


@pytest.mark.parametrize("leaf_index", [-1, 1 << TREE_DEPTH, True])
def test_nullifiers_exist_only_for_positions_in_the_tree(leaf_index: int) -> None:
    with pytest.raises(CircuitError, match="leaf index"):
        Note(1, 2, 3).nullifier(leaf_index)


@given(recipients, recipients)
def test_recipient_halves_are_injective(first: bytes, second: bytes) -> None:
    hi, lo = recipient_limbs(first)
    assert max(hi, lo) < 1 << 128
    assert (hi << 128 | lo).to_bytes(32, "big") == first
    assert (recipient_limbs(first) == recipient_limbs(second)) == (first == second)


# -- Groth16 with the shipped key -----------------------------------------------------------

AUTO_CURVE = Registry(build_plugin_manager()).get("curve", "auto").spec


def slow_without_native(test: Callable[..., None]) -> Callable[..., None]:
    """A proof takes about 7 s on the pure-Python backend, half a second on arkworks."""
    return pytest.mark.slow(test) if AUTO_CURVE.name == "python" else test


@dataclass(frozen=True)
class Proven:
    circuit: ShippedCircuit
    backend: Any
    proof: Proof
    public: tuple[int, ...]


@pytest.fixture(scope="module")
def withdraw_component() -> ShippedCircuit:
    component = Registry(fresh_manager()).get("circuit", "withdraw").spec.factory({})
    assert isinstance(component, ShippedCircuit)
    return component


@pytest.fixture(scope="module")
def proven(withdraw_component: ShippedCircuit) -> Proven:
    backend = AUTO_CURVE.factory({})
    proof, public = withdraw_component.prove(backend, base_witness().inputs())
    return Proven(withdraw_component, backend, proof, public)


def test_the_plugin_provides_the_circuit_with_its_ceremony_keys(
    withdraw_component: ShippedCircuit,
) -> None:
    assert withdraw_component.shape == withdraw_shape()
    assert withdraw_component.public_inputs == PUBLIC_INPUTS
    key = withdraw_component.proving_key()
    assert (key.n_vars, key.n_public, key.domain_size) == (3702, 6, 1 << 12)
    shipped = withdraw_component.verification_key()
    assert replace(shipped, alphabeta_12=None) == key.verification_key()
    assert key.delta_2 != key.gamma_2


def test_keys_of_a_circuit_paraloom_does_not_ship_are_a_setup_error() -> None:
    with pytest.raises(SetupError, match=r"no final\.zkey for a circuit named 'deposit'"):
        shipped_key_bytes("deposit")
    with pytest.raises(SetupError, match=r"no verification_key\.json"):
        shipped_verification_key("deposit")


@slow_without_native
def test_a_withdrawal_proved_with_the_shipped_key_verifies(proven: Proven) -> None:
    assert proven.public == base_witness().public_inputs()
    assert proven.circuit.verify(proven.backend, proven.public, proven.proof)


def _statement(**changes: Any) -> tuple[int, ...]:
    witness = base_witness()
    fields: dict[str, Any] = {
        "root": witness.root,
        "nullifier": witness.nullifier,
        "amount": witness.note.amount,
        "recipient": witness.recipient,
        "expiration_slot": witness.expiration_slot,
    }
    return withdraw_public_inputs(**{**fields, **changes})


@slow_without_native
@pytest.mark.parametrize(
    "tampered",
    [
        {"recipient": bytes(range(1, 33))},
        {"recipient": bytes(range(16)) + bytes(16)},
        {"amount": 1_500_000_001},
        {"nullifier": Note(1_500_000_000, 12345, 67890).nullifier(4)},
        {"expiration_slot": 250_001},
        {"root": IncrementalMerkleTree(TREE_DEPTH).root},
    ],
    ids=["recipient", "recipient-low-half", "amount", "nullifier", "slot", "root"],
)
def test_a_proof_fails_for_any_other_statement(proven: Proven, tampered: dict[str, Any]) -> None:
    public = _statement(**tampered)
    assert public != proven.public
    assert not proven.circuit.verify(proven.backend, public, proven.proof)


def test_an_unsatisfied_witness_is_named_instead_of_proven(
    withdraw_component: ShippedCircuit,
) -> None:
    inputs = {**base_witness().inputs(), "nullifier": 1}
    with pytest.raises(UnsatisfiedConstraintError, match="does not hold"):
        withdraw_component.prove(AUTO_CURVE.factory({}), inputs)
