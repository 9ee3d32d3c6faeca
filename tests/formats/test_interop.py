"""Fresh snarkjs/circom output must read and re-encode byte for byte (needs npm tools)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from npm_tools import CIRCOM, SNARKJS, interop_marks

from paraloom.formats import snarkjs_json
from paraloom.formats.r1cs import read_r1cs, write_r1cs
from paraloom.formats.wtns import read_wtns, write_wtns
from paraloom.formats.zkey import read_zkey, write_zkey

DATA = Path(__file__).parent / "data"
pytestmark = interop_marks("snarkjs", "circom2")


def run(*args: str | Path, cwd: Path) -> None:
    subprocess.run([str(a) for a in args], cwd=cwd, check=True, capture_output=True, timeout=120)


def test_fresh_artefacts_round_trip(tmp_path: Path) -> None:
    assert SNARKJS is not None, "snarkjs is not on PATH"
    assert CIRCOM is not None, "circom2 is not on PATH"
    run(CIRCOM, DATA / "chain.circom", "--r1cs", "--wasm", "-o", tmp_path, cwd=tmp_path)
    (tmp_path / "in.json").write_text('{"x": 4, "y": 7}')
    run(SNARKJS, "wtns", "calculate", "chain_js/chain.wasm", "in.json", "w.wtns", cwd=tmp_path)
    run(
        SNARKJS, "groth16", "setup", "chain.r1cs", DATA / "pot4_final.ptau", "k0.zkey", cwd=tmp_path
    )
    run(SNARKJS, "zkey", "contribute", "k0.zkey", "k1.zkey", "--name=x", "-e=y", cwd=tmp_path)
    run(SNARKJS, "zkey", "export", "verificationkey", "k1.zkey", "vk.json", cwd=tmp_path)
    run(SNARKJS, "groth16", "prove", "k1.zkey", "w.wtns", "p.json", "pub.json", cwd=tmp_path)

    for path, read, write in [
        ("chain.r1cs", read_r1cs, write_r1cs),
        ("w.wtns", read_wtns, write_wtns),
        ("k1.zkey", read_zkey, write_zkey),
    ]:
        stream = io.BytesIO()
        write(stream, read(tmp_path / path))  # type: ignore[operator]
        assert stream.getvalue() == (tmp_path / path).read_bytes(), path

    vk = (tmp_path / "vk.json").read_text()
    assert snarkjs_json.dumps_verification_key(snarkjs_json.loads_verification_key(vk)) == vk
    proof = (tmp_path / "p.json").read_text()
    assert snarkjs_json.dumps_proof(snarkjs_json.loads_proof(proof)) == proof
    assert snarkjs_json.read_public(tmp_path / "pub.json")[1] == 7
    assert read_wtns(tmp_path / "w.wtns").values[2] == 7
