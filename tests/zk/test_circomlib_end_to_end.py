"""A circomlib circuit from source to verified proof, with paraloom and snarkjs swapping roles.

circom compiles a circuit that uses circomlib's Poseidon and LessThan; paraloom computes the
witness and proves, snarkjs verifies (and the other way round), and paraloom's setup writes the
key snarkjs writes. Needs snarkjs, circom2 and circomlib from npm (`tox -e interop`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from npm_tools import CIRCOM, SNARKJS, interop_marks

from paraloom.formats.ptau import read_ptau
from paraloom.formats.r1cs import read_r1cs
from paraloom.formats.zkey import write_zkey
from paraloom.formats.zkey_new import new_zkey

pytestmark = interop_marks("snarkjs", "circom2")

CIRCUIT = """\
pragma circom 2.0.0;
include "poseidon.circom";
include "comparators.circom";
template BoundedCommitment() {
    signal input secret;
    signal input amount;
    signal input limit;
    signal output commitment;
    component hash = Poseidon(2);
    hash.inputs[0] <== secret;
    hash.inputs[1] <== amount;
    commitment <== hash.out;
    component below = LessThan(64);
    below.in[0] <== amount;
    below.in[1] <== limit;
    below.out === 1;
}
component main {public [limit]} = BoundedCommitment();
"""


def tool(*arguments: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(argument) for argument in arguments],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


def succeed(*arguments: object, cwd: Path) -> str:
    result = tool(*arguments, cwd=cwd)
    assert result.returncode == 0, f"{arguments}: {result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compiled circuit, a power-9 ptau and a contributed snarkjs key, in one folder."""
    assert SNARKJS is not None, "snarkjs is not on PATH"
    assert CIRCOM is not None, "circom2 is not on PATH"
    circomlib = Path(SNARKJS).resolve().parents[2] / "circomlib" / "circuits"
    assert circomlib.is_dir(), f"circomlib is not installed beside snarkjs ({circomlib})"
    folder = tmp_path_factory.mktemp("circomlib")
    (folder / "bounded.circom").write_text(CIRCUIT)
    # circom2 is a WASI build that sees only its working folder
    shutil.copytree(circomlib, folder / "circomlib")
    compile_options = ("--r1cs", "--wasm", "--O2", "-l", "circomlib", "-o", ".")
    succeed(CIRCOM, "bounded.circom", *compile_options, cwd=folder)  # 304 constraints
    succeed(SNARKJS, "powersoftau", "new", "bn128", "9", "p0.ptau", cwd=folder)
    succeed(SNARKJS, "powersoftau", "contribute", "p0.ptau", "p1.ptau", "-n=a", "-e=b", cwd=folder)
    succeed(SNARKJS, "powersoftau", "prepare", "phase2", "p1.ptau", "p9.ptau", cwd=folder)
    succeed(SNARKJS, "groth16", "setup", "bounded.r1cs", "p9.ptau", "k0.zkey", cwd=folder)
    succeed(SNARKJS, "zkey", "contribute", "k0.zkey", "k1.zkey", "-n=c", "-e=d", cwd=folder)
    succeed(SNARKJS, "zkey", "export", "verificationkey", "k1.zkey", "vk.json", cwd=folder)
    (folder / "in.json").write_text('{"secret": "12345", "amount": 70, "limit": "100"}')
    return folder


def paraloom(*arguments: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = shutil.which("paraloom")
    assert script is not None, "the paraloom console script is installed with the package"
    return tool(script, *arguments, cwd=cwd)


def test_paraloom_setup_writes_the_key_snarkjs_writes(build: Path) -> None:
    zkey = new_zkey(read_r1cs(build / "bounded.r1cs"), read_ptau(build / "p9.ptau"))
    write_zkey(build / "ours.zkey", zkey, order="new")
    assert (build / "ours.zkey").read_bytes() == (build / "k0.zkey").read_bytes()


def test_circuit_info_counts_match_snarkjs(build: Path) -> None:
    ours = json.loads(paraloom("circuit", "info", "--json", "bounded.r1cs", cwd=build).stdout)
    theirs = succeed(SNARKJS, "r1cs", "info", "bounded.r1cs", cwd=build)
    assert f"# of Constraints: {ours['constraints']}" in theirs
    assert f"# of Wires: {ours['wires']}" in theirs


def test_paraloom_proves_and_snarkjs_verifies(build: Path) -> None:
    wasm = build / "bounded_js" / "bounded.wasm"
    assert paraloom("witness", "calculate", wasm, "in.json", "ours.wtns", cwd=build).returncode == 0
    succeed(SNARKJS, "wtns", "calculate", wasm, "in.json", "theirs.wtns", cwd=build)
    assert (build / "ours.wtns").read_bytes() == (build / "theirs.wtns").read_bytes()
    proved = paraloom(
        "proof", "prove", "k1.zkey", "ours.wtns", "proof.json", "public.json", cwd=build
    )
    assert proved.returncode == 0, proved.stderr
    assert json.loads((build / "public.json").read_text())[1] == "100"
    assert "OK" in succeed(
        SNARKJS, "groth16", "verify", "vk.json", "public.json", "proof.json", cwd=build
    )


def test_snarkjs_proves_and_paraloom_verifies(build: Path) -> None:
    wasm = build / "bounded_js" / "bounded.wasm"
    succeed(SNARKJS, "wtns", "calculate", wasm, "in.json", "s.wtns", cwd=build)
    succeed(SNARKJS, "groth16", "prove", "k1.zkey", "s.wtns", "sp.json", "spub.json", cwd=build)
    assert paraloom("proof", "verify", "vk.json", "spub.json", "sp.json", cwd=build).returncode == 0
    public = json.loads((build / "spub.json").read_text())
    public[1] = "101"
    (build / "wrong.json").write_text(json.dumps(public))
    assert (
        paraloom("proof", "verify", "vk.json", "wrong.json", "sp.json", cwd=build).returncode == 1
    )


def test_a_failing_circuit_assert_is_one_error_line(build: Path) -> None:
    (build / "over.json").write_text('{"secret": 1, "amount": 100, "limit": 100}')
    wasm = build / "bounded_js" / "bounded.wasm"
    result = paraloom("witness", "calculate", wasm, "over.json", "over.wtns", cwd=build)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert not (build / "over.wtns").exists()
