"""The coordinator over HTTP: JSON requests and answers, key downloads that can resume.

Standard library only (``ThreadingHTTPServer``), loopback by default. A thread of the server
expires turns at their deadlines (:meth:`.Coordinator.keep_deadlines`).

Participants' requests carry their ticket in an ``Authorization: Bearer TICKET`` header, never
in the URL (which ends up in logs): ``POST /join``, ``GET /status``, ``GET /key``,
``POST /contribution``. Anyone may read, to follow and check the ceremony while it runs:
``GET /info`` (the coordinator's public key, the circuit hash, the contributions so far, the
current key's SHA-256 and size), ``GET /transcript`` (the signed JSON lines) and
``GET /key/latest`` (the current key).

Every answer is JSON except keys (``application/octet-stream``, with ``Range`` support) and
the transcript (JSON lines). A refused request answers ``{"error": message}`` with the status
the error type names: 403 for a ticket without the turn, 422 for an upload that does not
verify, 409 for other refusals, 400 for bad requests.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from paraloom.errors import (
    CeremonyVerificationError,
    CoordinatorError,
    FormatError,
    ParaloomError,
)

if TYPE_CHECKING:
    from pathlib import Path

    from paraloom.ceremony.coordinator import Coordinator

_RANGE = re.compile(r"bytes=(\d+)-(\d*)")
_BEARER = "Bearer "
MAX_JSON_BODY = 4096


class CoordinatorServer(ThreadingHTTPServer):
    """An HTTP server bound to one coordinator."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], coordinator: Coordinator) -> None:
        super().__init__(address, _Handler)
        self.coordinator = coordinator
        self._deadlines = threading.Thread(
            target=coordinator.keep_deadlines, name="ceremony-deadlines", daemon=True
        )
        self._deadlines.start()

    def server_close(self) -> None:
        super().server_close()
        self.coordinator.close()
        self._deadlines.join()


def status_for(error: ParaloomError) -> int:
    if isinstance(error, CoordinatorError):
        return error.http_status
    if isinstance(error, CeremonyVerificationError | FormatError):
        return HTTPStatus.UNPROCESSABLE_ENTITY
    return HTTPStatus.BAD_REQUEST


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first, last) bytes of a ``Range: bytes=first-[last]`` header; None for all.

    Raises FormatError for ranges this server does not serve (suffix, several, past the end).
    """
    if header is None:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        raise FormatError(f"unsupported Range header {header!r}: use bytes=FIRST-[LAST]")
    first = int(match.group(1))
    last = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
    if first > last:
        raise FormatError(f"the range {header!r} is outside the key's {size} bytes")
    return first, last


class _Handler(BaseHTTPRequestHandler):
    server: CoordinatorServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        routes = {
            "/status": lambda: self._json(self._coordinator.status(self._ticket())),
            "/key": lambda: self._send_key(self._coordinator.current_key(self._ticket())),
            "/key/latest": lambda: self._send_key(self._coordinator.latest_key()),
            "/transcript": lambda: self._bytes(self._coordinator.transcript(), "application/jsonl"),
            "/info": lambda: self._json(self._coordinator.info()),
        }
        self._dispatch(routes)

    def do_POST(self) -> None:
        routes = {
            "/join": lambda: self._json(self._coordinator.join(self._name())),
            "/contribution": lambda: self._json(
                self._coordinator.submit(self._ticket(), self.rfile, self._length())
            ),
        }
        self._dispatch(routes)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: stdout carries the bound address for whoever started the server."""

    @property
    def _coordinator(self) -> Coordinator:
        return self.server.coordinator

    def _dispatch(self, routes: dict[str, Any]) -> None:
        handler = routes.get(urlsplit(self.path).path)
        if handler is None:
            self._json({"error": f"no such endpoint: {self.command} {self.path}"}, 404)
            return
        try:
            handler()
        except ParaloomError as error:
            self.close_connection = True  # an unread body must not be taken for a request
            self._json({"error": str(error)}, status_for(error))

    def _ticket(self) -> str:
        header = self.headers.get("Authorization", "")
        ticket = header.removeprefix(_BEARER).strip()
        if not header.startswith(_BEARER) or not ticket:
            raise ParaloomError("the request needs an Authorization: Bearer TICKET header")
        return ticket

    def _length(self) -> int:
        text = self.headers.get("Content-Length")
        if text is None or not text.isdigit():
            raise ParaloomError("the request needs a Content-Length header")
        return int(text)

    def _name(self) -> str:
        length = self._length()
        if length > MAX_JSON_BODY:
            raise ParaloomError(f"a join request has at most {MAX_JSON_BODY} bytes")
        try:
            document = json.loads(self.rfile.read(length))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ParaloomError('the body must be JSON: {"name": NAME}') from None
        name = document.get("name") if isinstance(document, dict) else None
        if not isinstance(name, str):
            raise ParaloomError('the body must be JSON: {"name": NAME}')
        return name

    def _send_key(self, path: Path) -> None:
        size = path.stat().st_size
        try:
            span = parse_range(self.headers.get("Range"), size)
        except FormatError as error:
            self._json({"error": str(error)}, HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            return
        first, last = span or (0, size - 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if span else HTTPStatus.OK)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(last - first + 1))
        if span:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        with path.open("rb") as stream:
            stream.seek(first)
            shutil.copyfileobj(_Limited(stream, last - first + 1), self.wfile)

    def _json(self, document: dict[str, Any], status: int = HTTPStatus.OK) -> None:
        self._bytes(json.dumps(document).encode(), "application/json", status)

    def _bytes(self, body: bytes, content_type: str, status: int = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Limited:
    """A read-only view of the next ``remaining`` bytes of a stream."""

    def __init__(self, stream: Any, remaining: int) -> None:
        self._stream, self._remaining = stream, remaining

    def read(self, size: int = -1) -> bytes:
        size = self._remaining if size < 0 else min(size, self._remaining)
        block: bytes = self._stream.read(size)
        self._remaining -= len(block)
        return block
