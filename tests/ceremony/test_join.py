"""`paraloom-ceremony join` and `verify-transcript` as participants run them, end to end."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from paraloom.ceremony.client import CoordinatorClient, _fetch_key
from paraloom.errors import CoordinatorError, TransportError

from .coordinator_support import (
    CLI,
    MUL_0,
    TIMEOUT,
    Server,
    contributed,
    join,
    request,
    run_cli,
    start_server,
    upload,
)


def _join_process(server: Server, name: str, workdir: Path) -> subprocess.Popen[str]:
    command = [*CLI, "join", server.url, "--name", name, "--dir", str(workdir), "--poll", "0.1s"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _printed_hash(stdout: str) -> str:
    return stdout.splitlines()[5]


def test_participants_join_in_turn_and_find_themselves(
    tmp_path: Path, servers: list[Server]
) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    processes = {name: _join_process(server, name, tmp_path / name) for name in ("alice", "bob")}
    outputs = {name: process.communicate(timeout=TIMEOUT) for name, process in processes.items()}
    for name, process in processes.items():
        assert process.returncode == 0, outputs[name][1]
    hashes = {name: _printed_hash(stdout) for name, (stdout, _) in outputs.items()}
    entries = server.transcript_lines()
    assert {entry["name"]: entry["contribution_hash"] for entry in entries} == hashes
    for name in processes:
        receipt = json.loads((tmp_path / name / "contribution.zkey.receipt.json").read_text())
        assert receipt["contribution_hash"] == hashes[name]
    transcript = tmp_path / "t.jsonl"
    transcript.write_bytes(request(f"{server.url}/transcript")[1])
    final = server.key(2)
    assert run_cli("verify", "--initial", MUL_0, final).returncode == 0
    check = ("verify-transcript", transcript, "--pubkey", server.pubkey)
    for digest in hashes.values():
        found = run_cli(*check, "--zkey", final, "--contribution-hash", digest)
        assert found.returncode == 0, found.stderr
        assert "included as contribution #" in found.stdout
    assert run_cli(*check, "--contribution-hash", "ab" * 64).returncode == 1
    assert run_cli(*check, "--zkey", server.key(1)).returncode == 1
    assert run_cli(*check, "--zkey", MUL_0).returncode == 1
    other = "cd" * 32
    assert run_cli("verify-transcript", transcript, "--pubkey", other).returncode == 1
    assert run_cli(*check, "--contribution-hash", "xyz").returncode == 2
    assert run_cli("verify-transcript", transcript, "--pubkey", "ab").returncode == 2
    (tmp_path / "bad.jsonl").write_text("{}\n")
    assert run_cli("verify-transcript", tmp_path / "bad.jsonl", "--pubkey", other).returncode == 2


def test_an_interrupted_join_resumes_with_its_ticket(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    holder = join(server, "first")
    waiting = _join_process(server, "bob", tmp_path / "bob")
    try:
        for _ in range(200):
            if (tmp_path / "bob" / "ticket.json").exists():
                break
            time.sleep(0.05)
    finally:
        waiting.kill()
        waiting.wait(timeout=10)
    assert (tmp_path / "bob" / "ticket.json").stat().st_mode & 0o777 == 0o600  # a bearer token
    assert upload(server, holder, contributed(MUL_0, tmp_path / "k1.zkey"))[0] == 200
    again = run_cli(
        "join", server.url, "--name", "bob", "--dir", tmp_path / "bob", "--poll", "0.1s"
    )
    assert again.returncode == 0, again.stderr
    assert "resuming with the saved ticket" in again.stderr
    assert [entry["name"] for entry in server.transcript_lines()] == ["first", "bob"]
    spent = run_cli("join", server.url, "--name", "bob", "--dir", tmp_path / "bob")
    assert spent.returncode == 1
    assert "accepted as contribution #2" in spent.stderr


def test_a_partial_download_resumes(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    ticket, data = join(server, "alice"), MUL_0.read_bytes()
    client = CoordinatorClient(server.url)
    partial = tmp_path / "key.part"
    partial.write_bytes(data[:1000])
    assert client.download(ticket, partial) == len(data) - 1000
    assert partial.read_bytes() == data
    partial.write_bytes(b"\0" * 1000)  # a stale prefix: the digest check starts over
    sha256 = json.loads(request(f"{server.url}/status?ticket={ticket}")[1])["key_sha256"]
    assert _fetch_key(client, ticket, tmp_path / "key", sha256).read_bytes() == data
    assert not partial.exists()
    with pytest.raises(CoordinatorError, match="does not match"):
        _fetch_key(client, ticket, tmp_path / "key", "00" * 32)


def test_an_unreachable_coordinator_is_a_transport_error(tmp_path: Path) -> None:
    with pytest.raises(TransportError, match="cannot reach"):
        CoordinatorClient("http://127.0.0.1:9", timeout=5).join("alice")
    result = run_cli("join", "http://127.0.0.1:9", "--name", "a", "--dir", tmp_path)
    assert result.returncode == 1
    assert "cannot reach the coordinator" in result.stderr
