"""What anyone can read while a ceremony runs, and the ticket kept out of URLs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from paraloom.ceremony.client import CoordinatorClient
from paraloom.ceremony.info import key_info
from paraloom.errors import CoordinatorError

from .coordinator_support import (
    MUL_0,
    Server,
    bearer,
    contributed,
    join,
    request,
    run_cli,
    start_server,
    upload,
)


def _info(server: Server) -> dict[str, object]:
    status, body = request(f"{server.url}/info")
    assert status == 200, body
    document: dict[str, object] = json.loads(body)
    return document


def test_info_follows_the_ceremony(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state", deadline="5m"))
    initial = MUL_0.read_bytes()
    assert _info(server) == {
        "pubkey": server.pubkey,
        "circuit_hash": key_info(MUL_0).cs_hash.hex(),
        "contributions": 0,
        "key_sha256": hashlib.sha256(initial).hexdigest(),
        "key_size": len(initial),
        "queued": 0,
        "turn_seconds": 300.0,
    }
    alice, _ = join(server, "alice"), join(server, "bob")
    data = contributed(MUL_0, tmp_path / "k1.zkey")
    assert _info(server)["queued"] == 2
    assert upload(server, alice, data)[0] == 200
    after = _info(server)
    assert (after["contributions"], after["queued"]) == (1, 1)
    assert (after["key_sha256"], after["key_size"]) == (hashlib.sha256(data).hexdigest(), len(data))


def test_anyone_can_check_the_running_ceremony(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    ticket, data = join(server, "alice"), contributed(MUL_0, tmp_path / "k1.zkey")
    assert upload(server, ticket, data)[0] == 200
    client = CoordinatorClient(server.url)
    assert [entry.name for entry in client.transcript()] == ["alice"]
    announced = client.info()
    latest = client.fetch_key(tmp_path / "latest.zkey", announced["key_sha256"], len(data))
    assert latest.read_bytes() == data
    with pytest.raises(CoordinatorError, match="does not match"):
        client.fetch_key(tmp_path / "other.zkey", "00" * 32, len(data))
    contribution = key_info(latest).contributions[0].hash.hex()
    check = ("verify-transcript", server.url, "--pubkey", server.pubkey)
    found = run_cli(*check, "--zkey", latest, "--contribution-hash", contribution)
    assert found.exit_code == 0, found.stderr
    assert "included as contribution #1 (alice" in found.stdout
    assert run_cli(*check, "--contribution-hash", "ab" * 64).exit_code == 1
    assert run_cli("verify-transcript", server.url, "--pubkey", "cd" * 32).exit_code == 1
    gone = run_cli("verify-transcript", "http://127.0.0.1:9", "--pubkey", server.pubkey)
    assert gone.exit_code == 1
    assert "cannot reach the coordinator" in gone.stderr


def test_the_ticket_travels_only_as_a_bearer_token(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    ticket = join(server, "alice")
    assert request(f"{server.url}/status", headers=bearer(ticket))[0] == 200
    for path, auth in (
        (f"/status?ticket={ticket}", {}),
        ("/status", {"Authorization": f"Basic {ticket}"}),
        ("/status", {"Authorization": "Bearer "}),
        ("/key", {"Authorization": ticket}),
    ):
        code, body = request(f"{server.url}{path}", headers=auth)
        assert code == 400, (path, auth)
        assert "Authorization: Bearer" in json.loads(body)["error"]
    code, body = request(f"{server.url}/contribution?ticket={ticket}", b"x")
    assert code == 400
    assert request(f"{server.url}/status", headers=bearer("not-a-ticket"))[0] == 403
