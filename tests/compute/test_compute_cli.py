"""`paraloom compute run`: a local job through the configured executor, as a user runs it.

Exit codes are the contract: 0 with the result hash, fuel and time; 1 with one line naming
the reason, fuel and time for every executor failure; 2 for bad flags and unreadable files.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paraloom.cli.main import paraloom_cli
from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.wasmtime_executor import WasmtimeExecutor


@pytest.fixture
def cache_env(tmp_path: Path) -> dict[str, str]:
    return {"PARALOOM_CACHE_DIR": str(tmp_path / "cache"), "PARALOOM_CONFIG": ""}


def guest_path(name: str) -> Path:
    return Path(str(files("paraloom").joinpath(f"data/guests/{name}.wasm")))


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(paraloom_cli, ["compute", "run", *args], env=env)


def job(env: dict[str, str], tmp_path: Path, guest: str, *flags: str, data: bytes = b"") -> Result:
    source = write(tmp_path / "input.bin", data)
    return run(env, "--wasm", str(guest_path(guest)), "--input", str(source), *flags)


def test_a_job_prints_its_result_hash_and_writes_the_raw_output(
    cache_env: dict[str, str], tmp_path: Path
) -> None:
    output = tmp_path / "out.bin"
    result = job(cache_env, tmp_path, "reverse", "--output", str(output), data=b"hello paraloom")
    assert result.exit_code == 0, result.stderr
    assert output.read_bytes() == b"moolarap olleh"
    assert hashlib.sha256(b"moolarap olleh").hexdigest() in result.stdout
    assert "14 bytes" in result.stdout


def test_json_figures_match_a_library_run(cache_env: dict[str, str], tmp_path: Path) -> None:
    result = job(cache_env, tmp_path, "reverse", "--json", data=b"figures")
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout)
    with WasmtimeExecutor(ExecutionLimits(64 * 2**20, 10**9, 30.0)) as executor:
        expected = executor.execute(guest_path("reverse").read_bytes(), b"figures")
    assert figures["sha256"] == hashlib.sha256(expected.output).hexdigest()
    assert figures["fuel_consumed"] == expected.fuel_consumed
    assert figures["output_bytes"] == 7


FAILURES = [
    ("infinite_loop", ["--fuel", "5000"], "out of fuel (budget 5,000)"),
    ("infinite_loop", ["--fuel", "1000000000000000", "--timeout", "50ms"], "timed out"),
    ("memory_bomb", ["--memory", "2MiB"], "memory limit of 2MiB reached"),
    ("deep_recursion", [], "stack overflow"),
    ("needs_import", [], "module imports env.host_log"),
    ("trap", [], "guest trapped: unreachable"),
]


@pytest.mark.parametrize(
    ("guest", "flags", "reason"),
    FAILURES,
    ids=["fuel", "timeout", "memory", "stack", "import", "trap"],
)
def test_an_executor_failure_exits_1_with_one_line(
    cache_env: dict[str, str], tmp_path: Path, guest: str, flags: list[str], reason: str
) -> None:
    result = job(cache_env, tmp_path, guest, *flags)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert reason in lines[0]
    assert "fuel used" in lines[0]
    assert " ms)" in lines[0]


def test_an_invalid_module_exits_1(cache_env: dict[str, str], tmp_path: Path) -> None:
    wasm = write(tmp_path / "bad.wasm", b"not wasm at all")
    source = write(tmp_path / "in.bin", b"")
    result = run(cache_env, "--wasm", str(wasm), "--input", str(source))
    assert result.exit_code == 1
    assert "not a WebAssembly binary" in result.stderr


def test_the_config_sets_the_default_limits_and_flags_override_them(
    cache_env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "paraloom.toml"
    config.write_text('[plugins]\nexecutor = { name = "wasmtime", fuel = 7000 }\n')
    env = {**cache_env, "PARALOOM_CONFIG": str(config)}
    assert "budget 7,000" in job(env, tmp_path, "infinite_loop").stderr
    assert "budget 9,000" in job(env, tmp_path, "infinite_loop", "--fuel", "9000").stderr


@pytest.mark.parametrize(
    "flags",
    [
        ["--memory", "64"],
        ["--memory", "1KiB"],
        ["--timeout", "30"],
        ["--timeout", "0s"],
        ["--fuel", "0"],
        ["--fuel", "lots"],
    ],
    ids=[
        "memory without unit",
        "memory below minimum",
        "timeout without unit",
        "zero timeout",
        "zero fuel",
        "fuel not a number",
    ],
)
def test_bad_limit_flags_exit_2_naming_the_flag(
    cache_env: dict[str, str], tmp_path: Path, flags: list[str]
) -> None:
    result = job(cache_env, tmp_path, "reverse", *flags)
    assert result.exit_code == 2
    assert f"Invalid value for '{flags[0]}'" in result.stderr


def test_missing_or_unreadable_files_exit_2(cache_env: dict[str, str], tmp_path: Path) -> None:
    source = write(tmp_path / "in.bin", b"x")
    missing = run(cache_env, "--wasm", str(tmp_path / "nope.wasm"), "--input", str(source))
    assert missing.exit_code == 2
    directory = run(cache_env, "--wasm", str(guest_path("reverse")), "--input", str(tmp_path))
    assert directory.exit_code == 2
    unwritable = job(cache_env, tmp_path, "reverse", "--output", str(tmp_path / "no" / "out"))
    assert unwritable.exit_code == 2
    assert "cannot write" in unwritable.stderr


def test_the_installed_command_fails_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    source = write(tmp_path / "in.bin", b"")
    command = [sys.executable, "-m", "paraloom", "compute", "run"]
    command += ["--wasm", str(guest_path("trap")), "--input", str(source)]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={"PARALOOM_CACHE_DIR": str(tmp_path), "PATH": ""},
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stderr.startswith("error: guest trapped: unreachable (fuel used ")
    assert completed.stderr.count("\n") == 1
