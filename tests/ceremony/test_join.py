"""`paraloom-ceremony join` and `verify-transcript` as participants run them, end to end."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from paraloom.ceremony.client import CoordinatorClient
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
    status_of,
    upload,
)


def _join_process(server: Server, name: str, workdir: Path) -> subprocess.Popen[str]:
    command = [*CLI, "join", server.url, "--name", name, "--dir", str(workdir), "--poll", "0.1s"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _printed_hash(stdout: str) -> str:
    return stdout.splitlines()[5]


def _prints_its_entry(stdout: str, entry: dict[str, Any]) -> None:
    """Join names the entry's position in the transcript it fetched, then the entry itself."""
    lines = stdout.splitlines()
    position = next(i for i, line in enumerate(lines) if line.startswith("included as"))
    match = re.fullmatch(
        r"included as transcript entry #(\d+) of (\d+), signed by .*: *", lines[position]
    )
    assert match is not None, lines[position]
    index, length = int(match.group(1)), int(match.group(2))
    assert index == entry["index"] <= length
    assert json.loads(lines[position + 1]) == entry


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
    for name, (stdout, _) in outputs.items():
        entry = next(entry for entry in entries if entry["name"] == name)
        _prints_its_entry(stdout, entry)
        receipt = json.loads((tmp_path / name / "contribution.zkey.receipt.json").read_text())
        assert receipt["contribution_hash"] == hashes[name]
        coordinator = {"url": server.url, "pubkey": server.pubkey, "transcript_entry": entry}
        assert receipt["coordinator"] == coordinator
    transcript = tmp_path / "t.jsonl"
    transcript.write_bytes(request(f"{server.url}/transcript")[1])
    final = server.key(2)
    assert run_cli("verify", "--initial", MUL_0, final).exit_code == 0
    check = ("verify-transcript", transcript, "--pubkey", server.pubkey)
    for digest in hashes.values():
        found = run_cli(*check, "--zkey", final, "--contribution-hash", digest)
        assert found.exit_code == 0, found.stderr
        assert "included as contribution #" in found.stdout
    assert run_cli(*check, "--contribution-hash", "ab" * 64).exit_code == 1
    assert run_cli(*check, "--zkey", server.key(1)).exit_code == 1
    assert run_cli(*check, "--zkey", MUL_0).exit_code == 1
    other = "cd" * 32
    assert run_cli("verify-transcript", transcript, "--pubkey", other).exit_code == 1
    assert run_cli(*check, "--contribution-hash", "xyz").exit_code == 2
    assert run_cli("verify-transcript", transcript, "--pubkey", "ab").exit_code == 2
    (tmp_path / "bad.jsonl").write_text("{}\n")
    assert run_cli("verify-transcript", tmp_path / "bad.jsonl", "--pubkey", other).exit_code == 2
    missing = run_cli("verify-transcript", tmp_path / "none.jsonl", "--pubkey", other)
    assert missing.exit_code == 2
    assert "none.jsonl" in missing.stderr


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
    assert again.exit_code == 0, again.stderr
    assert "resuming with the saved ticket" in again.stderr
    assert [entry["name"] for entry in server.transcript_lines()] == ["first", "bob"]
    spent = run_cli("join", server.url, "--name", "bob", "--dir", tmp_path / "bob")
    assert spent.exit_code == 1
    assert "accepted as contribution #2" in spent.stderr


def test_a_partial_download_resumes(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    ticket, data = join(server, "alice"), MUL_0.read_bytes()
    client = CoordinatorClient(server.url)
    partial = tmp_path / "key.part"
    partial.write_bytes(data[:1000])
    assert client.download(partial, ticket=ticket) == len(data) - 1000
    assert partial.read_bytes() == data
    partial.write_bytes(b"\0" * 1000)  # a stale prefix: the digest check starts over
    status = status_of(server, ticket)
    sha256, size = status["key_sha256"], status["key_size"]
    assert (sha256, size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert client.fetch_key(tmp_path / "key", sha256, size, ticket=ticket).read_bytes() == data
    assert not partial.exists()
    partial.write_bytes(b"\0" * (len(data) + 1))  # longer than the key: cannot be resumed
    assert client.fetch_key(tmp_path / "key", sha256, size).read_bytes() == data
    with pytest.raises(CoordinatorError, match="does not match"):
        client.fetch_key(tmp_path / "key", "00" * 32, size, ticket=ticket)
    assert not partial.exists()


def test_an_unreachable_coordinator_is_a_transport_error(tmp_path: Path) -> None:
    with pytest.raises(TransportError, match="cannot reach"):
        CoordinatorClient("http://127.0.0.1:9", timeout=5).join("alice")
    result = run_cli("join", "http://127.0.0.1:9", "--name", "a", "--dir", tmp_path)
    assert result.exit_code == 1
    assert "cannot reach the coordinator" in result.stderr
