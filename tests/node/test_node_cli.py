"""`paraloom compute submit|status|result` against running nodes, and `paraloom node run` as
real OS processes over the tcp transport, stopped by SIGTERM.

Oracles: the reverse guest's specification (Python slicing), hashlib for hashes, SQLite's own
integrity check for the database a stopped node leaves behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paraloom.cli.main import paraloom_cli
from paraloom.crypto.identity import NodeIdentity
from paraloom.storage.compute_store import ComputeStore
from paraloom.storage.database import database_path, open_database

from .node_harness import Localnet, localnet

INPUT = b"reverse me, network"
REVERSE = Path(str(files("paraloom").joinpath("data/guests/reverse.wasm")))


@pytest.fixture
def running_localnet(tmp_path: Path) -> Iterator[Localnet]:
    """A localnet on an event loop of its own thread, so the blocking CLI can talk to it."""
    ready: list[Localnet] = []
    stop = threading.Event()
    failure: list[BaseException] = []

    async def serve() -> None:
        async with localnet(tmp_path / "net") as net:
            ready.append(net)
            while not stop.is_set():
                await asyncio.sleep(0.02)

    def main() -> None:
        try:
            asyncio.run(serve())
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            failure.append(error)

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not ready and not failure and time.monotonic() < deadline:
        time.sleep(0.02)
    if failure:
        raise failure[0]
    yield ready[0]
    stop.set()
    thread.join(30)


def _cli(tmp_path: Path, *args: str) -> Result:
    env = {"PARALOOM_CACHE_DIR": str(tmp_path / "cache"), "PARALOOM_CONFIG": ""}
    settings = ["--set", f"node.data_dir={tmp_path / 'client'}"]
    return CliRunner().invoke(paraloom_cli, [*settings, *args], env=env)


def _wait_for_state(tmp_path: Path, url: str, job_id: str, state: str) -> Result:
    deadline = time.monotonic() + 30
    while True:
        result = _cli(tmp_path, "compute", "status", job_id, "--node", url)
        if f"state    {state}" in result.output or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


@pytest.mark.parametrize("private", [False, True])
def test_submit_status_result_round_trip(
    tmp_path: Path, running_localnet: Localnet, private: bool
) -> None:
    url = running_localnet.api_url(running_localnet.validators[0])
    source = tmp_path / "input.bin"
    source.write_bytes(INPUT)
    flags = ["--private"] if private else []
    submitted = _cli(
        tmp_path,
        *("compute", "submit", "--wasm", str(REVERSE), "--input", str(source)),
        *("--replication", "3", "--node", url, *flags),
    )
    assert submitted.exit_code == 0, submitted.output
    job_id = submitted.output.strip().splitlines()[-1].split()[-1]
    assert len(bytes.fromhex(job_id)) == 32

    status = _wait_for_state(tmp_path, url, job_id, "completed")
    assert "state    completed" in status.output, status.output
    by_flag = _cli(tmp_path, "compute", "status", "--job-id", job_id, "--node", url, "--json")
    assert by_flag.exit_code == 0
    assert '"state": "completed"' in by_flag.output

    output = tmp_path / "out.bin"
    decrypt = ["--decrypt"] if private else []
    fetched = _cli(
        tmp_path, "compute", "result", job_id, "--node", url, "--output", str(output), *decrypt
    )
    assert fetched.exit_code == 0, fetched.output
    assert output.read_bytes() == INPUT[::-1]
    assert hashlib.sha256(INPUT[::-1]).hexdigest() in fetched.output


def test_compute_commands_fail_in_one_line(tmp_path: Path, running_localnet: Localnet) -> None:
    url = running_localnet.api_url(running_localnet.coordinator)
    unknown = _cli(tmp_path, "compute", "status", "ab" * 32, "--node", url)
    assert unknown.exit_code == 1
    assert unknown.output.strip().startswith("error: node ")
    assert "no job" in unknown.output
    both = _cli(tmp_path, "compute", "status", "ab" * 32, "--job-id", "ab" * 32, "--node", url)
    assert both.exit_code == 2
    missing_key = _cli(tmp_path, "compute", "result", "cd" * 32, "--node", url, "--decrypt")
    assert missing_key.exit_code == 1
    assert len(missing_key.output.strip().splitlines()) == 1
    unreachable = _cli(tmp_path, "compute", "status", "ab" * 32, "--node", "http://127.0.0.1:9")
    assert unreachable.exit_code == 1
    assert "cannot reach node" in unreachable.output


# -- real processes -----------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_config(directory: Path, identity: NodeIdentity, peers: list[str]) -> Path:
    directory.mkdir(parents=True)
    key = directory / "identity.key"
    identity.save(key)
    listed = ", ".join(f'"{peer}"' for peer in peers)
    config = directory / "paraloom.toml"
    config.write_text(
        f"""[plugins]
transport = {{ name = "tcp", listen = "127.0.0.1:{_free_port()}", identity_key = "{key}", \
peers = [{listed}], backoff_max = "200ms" }}
[compute]
heartbeat_interval = "200ms"
[health]
enabled = false
[node]
data_dir = "{directory / "data"}"
identity_key = "{key}"
api_listen = "127.0.0.1:{_free_port()}"
"""
    )
    return config


def _start(config: Path, tmp_path: Path, *flags: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PARALOOM_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("PARALOOM_CONFIG", None)
    command = [sys.executable, "-m", "paraloom", "--config", str(config), "node", "run", *flags]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _api_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("api "):
            return line.split()[1]
    raise AssertionError(f"node exited early: {process.communicate()[1]}")


def _stop(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


def test_node_run_processes_agree_and_stop_on_sigterm(tmp_path: Path) -> None:
    coordinator_id, validator_id = NodeIdentity.generate(), NodeIdentity.generate()
    coordinator_config = _write_config(tmp_path / "coordinator", coordinator_id, [])
    port = coordinator_config.read_text().split('listen = "127.0.0.1:')[1].split('"')[0]
    peer = f"{coordinator_id.node_id_hex}@127.0.0.1:{port}"
    validator_config = _write_config(tmp_path / "validator", validator_id, [peer])
    coordinator = _start(coordinator_config, tmp_path, "--coordinator")
    validator = _start(validator_config, tmp_path)
    try:
        url = _api_url(coordinator)
        _api_url(validator)
        source = tmp_path / "input.bin"
        source.write_bytes(INPUT)
        submit = ["compute", "submit", "--wasm", str(REVERSE), "--input", str(source)]
        deadline = time.monotonic() + 60
        while True:  # the validator registers once its TLS connection is up
            submitted = _cli(tmp_path, *submit, "--replication", "2", "--node", url)
            if submitted.exit_code == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert submitted.exit_code == 0, submitted.output
        job_id = submitted.output.split()[-1]
        assert "completed" in _wait_for_state(tmp_path, url, job_id, "completed").output
    finally:
        results = [_stop(process) for process in (validator, coordinator)]
    for code, out, err in results:
        assert code == 0, err
        assert out.strip().splitlines()[-1].endswith("stopped")
    for name in ("coordinator", "validator"):
        with open_database(database_path(tmp_path / name / "data")) as database:
            assert database.integrity_problems() == ()
    with open_database(database_path(tmp_path / "coordinator" / "data")) as database:
        record = ComputeStore(database).job(bytes.fromhex(job_id))
        assert record is not None
        assert record.state == "completed"
