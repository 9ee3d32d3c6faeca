"""A participant's side of a coordinated ceremony: join, wait, download, contribute, upload.

The ticket is kept in the work directory, so running ``join`` again after an interruption
resumes with the same place in the queue, and a partial download resumes with ``Range``.
A download is checked against the SHA-256 the coordinator announces before anything is
built on it; a resumed download that does not match starts over once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

from paraloom.ceremony.receipt import file_digests, receipt, receipt_path, write_receipt
from paraloom.errors import CoordinatorError, TicketError, TransportError
from paraloom.formats.files import atomic_write

if TYPE_CHECKING:
    from collections.abc import Callable

    from paraloom.ceremony.contribute import ContributionResult
    from paraloom.components import CeremonyScheme
    from paraloom.math.backend import AnyCurveBackend

_BLOCK = 1 << 16


class CoordinatorClient:
    """The coordinator's HTTP endpoints; refusals raise the errors the server named."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url, self._timeout = url.rstrip("/"), timeout

    def join(self, name: str) -> dict[str, Any]:
        return self._json("/join", json.dumps({"name": name}).encode())

    def status(self, ticket: str) -> dict[str, Any]:
        return self._json(f"/status?ticket={quote(ticket)}")

    def upload(self, ticket: str, key: Path) -> dict[str, Any]:
        return self._json(f"/contribution?ticket={quote(ticket)}", key.read_bytes())

    def download(self, ticket: str, target: Path) -> int:
        """Append the rest of the current key to ``target``; the number of bytes fetched."""
        offset = target.stat().st_size if target.exists() else 0
        request = Request(f"{self.url}/key?ticket={quote(ticket)}")
        if offset:
            request.add_header("Range", f"bytes={offset}-")
        fetched = 0
        with self._open(request) as response, target.open("ab" if offset else "wb") as output:
            if offset and response.status != 206:
                output.truncate(0)  # the server sent the whole key: start over
            while block := response.read(_BLOCK):
                output.write(block)
                fetched += len(block)
        return fetched

    def _json(self, path: str, body: bytes | None = None) -> dict[str, Any]:
        request = Request(f"{self.url}{path}", data=body)
        with self._open(request) as response:
            document: dict[str, Any] = json.loads(response.read())
        return document

    def _open(self, request: Request) -> Any:
        try:
            return urlopen(request, timeout=self._timeout)
        except HTTPError as error:
            raise _refusal(error) from None
        except (URLError, OSError) as error:
            raise TransportError(f"cannot reach the coordinator at {self.url}: {error}") from None


@dataclass(frozen=True)
class Participation:
    result: ContributionResult
    receipt: Path


def participate(
    client: CoordinatorClient,
    scheme: CeremonyScheme,
    backend: AnyCurveBackend,
    *,
    name: str,
    entropy: str | None,
    workdir: Path,
    poll_seconds: float,
    report: Callable[[str], None],
) -> Participation:
    """The whole turn, from joining (or resuming a ticket) to the accepted upload."""
    workdir.mkdir(parents=True, exist_ok=True)
    ticket = _ticket(client, name, workdir, report)
    status = _wait_for_turn(client, ticket, poll_seconds, report)
    current = _fetch_key(client, ticket, workdir / "current.zkey", status["key_sha256"])
    output = workdir / "contribution.zkey"
    source_digests = file_digests(current)
    result = scheme.contribute(backend, current, output, name=name, entropy=entropy)
    written = receipt_path(output)
    write_receipt(
        written, receipt(result, source=current, source_digests=source_digests, output=output)
    )
    answer = client.upload(ticket, output)
    if answer.get("contribution_hash") != result.hash.hex():
        raise CoordinatorError("the coordinator recorded another contribution hash than ours")
    report(f"accepted as contribution #{answer['index']}")
    return Participation(result, written)


def _ticket(
    client: CoordinatorClient, name: str, workdir: Path, report: Callable[[str], None]
) -> str:
    """The saved ticket for this coordinator and name, or a new one from joining."""
    saved = workdir / "ticket.json"
    if saved.exists():
        document = json.loads(saved.read_text())
        if document.get("url") == client.url and document.get("name") == name:
            report("resuming with the saved ticket")
            return str(document["ticket"])
    joined = client.join(name)
    with atomic_write(saved, mode=0o600) as stream:  # the ticket is a bearer token
        stream.write(json.dumps({"url": client.url, "name": name, **joined}).encode())
    report(f"joined the queue at position {joined['position']}")
    return str(joined["ticket"])


def _wait_for_turn(
    client: CoordinatorClient, ticket: str, poll_seconds: float, report: Callable[[str], None]
) -> dict[str, Any]:
    last_position = None
    while True:
        status = client.status(ticket)
        if status["state"] == "your turn":
            report(f"your turn: contribute before {status['deadline']}")
            return status
        if status["state"] == "finished":
            raise TicketError(f"this ticket is spent: {status['outcome']}")
        if status["position"] != last_position:
            report(f"waiting: position {status['position']}")
            last_position = status["position"]
        time.sleep(poll_seconds)


def _fetch_key(client: CoordinatorClient, ticket: str, target: Path, sha256: str) -> Path:
    """Download (resuming a partial file) and check the announced digest; retry once."""
    partial = target.with_name(target.name + ".part")
    for _attempt in range(2):
        client.download(ticket, partial)
        if file_digests(partial)["sha256"] == sha256:
            partial.replace(target)
            return target
        partial.unlink()
    raise CoordinatorError(
        "the downloaded key does not match the SHA-256 the coordinator announced"
    )


def _refusal(error: HTTPError) -> CoordinatorError:
    try:
        message = str(json.loads(error.read())["error"])
    except (ValueError, KeyError, TypeError):
        message = f"HTTP {error.code} {error.reason}"
    kind = TicketError if error.code == 403 else CoordinatorError
    return kind(f"the coordinator refused: {message}")
