"""`paraloom circuit info` and `paraloom witness calculate`, through CliRunner and the script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paraloom.cli.main import paraloom_cli

DATA = Path(__file__).parent / "data"
FORMATS_DATA = Path(__file__).parent.parent / "formats" / "data"

#: What circom printed when it compiled bounded_sum.circom (see data/README.md).
BOUNDED_SUM_COUNTS = {
    "constraints": 7,
    "wires": 15,
    "public_outputs": 2,
    "public_inputs": 1,
    "private_inputs": 6,
    "labels": 17,
}


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALOOM_CACHE_DIR", str(tmp_path / "cache"))


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(paraloom_cli, [str(arg) for arg in args], catch_exceptions=False)


def write_input(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


def test_circuit_info_prints_one_count_per_line() -> None:
    result = invoke("circuit", "info", DATA / "bounded_sum.r1cs")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{name}: {value}" for name, value in BOUNDED_SUM_COUNTS.items()
    ]


def test_circuit_info_json_is_json_alone() -> None:
    result = invoke("circuit", "info", "--json", DATA / "bounded_sum.r1cs")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == BOUNDED_SUM_COUNTS


def test_circuit_info_refuses_a_file_that_is_not_r1cs() -> None:
    result = invoke("circuit", "info", DATA / "mul.wasm")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.splitlines()) == 1


def test_circuit_info_needs_an_existing_file(tmp_path: Path) -> None:
    result = invoke("circuit", "info", tmp_path / "absent.r1cs")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_witness_calculate_writes_snarkjs_bytes(tmp_path: Path) -> None:
    out = tmp_path / "w.wtns"
    result = invoke(
        "witness", "calculate", DATA / "bounded_sum.wasm", DATA / "bounded_sum_input.json", out
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == (DATA / "bounded_sum.wtns").read_bytes()
    assert result.stdout == f"wrote {out} (15 wires)\n"
    assert result.stderr == "total 91\n"


def test_witness_calculate_failure_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    inputs = write_input(tmp_path / "in.json", {"m": [[1, 2, 3], [4, 5, 6]], "bound": 10})
    out = tmp_path / "w.wtns"
    result = invoke("witness", "calculate", DATA / "bounded_sum.wasm", inputs, out)
    assert result.exit_code == 2
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert error_lines == [
        f"error: {DATA / 'bounded_sum.wasm'}: assert failed (circom code 4): "
        "Error in template BoundedSum_0 line: 19"
    ]
    assert not out.exists()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"a": 3}, "inputs missing: 1 of 2"),
        ({"a": 3, "b": 4, "d": 1}, "not input signals: 'd'"),
        ({"a": 3, "b": "four"}, "input b: 'four' is not a decimal"),
        ({"a": [3, 4], "b": 1}, "too many values for input signal 'a'"),
    ],
)
def test_witness_calculate_bad_inputs_exit_2(
    tmp_path: Path, document: object, message: str
) -> None:
    inputs = write_input(tmp_path / "in.json", document)
    result = invoke("witness", "calculate", DATA / "mul.wasm", inputs, tmp_path / "w.wtns")
    assert result.exit_code == 2
    assert message in result.stderr


def test_witness_calculate_limits_come_from_flags(tmp_path: Path) -> None:
    inputs = write_input(tmp_path / "in.json", {"a": 3, "b": 11})
    out = tmp_path / "w.wtns"
    result = invoke(
        "witness", "calculate", "--memory-limit", "64KiB", DATA / "mul.wasm", inputs, out
    )
    assert result.exit_code == 2
    assert "exceeds memory limits" in result.stderr
    result = invoke("witness", "calculate", "--fuel", "1000", DATA / "mul.wasm", inputs, out)
    assert result.exit_code == 2
    assert "out of fuel after 1000 units" in result.stderr
    result = invoke("witness", "calculate", "--memory-limit", "64", DATA / "mul.wasm", inputs, out)
    assert result.exit_code == 2
    assert "'64' is not a size" in result.stderr


def test_witness_calculate_reports_an_unwritable_output(tmp_path: Path) -> None:
    inputs = write_input(tmp_path / "in.json", {"a": 3, "b": 11})
    out = tmp_path / "missing-dir" / "w.wtns"
    result = invoke("witness", "calculate", DATA / "mul.wasm", inputs, out)
    assert result.exit_code == 2
    assert f"cannot write {out}" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("circuit", "info", DATA / "bounded_sum.r1cs"),
        ("witness", "calculate", DATA / "mul.wasm", DATA / "bounded_sum_input.json", "w.wtns"),
    ],
)
def test_both_commands_honour_the_global_config(tmp_path: Path, command: tuple[str, ...]) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[plugins]\nnot_a_setting = 1\n")
    result = invoke("--config", broken, *command)
    assert result.exit_code == 2
    assert "plugins.not_a_setting" in result.stderr


def test_circuit_info_with_a_valid_config(tmp_path: Path) -> None:
    config = tmp_path / "ok.toml"
    config.write_text('[plugins]\nhash = "sha256"\n')
    result = invoke("--config", config, "circuit", "info", "--json", FORMATS_DATA / "mul.r1cs")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["constraints"] == 1


def test_the_console_script_runs_both_commands(tmp_path: Path) -> None:
    script = shutil.which("paraloom")
    if script is None:
        pytest.skip("the paraloom console script is not installed")
    environment = {**os.environ, "PARALOOM_CACHE_DIR": str(tmp_path / "cache")}
    out = tmp_path / "chain.wtns"
    inputs = write_input(tmp_path / "in.json", {"x": 2, "y": 5})
    subprocess.run(
        [script, "witness", "calculate", DATA / "chain.wasm", inputs, out],
        check=True,
        env=environment,
        capture_output=True,
        timeout=60,
    )
    assert out.read_bytes() == (FORMATS_DATA / "chain.wtns").read_bytes()
    info = subprocess.run(
        [script, "circuit", "info", FORMATS_DATA / "chain.r1cs"],
        check=True,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "constraints: 5\n" in info.stdout
