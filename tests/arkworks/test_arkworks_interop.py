"""snarkjs as the oracle for the native backend: it verifies proofs arkworks made (needs npm)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from npm_tools import SNARKJS, interop_marks

from paraloom.formats import snarkjs_json
from paraloom.formats.wtns import read_wtns
from paraloom.formats.zkey import proving_key_of, read_zkey
from paraloom.math.backend import AnyCurveBackend
from paraloom.zk.keys import Proof
from paraloom.zk.prover import prove

DATA = Path(__file__).parent.parent / "formats" / "data"

pytestmark = interop_marks("snarkjs")


def snarkjs_verifies(folder: Path, name: str, public: tuple[int, ...], proof: Proof) -> bool:
    assert SNARKJS is not None, "snarkjs is not on PATH"
    snarkjs_json.write_public(folder / "public.json", public)
    snarkjs_json.write_proof(folder / "proof.json", proof)
    vk = DATA / f"{name}_vk.json"
    command = [SNARKJS, "groth16", "verify", str(vk), "public.json", "proof.json"]
    result = subprocess.run(
        command, check=False, cwd=folder, capture_output=True, text=True, timeout=120
    )
    return result.returncode == 0 and "OK!" in result.stdout


def test_snarkjs_verifies_arkworks_proofs(ark: AnyCurveBackend, tmp_path: Path) -> None:
    for name in ("mul", "chain"):
        key = proving_key_of(read_zkey(DATA / f"{name}_final.zkey"))
        proof, public = prove(
            ark, key, read_wtns(DATA / f"{name}.wtns").values, rng=random.Random(name)
        )
        assert snarkjs_verifies(tmp_path, name, public, proof)
        assert not snarkjs_verifies(tmp_path, name, (public[0] + 1, *public[1:]), proof)
