"""snarkjs as the oracle for builder output: it reads our .r1cs and judges our witnesses."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from npm_tools import SNARKJS, interop_marks

from paraloom.formats.r1cs import R1cs, write_r1cs
from paraloom.formats.wtns import Witness, write_wtns
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import CircuitBuilder, build_assignment
from paraloom.zk.satisfiability import check_satisfied

from .builder_programs import chain

pytestmark = interop_marks("snarkjs")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def gadgets(cs: CircuitBuilder) -> None:
    """Every kind of constraint the builder makes, two outputs (one promoted, one copied)."""
    x = cs.public_input("x")
    bit = cs.private_input("bit")
    cs.assert_bool(bit)
    inv = cs.inverse(x - 1, name="inv")
    square = cs.mul(x, x, plus=inv, name="square")
    cs.public_output("square_plus_inv", square)
    cs.public_output("selected", cs.mul(bit, x - 7) + 7)
    cs.enforce(x + 1, x - 1, cs.mul(x, x) - 1)


CIRCUITS: dict[str, tuple[Callable[[CircuitBuilder], None], dict[str, int]]] = {
    "chain": (chain, {"x": 2, "y": 5}),
    "gadgets": (gadgets, {"x": 9, "bit": 1}),
}


def snarkjs(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert SNARKJS is not None, "snarkjs is not on PATH"
    return subprocess.run(
        [SNARKJS, *map(str, args)],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("name", sorted(CIRCUITS))
def test_snarkjs_agrees_on_every_tampered_wire(name: str, tmp_path: Path) -> None:
    circuit, inputs = CIRCUITS[name]
    assignment = build_assignment(circuit, inputs)
    shape = assignment.shape
    write_r1cs(tmp_path / "c.r1cs", R1cs.from_circuit(shape))

    info = ANSI.sub("", snarkjs("r1cs", "info", "c.r1cs", cwd=tmp_path).stdout)
    assert f"# of Constraints: {len(shape.system.constraints)}" in info
    assert f"# of Wires: {shape.system.n_wires}" in info
    assert f"# of Outputs: {shape.n_pub_out}" in info
    assert f"# of Public Inputs: {shape.n_pub_in}" in info

    for wire in range(len(assignment.witness)):
        witness = list(assignment.witness)
        if wire:
            witness[wire] = (witness[wire] + 1) % FR_MODULUS
        write_wtns(tmp_path / "w.wtns", Witness.from_fr_values(witness))
        result = snarkjs("wtns", "check", "c.r1cs", "w.wtns", cwd=tmp_path)
        report = check_satisfied(shape.system, witness)
        assert (result.returncode == 0) == report.ok, (wire, result.stdout)
        if report.first_failure is not None:
            aborted = re.search(r"aborting checking process at constraint (\d+)", result.stdout)
            assert aborted is not None, result.stdout
            assert int(aborted.group(1)) == report.first_failure.index
