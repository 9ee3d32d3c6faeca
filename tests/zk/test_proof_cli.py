"""`paraloom proof prove|verify|verify-batch` on snarkjs' fixture files, as users run them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paraloom.cli.main import paraloom_cli
from paraloom.formats.wtns import Witness, read_wtns, write_wtns

DATA = Path(__file__).parents[1] / "formats" / "data"
MUL_VK, MUL_PUBLIC, MUL_PROOF = (
    DATA / "mul_vk.json",
    DATA / "mul_public.json",
    DATA / "mul_proof.json",
)


def run(*arguments: object) -> Result:
    return CliRunner().invoke(paraloom_cli, [str(argument) for argument in arguments])


@pytest.fixture
def proven(tmp_path: Path) -> tuple[Path, Path]:
    """A fresh paraloom proof of the fixture witness with the fixture's final key."""
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    result = run("proof", "prove", DATA / "mul_final.zkey", DATA / "mul.wtns", proof, public)
    assert result.exit_code == 0, result.output
    return proof, public


def test_prove_writes_a_proof_that_verifies_and_the_fixture_public_signals(
    proven: tuple[Path, Path],
) -> None:
    proof, public = proven
    assert json.loads(public.read_text()) == json.loads(MUL_PUBLIC.read_text())
    result = run("proof", "verify", MUL_VK, public, proof)
    assert result.exit_code == 0
    assert "valid" in result.output


def test_proofs_are_randomised(proven: tuple[Path, Path], tmp_path: Path) -> None:
    again = tmp_path / "again.json"
    run("proof", "prove", DATA / "mul_final.zkey", DATA / "mul.wtns", again, tmp_path / "p.json")
    assert json.loads(again.read_text()) != json.loads(proven[0].read_text())


def test_snarkjs_proof_verifies() -> None:
    assert run("proof", "verify", MUL_VK, MUL_PUBLIC, MUL_PROOF).exit_code == 0


def test_wrong_public_signal_is_invalid_with_exit_1(tmp_path: Path) -> None:
    public = tmp_path / "public.json"
    public.write_text('[\n "34"\n]')
    result = run("proof", "verify", MUL_VK, public, MUL_PROOF)
    assert result.exit_code == 1
    assert "INVALID" in result.output


def test_tampered_proof_is_invalid_or_refused(tmp_path: Path) -> None:
    document = json.loads(MUL_PROOF.read_text())
    document["pi_c"] = document["pi_a"]
    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps(document))
    assert run("proof", "verify", MUL_VK, MUL_PUBLIC, proof).exit_code == 1
    document["pi_a"][0] = "1"
    proof.write_text(json.dumps(document))
    result = run("proof", "verify", MUL_VK, MUL_PUBLIC, proof)
    assert result.exit_code == 2
    assert "not on the curve" in result.output or "not a proof" in result.output


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("{")
    result = run("proof", "verify", MUL_VK, junk, MUL_PROOF)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "junk.json" in result.output
    assert "Traceback" not in result.output


def test_public_count_must_match_the_key() -> None:
    result = run("proof", "verify", MUL_VK, DATA / "chain_public.json", MUL_PROOF)
    assert result.exit_code == 2
    assert "2 public signals, the verifying key expects 1" in result.output


def test_key_without_contributions_is_refused_unless_allowed(tmp_path: Path) -> None:
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    zkey, witness = DATA / "mul_0.zkey", DATA / "mul.wtns"
    refused = run("proof", "prove", zkey, witness, proof, public)
    assert refused.exit_code == 2
    assert "no phase-2 contribution" in refused.output
    assert not proof.exists()
    allowed = run("proof", "prove", "--allow-uncontributed", zkey, witness, proof, public)
    assert allowed.exit_code == 0, allowed.output


def test_witness_of_another_circuit_is_refused(tmp_path: Path) -> None:
    result = run(
        "proof",
        "prove",
        DATA / "mul_final.zkey",
        DATA / "chain.wtns",
        tmp_path / "p",
        tmp_path / "q",
    )
    assert result.exit_code == 2
    assert "wires" in result.output


def test_unsatisfying_witness_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    witness = read_wtns(DATA / "mul.wtns")
    values = list(witness.values)
    values[1] += 1  # c = a·b no longer holds
    wrong = tmp_path / "wrong.wtns"
    write_wtns(wrong, Witness(witness.field, tuple(values)))
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    result = run("proof", "prove", DATA / "mul_final.zkey", wrong, proof, public)
    assert result.exit_code == 1
    assert "does not satisfy" in result.output
    assert not proof.exists()
    assert not public.exists()


def test_verify_batch_accepts_all_valid_and_names_the_invalid(
    proven: tuple[Path, Path], tmp_path: Path
) -> None:
    proof, public = proven
    good = run("proof", "verify-batch", MUL_VK, public, proof, MUL_PUBLIC, MUL_PROOF)
    assert good.exit_code == 0
    assert "2 proofs: all valid" in good.output
    wrong = tmp_path / "wrong.json"
    wrong.write_text('["34"]')
    bad = run("proof", "verify-batch", MUL_VK, public, proof, wrong, MUL_PROOF)
    assert bad.exit_code == 1
    assert f"{MUL_PROOF}: INVALID (with {wrong})" in bad.output
    assert f"{proof}: INVALID" not in bad.output


def test_verify_batch_needs_pairs() -> None:
    result = run("proof", "verify-batch", MUL_VK, MUL_PUBLIC)
    assert result.exit_code == 2
    assert "PUBLIC PROOF pairs" in result.output


def test_files_in_other_codecs_are_recognised(proven: tuple[Path, Path], tmp_path: Path) -> None:
    proof, public = proven
    compact = tmp_path / "proof.bin"
    assert run("proof", "convert", "--to", "compact", proof, compact).exit_code == 0
    assert run("proof", "verify", MUL_VK, public, compact).exit_code == 0
    named = run("proof", "verify", "--codec", "compact", MUL_VK, public, compact)
    assert named.exit_code == 2  # the key is JSON, not compact
    assert "mul_vk.json" in named.output


def test_prove_writes_the_codec_asked_for(tmp_path: Path) -> None:
    proof, public = tmp_path / "proof.bin", tmp_path / "public.bin"
    arguments = ("proof", "prove", "--codec", "solana", DATA / "mul_final.zkey", DATA / "mul.wtns")
    assert run(*arguments, proof, public).exit_code == 0
    assert len(proof.read_bytes()) == 256
    assert len(public.read_bytes()) == 32
    assert run("proof", "verify", MUL_VK, public, proof).exit_code == 0


def test_config_selects_the_curve_backend(tmp_path: Path) -> None:
    config = tmp_path / "paraloom.toml"
    config.write_text('[plugins]\ncurve = "no-such-backend"\n')
    result = run("--config", config, "proof", "verify", MUL_VK, MUL_PUBLIC, MUL_PROOF)
    assert result.exit_code == 2
    assert "no-such-backend" in result.output
    config.write_text('[plugins]\ncurve = "py_ecc"\n')
    oracle = run("--config", config, "proof", "verify", MUL_VK, MUL_PUBLIC, MUL_PROOF)
    assert oracle.exit_code == 0


def test_console_script_end_to_end(tmp_path: Path) -> None:
    script = shutil.which("paraloom")
    assert script is not None, "the paraloom console script is installed with the package"
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    subprocess.run(
        [script, "proof", "prove", DATA / "mul_final.zkey", DATA / "mul.wtns", proof, public],
        check=True,
        capture_output=True,
    )
    verified = subprocess.run(
        [script, "proof", "verify", MUL_VK, public, proof], check=False, capture_output=True
    )
    assert verified.returncode == 0
    public.write_text('["0"]')
    rejected = subprocess.run(
        [script, "proof", "verify", MUL_VK, public, proof], check=False, capture_output=True
    )
    assert rejected.returncode == 1
