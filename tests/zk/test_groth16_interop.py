"""snarkjs as the oracle: it verifies paraloom's proofs, paraloom verifies its proofs, and
paraloom's setup matches its ``groth16 setup`` on a freshly compiled circuit (needs npm tools)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from npm_tools import CIRCOM, SNARKJS, interop_marks

from paraloom.formats import snarkjs_json
from paraloom.formats.fields import FR
from paraloom.formats.ptau import read_ptau
from paraloom.formats.r1cs import read_r1cs
from paraloom.formats.wtns import Witness, read_wtns, write_wtns
from paraloom.formats.zkey import proving_key_of, read_zkey, write_zkey, zkey_of
from paraloom.formats.zkey_new import new_zkey
from paraloom.math.fields import FR_MODULUS
from paraloom.math.python_backend import PythonBackend
from paraloom.zk.constraints import Constraint, ConstraintSystem
from paraloom.zk.keys import Proof
from paraloom.zk.prover import prove
from paraloom.zk.setup import toxic_setup
from paraloom.zk.verifier import verify

DATA = Path(__file__).parent.parent / "formats" / "data"
BACKEND = PythonBackend()

pytestmark = interop_marks("snarkjs", "circom2")


def snarkjs(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert SNARKJS is not None, "snarkjs is not on PATH"
    command = [SNARKJS, *(str(arg) for arg in args)]
    return subprocess.run(
        command, check=False, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def snarkjs_accepts(folder: Path, vk: Path, public: tuple[int, ...], proof: Proof) -> bool:
    snarkjs_json.write_public(folder / "public.json", public)
    snarkjs_json.write_proof(folder / "proof.json", proof)
    result = snarkjs("groth16", "verify", vk, "public.json", "proof.json", cwd=folder)
    return result.returncode == 0 and "OK!" in result.stdout


def test_snarkjs_verifies_proofs_made_from_its_keys(tmp_path: Path) -> None:
    key = proving_key_of(read_zkey(DATA / "chain_final.zkey"))
    proof, public = prove(BACKEND, key, read_wtns(DATA / "chain.wtns").values)
    vk = DATA / "chain_vk.json"
    assert snarkjs_accepts(tmp_path, vk, public, proof)
    assert not snarkjs_accepts(tmp_path, vk, (public[0], public[1] + 1), proof)


def test_keys_from_toxic_setup_work_in_snarkjs_both_ways(tmp_path: Path) -> None:
    # wires: ONE, out (public), y (public), x; constraints x·y = t... folded to out = x·y·y
    r = FR_MODULUS
    cs = ConstraintSystem(
        5, 2, (Constraint({3: 1}, {2: 1}, {4: 1}), Constraint({4: 1}, {2: 1}, {1: 1}))
    )
    x, y = 7, 9
    witness = [1, x * y * y % r, y, x, x * y % r]
    key = toxic_setup(BACKEND, cs, rng=random.Random(3))
    write_zkey(tmp_path / "k.zkey", zkey_of(key, cs_hash=bytes(64)))
    write_wtns(tmp_path / "w.wtns", Witness(FR, tuple(witness)))
    snarkjs_json.write_verification_key(tmp_path / "vk.json", key.verification_key())
    proof, public = prove(BACKEND, key, witness)
    assert snarkjs_accepts(tmp_path, tmp_path / "vk.json", public, proof)
    made = snarkjs("groth16", "prove", "k.zkey", "w.wtns", "p.json", "pub.json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    theirs = snarkjs_json.read_proof(tmp_path / "p.json")
    assert snarkjs_json.read_public(tmp_path / "pub.json") == public
    assert verify(BACKEND, key.verification_key(), public, theirs)


def test_setup_matches_snarkjs_on_a_circuit_filling_the_ptau(tmp_path: Path) -> None:
    # Chain(13): 13 constraints + 2 public + ONE = 16 rows, the ptau's whole power 4, so H
    # comes from the extra level of section 12
    assert CIRCOM is not None, "circom2 is not on PATH"
    source = (DATA / "chain.circom").read_text().replace("Chain(5)", "Chain(13)")
    (tmp_path / "chain13.circom").write_text(source)
    subprocess.run(
        [CIRCOM, "chain13.circom", "--r1cs", "-o", "."],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    done = snarkjs(
        "groth16", "setup", "chain13.r1cs", DATA / "pot4_final.ptau", "k.zkey", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    ours = new_zkey(read_r1cs(tmp_path / "chain13.r1cs"), read_ptau(DATA / "pot4_final.ptau"))
    assert ours.header.domain_size == 16
    write_zkey(tmp_path / "ours.zkey", ours, order="new")
    assert (tmp_path / "ours.zkey").read_bytes() == (tmp_path / "k.zkey").read_bytes()
