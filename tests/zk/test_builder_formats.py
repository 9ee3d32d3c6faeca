"""Conversions between the builder's results and the .r1cs/.wtns file models."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import CircuitError, FormatError, InvalidScalarError
from paraloom.formats.fields import FQ, FR
from paraloom.formats.r1cs import R1cs, read_r1cs
from paraloom.formats.wtns import Witness, write_wtns
from paraloom.zk.builder import build_assignment, build_shape
from paraloom.zk.constraints import Constraint, ConstraintSystem

from .builder_programs import chain

DATA = Path(__file__).parents[1] / "formats" / "data"
SYSTEM = ConstraintSystem(5, 2, (Constraint({2: 1}, {3: 1}, {1: 1}),))


def test_r1cs_to_constraint_system() -> None:
    r1cs = read_r1cs(DATA / "chain.r1cs")
    system = r1cs.constraint_system()
    assert (system.n_wires, system.n_public) == (8, 2)
    assert system.constraints == r1cs.constraints


def test_r1cs_over_another_prime_is_refused() -> None:
    r1cs = read_r1cs(DATA / "mul.r1cs")
    other = R1cs(
        type(r1cs.header)(**{**vars(r1cs.header), "field": FQ}),
        r1cs.constraints,
        r1cs.wire_to_label,
    )
    with pytest.raises(FormatError, match=str(FQ.modulus)):
        other.constraint_system()


def test_from_constraint_system_header() -> None:
    r1cs = R1cs.from_constraint_system(SYSTEM, n_pub_out=1, n_pub_in=1, n_prv_in=2)
    header = r1cs.header
    assert header.field == FR
    assert (header.n_wires, header.n_pub_out, header.n_pub_in, header.n_prv_in) == (5, 1, 1, 2)
    assert (header.n_labels, header.n_constraints) == (5, 1)
    assert r1cs.wire_to_label == (0, 1, 2, 3, 4)
    assert r1cs.constraint_system() == SYSTEM


def test_from_constraint_system_keeps_given_labels() -> None:
    labels = (0, 1, 2, 3, 9)
    r1cs = R1cs.from_constraint_system(
        SYSTEM, n_pub_out=0, n_pub_in=2, n_prv_in=0, wire_to_label=labels
    )
    assert r1cs.wire_to_label == labels
    assert r1cs.header.n_labels == 10


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ((1, 0, 0), "do not make the 2 public wires"),
        ((2, 1, 0), "do not make the 2 public wires"),
        ((3, -1, 0), "do not make the 2 public wires"),
        ((1, 1, 3), "3 private inputs but 2 private wires"),
        ((1, 1, -1), "-1 private inputs"),
    ],
)
def test_from_constraint_system_refuses_wrong_counts(
    counts: tuple[int, int, int], message: str
) -> None:
    n_pub_out, n_pub_in, n_prv_in = counts
    with pytest.raises(CircuitError, match=message):
        R1cs.from_constraint_system(
            SYSTEM, n_pub_out=n_pub_out, n_pub_in=n_pub_in, n_prv_in=n_prv_in
        )


def test_from_constraint_system_refuses_wrong_label_count() -> None:
    with pytest.raises(CircuitError, match="4 labels for 5 wires"):
        R1cs.from_constraint_system(
            SYSTEM, n_pub_out=1, n_pub_in=1, n_prv_in=0, wire_to_label=(0, 1, 2, 3)
        )


def test_from_circuit_uses_the_builder_counts() -> None:
    shape = build_shape(chain)
    header = R1cs.from_circuit(shape).header
    assert (header.n_pub_out, header.n_pub_in, header.n_prv_in) == (1, 1, 1)


def test_builder_witness_is_byte_identical_to_circoms() -> None:
    witness = Witness.from_fr_values(build_assignment(chain, {"x": 2, "y": 5}).witness)
    stream = io.BytesIO()
    write_wtns(stream, witness)
    assert stream.getvalue() == (DATA / "chain.wtns").read_bytes()


@given(st.lists(st.integers(0, FR.modulus - 1), max_size=8))
def test_witness_from_fr_values(values: list[int]) -> None:
    witness = Witness.from_fr_values(values)
    assert witness.field == FR
    assert witness.values == tuple(values)


@pytest.mark.parametrize("bad", [FR.modulus, -1])
def test_witness_from_fr_values_refuses_non_elements(bad: int) -> None:
    with pytest.raises(InvalidScalarError, match="index 1"):
        Witness.from_fr_values([1, bad])
