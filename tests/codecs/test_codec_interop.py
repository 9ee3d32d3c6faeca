"""snarkjs accepts what went through the binary codecs and back (needs snarkjs from npm)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from codec_helpers import FORMAT_DATA
from npm_tools import SNARKJS, interop_marks

from paraloom.cli.proof_convert import convert_command

pytestmark = interop_marks("snarkjs")


@pytest.fixture
def snarkjs(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run snarkjs in the test's directory; ``check=False`` returns a failure instead."""
    assert SNARKJS is not None, "snarkjs is not on PATH"

    def run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [SNARKJS, *map(str, args)]
        return subprocess.run(
            command, check=check, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )

    return run


def through_binary_codecs(path: Path, kind: str, work: Path) -> Path:
    """snarkjs JSON -> solana -> compact -> snarkjs JSON, each step by `proof convert`."""
    steps = [("solana", "s.bin"), ("compact", "c.bin"), ("snarkjs-json", f"back_{path.name}")]
    source = path
    for codec, name in steps:
        target = work / name
        result = CliRunner().invoke(
            convert_command, ["--kind", kind, "--to", codec, str(source), str(target)]
        )
        assert result.exit_code == 0, result.output
        source = target
    return source


def test_snarkjs_verifies_a_fresh_proof_after_the_round_trip(
    tmp_path: Path, snarkjs: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    zkey = FORMAT_DATA / "mul_final.zkey"
    snarkjs("groth16", "prove", zkey, FORMAT_DATA / "mul.wtns", "proof.json", "public.json")
    snarkjs("zkey", "export", "verificationkey", zkey, "vk.json")
    files = {
        kind: through_binary_codecs(tmp_path / name, kind, tmp_path)
        for kind, name in [("proof", "proof.json"), ("public", "public.json"), ("vk", "vk.json")]
    }
    assert files["proof"].read_bytes() == (tmp_path / "proof.json").read_bytes()
    assert files["public"].read_bytes() == (tmp_path / "public.json").read_bytes()
    assert "vk_alphabeta_12" not in files["vk"].read_text()  # the binary layouts drop it
    verified = snarkjs("groth16", "verify", files["vk"], files["public"], files["proof"])
    assert "OK" in verified.stdout
    files["public"].write_text('[\n "34"\n]')
    refused = snarkjs(
        "groth16", "verify", files["vk"], files["public"], files["proof"], check=False
    )
    assert "OK" not in refused.stdout
