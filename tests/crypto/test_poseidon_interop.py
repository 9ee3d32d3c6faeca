"""Poseidon against circomlibjs and circomlib's poseidon.circom (needs npm tools).

circomlibjs is looked up beside snarkjs (``tox -e interop`` installs both); its constants file
is read directly, and its hash runs under ``node -e`` on inputs drawn here. circomlib's
``Poseidon(n)`` is compiled with circom2 ``--O2`` and its witness computed by paraloom's own
circom witness host, so the gadget's constraint count and output are compared with circom's.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from npm_tools import CIRCOM, SNARKJS, interop_marks

from paraloom.crypto.poseidon import (
    MAX_INPUTS,
    poseidon_hash,
    poseidon_parameters,
    poseidon_permutation,
)
from paraloom.formats.r1cs import read_r1cs
from paraloom.gadgets.poseidon import poseidon_gadget
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import CircuitBuilder
from paraloom.zk.circom_witness import CircomWitnessCalculator

pytestmark = interop_marks("snarkjs", "circom2", "node")

#: Reads [[inputs, initState, nOut], ...] as JSON on stdin, prints the outputs as JSON.
POSEIDON_JS = """
const { buildPoseidon } = require(process.argv[1] + "/circomlibjs");
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
buildPoseidon().then((poseidon) => {
  const text = (value) => poseidon.F.toString(value);
  console.log(JSON.stringify(cases.map(([inputs, init, nOut]) => {
    const out = poseidon(inputs.map(BigInt), BigInt(init), nOut);
    return nOut === 1 ? [text(out)] : out.map(text);
  })));
});
"""

CIRCUIT = """pragma circom 2.0.0;
include "poseidon.circom";
component main = Poseidon({n});
"""


@pytest.fixture(scope="module")
def node_modules() -> Path:
    assert SNARKJS is not None, "snarkjs is not on PATH"
    modules = Path(SNARKJS).resolve().parents[2]
    if not (modules / "circomlibjs").is_dir():
        message = f"circomlibjs is not installed in {modules} (tox -e interop installs it)"
        if os.environ.get("PARALOOM_REQUIRE_INTEROP") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return modules


def circomlibjs(modules: Path, cases: list[tuple[list[int], int, int]]) -> list[list[int]]:
    document = json.dumps([[[str(v) for v in inputs], str(init), n] for inputs, init, n in cases])
    result = subprocess.run(
        ["node", "-e", POSEIDON_JS, str(modules)],
        input=document,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [[int(value) for value in outputs] for outputs in json.loads(result.stdout)]


def random_element(rng: random.Random) -> int:
    return rng.choice([0, 1, FR_MODULUS - 1, rng.randrange(FR_MODULUS), rng.getrandbits(64)])


def test_derived_constants_equal_circomlibjs_constants(node_modules: Path) -> None:
    path = node_modules / "circomlibjs" / "src" / "poseidon_constants.json"
    theirs: dict[str, Any] = json.loads(path.read_text())
    for width in range(2, MAX_INPUTS + 2):
        parameters = poseidon_parameters(width)
        constants = [c for row in parameters.round_constants for c in row]
        assert constants == [int(c, 16) for c in theirs["C"][width - 2]], width
        assert [list(row) for row in parameters.mds] == [
            [int(m, 16) for m in row] for row in theirs["M"][width - 2]
        ], width


def test_hashes_equal_circomlibjs_on_random_inputs(node_modules: Path) -> None:
    rng = random.Random(20240521)
    cases = [
        ([random_element(rng) for _ in range(n_inputs)], 0, 1)
        for n_inputs in [*range(1, MAX_INPUTS + 1), *rng.choices(range(1, 5), k=40)]
    ]
    expected = circomlibjs(node_modules, cases)
    assert [[poseidon_hash(inputs)] for inputs, _, _ in cases] == expected


def test_permutation_equals_circomlibjs_poseidon_ex(node_modules: Path) -> None:
    rng = random.Random(7)
    cases = []
    for n_inputs in rng.choices(range(1, MAX_INPUTS + 1), k=20):
        cases.append(
            ([random_element(rng) for _ in range(n_inputs)], random_element(rng), n_inputs + 1)
        )
    expected = circomlibjs(node_modules, cases)
    assert [poseidon_permutation([init, *inputs]) for inputs, init, _ in cases] == expected


@pytest.fixture(scope="module")
def circuits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """circomlib's Poseidon(n) compiled as the main component for n = 1..5."""
    assert SNARKJS is not None, "snarkjs is not on PATH"
    assert CIRCOM is not None, "circom2 is not on PATH"
    circomlib = Path(SNARKJS).resolve().parents[2] / "circomlib" / "circuits"
    assert circomlib.is_dir(), f"circomlib is not installed beside snarkjs ({circomlib})"
    folder = tmp_path_factory.mktemp("poseidon")
    shutil.copytree(circomlib, folder / "circomlib")  # circom2 (WASI) sees its folder only
    for n in range(1, 6):
        (folder / f"poseidon{n}.circom").write_text(CIRCUIT.format(n=n))
        subprocess.run(
            [CIRCOM, f"poseidon{n}.circom", "--r1cs", "--wasm", "--O2", "-l", "circomlib"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return folder


@pytest.mark.parametrize("n_inputs", range(1, 6))
def test_gadget_matches_circomlib_output_with_no_more_constraints(
    circuits: Path, n_inputs: int
) -> None:
    theirs = read_r1cs(circuits / f"poseidon{n_inputs}.r1cs")
    wasm = circuits / f"poseidon{n_inputs}_js" / f"poseidon{n_inputs}.wasm"
    calculator = CircomWitnessCalculator.from_file(wasm, cache_dir=circuits / "cache")
    rng = random.Random(n_inputs)
    values = [random_element(rng) for _ in range(n_inputs)]
    cs = CircuitBuilder({f"in{i}": value for i, value in enumerate(values)})
    output = poseidon_gadget(cs, [cs.private_input(f"in{i}") for i in range(n_inputs)])
    cs.public_output("out", output)
    ours = cs.assignment()
    assert len(ours.shape.system.constraints) <= theirs.header.n_constraints
    witness = calculator.calculate({"inputs": values})
    assert witness[1] == ours.public_signals[0] == poseidon_hash(values)
