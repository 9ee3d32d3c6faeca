"""Shared by the coordinator tests: real `paraloom-ceremony` processes on loopback.

It holds no tests itself; the name keeps it among the coordinator's test files.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from click.testing import CliRunner, Result

from paraloom.ceremony.contribute import contribute
from paraloom.ceremony.coordinator import Coordinator, load_or_create_key
from paraloom.ceremony.scheme import Bgm17Scheme
from paraloom.cli.ceremony import ceremony_cli
from paraloom.components import CeremonyScheme

from .helpers import BACKEND, fixture

MUL_0, CHAIN_0 = fixture("mul_0.zkey"), fixture("chain_0.zkey")
CLI = [sys.executable, "-c", "from paraloom.cli.ceremony import run_ceremony; run_ceremony()"]
TIMEOUT = 60.0


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    pubkey: str
    directory: Path
    lines: queue.Queue[str] = field(default_factory=queue.Queue)

    def stop(self, *, kill: bool = False) -> None:
        if self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
        self.process.wait(timeout=10)

    def key(self, contributions: int) -> Path:
        return self.directory / "keys" / f"{contributions:04d}.zkey"

    def transcript_lines(self) -> list[dict[str, Any]]:
        path = self.directory / "transcript.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def run_cli(*arguments: object) -> Result:
    """A `paraloom-ceremony` command run in this process (much quicker than a new one).

    A command ends with an exit code; an exception escaping it (a traceback) fails the test.
    """
    result = CliRunner().invoke(ceremony_cli, [str(argument) for argument in arguments])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def start_server(directory: Path, initial: Path = MUL_0, deadline: str = "5m") -> Server:
    command = [*CLI, "serve", "--zkey", str(initial), "--dir", str(directory)]
    process = subprocess.Popen(
        [*command, "--deadline", deadline],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process, lines), daemon=True).start()
    try:
        pubkey = lines.get(timeout=TIMEOUT).removeprefix("coordinator public key: ").strip()
        url = lines.get(timeout=TIMEOUT).removeprefix("listening on ").strip()
    except queue.Empty:
        process.kill()
        _, errors = process.communicate()
        raise AssertionError(f"the server did not start: {errors}") from None
    return Server(process, url, pubkey, directory, lines)


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)


def running_servers() -> Iterator[list[Server]]:
    """For a fixture: servers a test started (append them); every one is stopped afterwards."""
    started: list[Server] = []
    try:
        yield started
    finally:
        for server in started:
            server.stop(kill=True)


def request(
    url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """Status and body, refusals included."""
    try:
        with urlopen(Request(url, data=body, headers=headers or {}), timeout=TIMEOUT) as answer:
            return answer.status, answer.read()
    except HTTPError as error:
        return error.code, error.read()


def join(server: Server, name: str) -> str:
    status, body = request(f"{server.url}/join", json.dumps({"name": name}).encode())
    assert status == 200, body
    ticket: str = json.loads(body)["ticket"]
    return ticket


def bearer(ticket: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {ticket}"}


def status_of(server: Server, ticket: str) -> dict[str, Any]:
    status, body = request(f"{server.url}/status", headers=bearer(ticket))
    assert status == 200, body
    document: dict[str, Any] = json.loads(body)
    return document


def upload(server: Server, ticket: str, data: bytes) -> tuple[int, dict[str, Any]]:
    status, body = request(f"{server.url}/contribution", data, bearer(ticket))
    document: dict[str, Any] = json.loads(body)
    return status, document


def contributed(source: Path, destination: Path, name: str = "x") -> bytes:
    """A real contribution to ``source``, made in process."""
    contribute(BACKEND, source, destination, name=name)
    return destination.read_bytes()


def open_coordinator(
    directory: Path, scheme: CeremonyScheme | None = None, turn_seconds: float = 300.0
) -> Coordinator:
    """A coordinator in this process over ``directory`` (started from MUL_0, or resumed).

    Its signing key lives in the directory, as `serve` keeps it, so a reopened one is the same.
    """
    directory.mkdir(parents=True, exist_ok=True)
    return Coordinator.open(
        directory,
        MUL_0,
        scheme=scheme or Bgm17Scheme(),
        backend=BACKEND,
        signing_key=load_or_create_key(directory / "coordinator.key"),
        turn_seconds=turn_seconds,
    )
