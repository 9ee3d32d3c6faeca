"""The builder twins of mul.circom and chain.circom against what circom and snarkjs produced.

The fixtures (tests/formats/data, see its README) come from circom 2.2.3 and snarkjs 0.7.6:
public.json from ``snarkjs groth16 prove`` on the inputs below, the .wtns from the circom
witness generator.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from paraloom.formats.r1cs import R1cs, read_r1cs
from paraloom.formats.snarkjs_json import read_public
from paraloom.formats.wtns import read_wtns
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import Assignment, CircuitBuilder, build_assignment, build_shape
from paraloom.zk.satisfiability import check_satisfied

from .builder_programs import chain, multiplier

DATA = Path(__file__).parents[1] / "formats" / "data"
CASES: dict[str, tuple[Callable[[CircuitBuilder], None], dict[str, int]]] = {
    "mul": (multiplier, {"a": 3, "b": 11}),
    "chain": (chain, {"x": 2, "y": 5}),
}
each_circuit = pytest.mark.parametrize("name", sorted(CASES))


def built(name: str) -> Assignment:
    circuit, inputs = CASES[name]
    return build_assignment(circuit, inputs)


def circom_r1cs(name: str) -> R1cs:
    return read_r1cs(DATA / f"{name}.r1cs")


def circom_witness(name: str) -> tuple[int, ...]:
    return read_wtns(DATA / f"{name}.wtns").values


@each_circuit
def test_same_public_signals(name: str) -> None:
    assert built(name).public_signals == read_public(DATA / f"{name}_public.json")


@each_circuit
def test_same_layout_and_witness(name: str) -> None:
    """The twins number their wires as circom does, so even the witnesses coincide."""
    assignment, header = built(name), circom_r1cs(name).header
    shape = assignment.shape
    assert (shape.n_pub_out, shape.n_pub_in, shape.n_prv_in) == (
        header.n_pub_out,
        header.n_pub_in,
        header.n_prv_in,
    )
    assert shape.system.n_wires == header.n_wires
    assert len(shape.system.constraints) == header.n_constraints
    assert assignment.witness == circom_witness(name)


@each_circuit
def test_each_system_accepts_the_others_witness(name: str) -> None:
    circom = circom_r1cs(name).constraint_system()
    ours = build_shape(CASES[name][0]).system
    for system in (circom, ours):
        for witness in (circom_witness(name), built(name).witness):
            report = check_satisfied(system, witness)
            assert report.ok, str(report)


@each_circuit
def test_tampered_fixture_witness_fails_at_the_first_constraint_using_the_wire(
    name: str,
) -> None:
    system = circom_r1cs(name).constraint_system()
    witness = circom_witness(name)
    for wire in range(1, len(witness)):
        tampered = list(witness)
        tampered[wire] = (tampered[wire] + 1) % FR_MODULUS
        report = check_satisfied(system, tampered)
        using = [
            index
            for index, c in enumerate(system.constraints)
            if wire in c.a or wire in c.b or wire in c.c
        ]
        assert report.failing == tuple(using), wire
        assert report.first_failure is not None
        assert report.first_failure.index == using[0]
        assert wire in report.first_failure.wires


def test_tampered_chain_names_the_signal() -> None:
    shape = build_shape(chain)
    tampered = list(circom_witness("chain"))
    tampered[5] += 1  # t[2]: circom's constraint 1 makes it, constraint 2 reads it
    report = check_satisfied(circom_r1cs("chain").constraint_system(), tampered, shape.names)
    assert report.failing == (1, 2)
    assert "constraint 1 does not hold" in str(report)
    assert "wire 5 (t[2])" in str(report)
