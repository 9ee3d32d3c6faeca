"""A participant's side of a coordinated ceremony: join, wait, download, contribute, upload.

The ticket is kept in the work directory, so running ``join`` again after an interruption
resumes with the same place in the queue, and a partial download resumes with ``Range``.
Keys stream between disk and the network in blocks, both ways, so memory stays bounded. A
download is checked against the SHA-256 the coordinator announces before anything is built
on it; a resumed download that does not match starts over once. After the upload the public
transcript is fetched and checked (signatures and chain, under the coordinator key that
``/info`` names), and the signed entry that includes the contribution goes into the receipt.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from paraloom.ceremony.ledger import LedgerEntry, find_contribution, parse_ledger, verify_ledger
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
    """The coordinator's HTTP endpoints; refusals raise the errors the server named.

    Methods that take a ``ticket`` send it as a bearer token; the others are public.
    """

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url, self._timeout = url.rstrip("/"), timeout

    def join(self, name: str) -> dict[str, Any]:
        return self._json(Request(f"{self.url}/join", data=json.dumps({"name": name}).encode()))

    def status(self, ticket: str) -> dict[str, Any]:
        return self._json(Request(f"{self.url}/status", headers=_bearer(ticket)))

    def info(self) -> dict[str, Any]:
        """The coordinator's public key, circuit hash, contributions and current key digest."""
        return self._json(Request(f"{self.url}/info"))

    def transcript(self) -> list[LedgerEntry]:
        """The signed transcript as the coordinator serves it (parsed, not yet verified)."""
        with self._open(Request(f"{self.url}/transcript")) as response:
            return parse_ledger(response.read())

    def upload(self, ticket: str, key: Path) -> dict[str, Any]:
        """Send ``key`` as the turn's contribution, streamed from the file."""
        headers = {
            **_bearer(ticket),
            "Content-Length": str(key.stat().st_size),
            "Content-Type": "application/octet-stream",
        }
        with key.open("rb") as body:
            return self._json(Request(f"{self.url}/contribution", data=body, headers=headers))

    def download(self, target: Path, *, ticket: str | None = None) -> int:
        """Append the rest of the current key to ``target``; the number of bytes fetched.

        With a ticket it asks ``/key``, without one the public ``/key/latest``. If the server
        sends the whole key instead of the rest, ``target`` starts over.
        """
        offset = target.stat().st_size if target.exists() else 0
        if ticket:
            request = Request(f"{self.url}/key", headers=_bearer(ticket))
        else:
            request = Request(f"{self.url}/key/latest")
        if offset:
            request.add_header("Range", f"bytes={offset}-")
        fetched = 0
        with self._open(request) as response, target.open("ab") as output:
            if offset and response.status != HTTPStatus.PARTIAL_CONTENT:
                output.truncate(0)
            while block := response.read(_BLOCK):
                output.write(block)
                fetched += len(block)
        return fetched

    def fetch_key(self, target: Path, sha256: str, size: int, *, ticket: str | None = None) -> Path:
        """Download the current key to ``target`` and check it against its announced digest.

        ``sha256`` and ``size`` are what ``status`` (or ``info``) announced. A partial download
        in ``TARGET.part`` is resumed; one that cannot be a prefix of the key (too long, or not
        matching once complete) is fetched again from the start, once.
        """
        partial = target.with_name(target.name + ".part")
        if partial.exists() and partial.stat().st_size > size:
            partial.unlink()
        for _attempt in range(2):
            self.download(partial, ticket=ticket)
            if file_digests(partial)["sha256"] == sha256:
                partial.replace(target)
                return target
            partial.unlink()
        raise CoordinatorError(
            "the downloaded key does not match the SHA-256 the coordinator announced"
        )

    def _json(self, request: Request) -> dict[str, Any]:
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
    """An accepted turn: the contribution, its receipt, and the transcript that includes it."""

    result: ContributionResult
    receipt: Path
    entry: LedgerEntry
    transcript_length: int
    pubkey: str


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
    """The whole turn, from joining (or resuming a ticket) to the accepted, published upload."""
    workdir.mkdir(parents=True, exist_ok=True)
    pubkey = str(client.info()["pubkey"])
    report(f"coordinator public key: {pubkey}")
    ticket = _ticket(client, name, workdir, report)
    status = _wait_for_turn(client, ticket, poll_seconds, report)
    current = client.fetch_key(
        workdir / "current.zkey", status["key_sha256"], status["key_size"], ticket=ticket
    )
    output = workdir / "contribution.zkey"
    source_digests = file_digests(current)
    result = scheme.contribute(backend, current, output, name=name, entropy=entropy)
    written = receipt_path(output)
    document = receipt(result, source=current, source_digests=source_digests, output=output)
    write_receipt(written, document)
    answer = client.upload(ticket, output)
    if answer.get("contribution_hash") != result.hash.hex():
        raise CoordinatorError("the coordinator recorded another contribution hash than ours")
    report(f"accepted as contribution #{answer['index']}")
    entries = client.transcript()
    entry = _published(entries, pubkey, result)
    coordinator = {"url": client.url, "pubkey": pubkey, "transcript_entry": asdict(entry)}
    write_receipt(written, {**document, "coordinator": coordinator})
    return Participation(result, written, entry, len(entries), pubkey)


def _published(entries: list[LedgerEntry], pubkey: str, result: ContributionResult) -> LedgerEntry:
    """Our entry in the coordinator's public transcript, whose whole chain is checked."""
    verify_ledger(entries, bytes.fromhex(pubkey))
    entry = find_contribution(entries, result.hash)
    if entry is None:
        raise CoordinatorError("the coordinator accepted the contribution but does not publish it")
    return entry


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


def _bearer(ticket: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {ticket}"}


def _refusal(error: HTTPError) -> CoordinatorError:
    try:
        message = str(json.loads(error.read())["error"])
    except (ValueError, KeyError, TypeError):
        message = f"HTTP {error.code} {error.reason}"
    kind = TicketError if error.code == HTTPStatus.FORBIDDEN else CoordinatorError
    return kind(f"the coordinator refused: {message}")
