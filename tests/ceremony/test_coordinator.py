"""The coordinator as a real process on loopback: bad uploads, turns, deadlines, restarts.

Whatever a participant sends, the transcript and the current key change only for a valid
single contribution to the current key.
"""

from __future__ import annotations

import hashlib
import json
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from paraloom.ceremony.beacon import apply_beacon

from .coordinator_support import (
    CHAIN_0,
    MUL_0,
    Server,
    bearer,
    contributed,
    join,
    request,
    run_cli,
    start_server,
    status_of,
    upload,
)
from .helpers import BACKEND


def _unchanged(server: Server, contributions: int) -> None:
    """The transcript has ``contributions`` entries and names the key file on disk."""
    entries = server.transcript_lines()
    assert len(entries) == contributions
    assert not server.key(contributions + 1).exists()
    if entries:
        digest = hashlib.sha256(server.key(contributions).read_bytes()).hexdigest()
        assert entries[-1]["key_sha256"] == digest


def _refused(server: Server, ticket: str, data: bytes, status: int, words: str) -> None:
    code, answer = upload(server, ticket, data)
    assert code == status, answer
    assert words in answer["error"]


def test_upload_without_the_turn_is_refused(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    first, second = join(server, "alice"), join(server, "bob")
    data = contributed(MUL_0, tmp_path / "k1.zkey")
    _refused(server, second, data, 403, "not your turn")
    _refused(server, "no-such-ticket", data, 403, "unknown ticket")
    assert status_of(server, second) == {"state": "waiting", "position": 1}
    code, answer = upload(server, first, data)
    assert (code, answer["index"]) == (200, 1)
    _unchanged(server, 1)
    assert status_of(server, second)["state"] == "your turn"


def test_truncated_upload_costs_the_turn(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    first, second = join(server, "alice"), join(server, "bob")
    data = contributed(MUL_0, tmp_path / "k1.zkey")
    _refused(server, first, data[: len(data) // 2], 422, "")
    assert status_of(server, first)["outcome"].startswith("refused")
    _refused(server, first, data, 403, "refused")
    assert status_of(server, second)["state"] == "your turn"
    _unchanged(server, 0)


def test_body_shorter_than_its_length_changes_nothing(
    tmp_path: Path, servers: list[Server]
) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    ticket = join(server, "alice")
    data = contributed(MUL_0, tmp_path / "k1.zkey")
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        head = (
            f"POST /contribution HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ticket}\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        connection.sendall(head.encode() + data[:1000])
        connection.shutdown(socket.SHUT_WR)
        answer = _read_response(connection)
    assert b" 422 " in answer.split(b"\r\n")[0]
    assert b"truncated" in answer
    assert "truncated" in status_of(server, ticket)["outcome"]
    assert list((server.directory / "uploads").iterdir()) == []
    _unchanged(server, 0)


def test_refuses_other_circuits_replays_and_beacons(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    tickets = [join(server, name) for name in ("a", "b", "c", "d", "e", "f", "g")]
    assert upload(server, tickets[0], contributed(MUL_0, tmp_path / "k1.zkey"))[0] == 200
    current = server.key(1)
    contributed(current, tmp_path / "k2.zkey")
    twice = contributed(tmp_path / "k2.zkey", tmp_path / "k3.zkey")
    apply_beacon(BACKEND, current, tmp_path / "b.zkey", beacon_hash=b"\1" * 32, iterations_exp=10)
    _refused(server, tickets[1], contributed(CHAIN_0, tmp_path / "c1.zkey"), 422, "circuit")
    _refused(server, tickets[2], current.read_bytes(), 409, "key #1 of this ceremony")
    _refused(server, tickets[3], MUL_0.read_bytes(), 409, "key #0 of this ceremony")
    _refused(server, tickets[4], twice, 409, "exactly one new contribution")
    _refused(server, tickets[5], (tmp_path / "b.zkey").read_bytes(), 409, "beacon")
    _unchanged(server, 1)
    code, answer = upload(server, tickets[6], contributed(current, tmp_path / "k2.zkey"))
    assert (code, answer["index"]) == (200, 2)
    _unchanged(server, 2)


def test_a_turn_not_used_passes_at_the_deadline(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state", deadline="1s"))
    absent, next_one = join(server, "absent"), join(server, "next")
    assert status_of(server, absent)["state"] == "your turn"
    for _ in range(100):
        if status_of(server, next_one)["state"] == "your turn":
            break
        time.sleep(0.1)
    assert status_of(server, next_one)["state"] == "your turn"
    assert status_of(server, absent)["outcome"].startswith("expired")
    _refused(server, absent, contributed(MUL_0, tmp_path / "k1.zkey"), 403, "expired")
    _unchanged(server, 0)


def test_a_restart_resumes_the_ceremony(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    first, second = join(server, "alice"), join(server, "bob")
    assert upload(server, first, contributed(MUL_0, tmp_path / "k1.zkey"))[0] == 200
    server.stop(kill=True)
    servers.append(again := start_server(tmp_path / "state"))
    assert again.pubkey == server.pubkey
    assert status_of(again, second)["state"] == "your turn"
    assert status_of(again, first)["outcome"] == "accepted as contribution #1"
    assert upload(again, second, contributed(again.key(1), tmp_path / "k2.zkey"))[0] == 200
    _unchanged(again, 2)
    (tmp_path / "t.jsonl").write_bytes(request(f"{again.url}/transcript")[1])
    checked = run_cli(
        "verify-transcript", tmp_path / "t.jsonl", "--pubkey", again.pubkey, "--zkey", again.key(2)
    )
    assert checked.exit_code == 0, checked.stderr


def test_a_state_directory_of_another_ceremony_is_refused(
    tmp_path: Path, servers: list[Server]
) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    server.stop()
    result = run_cli("serve", "--zkey", CHAIN_0, "--dir", tmp_path / "state")
    assert result.exit_code == 1
    assert "started from another key" in result.stderr


def test_a_key_with_contributions_is_no_initial_key(tmp_path: Path) -> None:
    contributed(MUL_0, tmp_path / "k1.zkey")
    result = run_cli("serve", "--zkey", tmp_path / "k1.zkey", "--dir", tmp_path / "state")
    assert result.exit_code == 1
    assert "already has contributions" in result.stderr


def test_key_downloads_resume_with_range(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    ticket, data = join(server, "alice"), MUL_0.read_bytes()
    for url, auth in ((f"{server.url}/key", bearer(ticket)), (f"{server.url}/key/latest", {})):
        assert request(url, headers=auth) == (200, data)
        assert request(url, headers={**auth, "Range": "bytes=100-"}) == (206, data[100:])
        assert request(url, headers={**auth, "Range": "bytes=10-19"}) == (206, data[10:20])
        assert request(url, headers={**auth, "Range": f"bytes={len(data)}-"})[0] == 416
        assert request(url, headers={**auth, "Range": "bytes=-5"})[0] == 416
    assert request(f"{server.url}/key")[0] == 400
    assert request(f"{server.url}/key", headers=bearer("nobody"))[0] == 403


def test_bad_join_requests(tmp_path: Path, servers: list[Server]) -> None:
    servers.append(server := start_server(tmp_path / "state"))
    for body in (b"not json", b"[]", json.dumps({"name": ""}).encode(), b'{"name": "x\\n"}'):
        code, answer = request(f"{server.url}/join", body)
        assert code == 400, body
        assert json.loads(answer)["error"]
    assert request(f"{server.url}/nothing")[0] == 404


def _read_response(connection: socket.socket) -> bytes:
    """One whole HTTP response: headers and body can arrive in separate segments."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = connection.recv(65536)
        assert chunk, f"connection closed inside the headers: {answer!r}"
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, "connection closed inside the body"
        body += chunk
    return head + b"\r\n\r\n" + body
