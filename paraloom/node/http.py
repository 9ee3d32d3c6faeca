"""A minimal HTTP/1.1 server on asyncio streams for the node's loopback endpoints.

The client API and the health endpoints answer a handful of small requests from local tools,
so the standard library suffices: one request per connection (``Connection: close``), a
Content-Length body under a fixed bound, no chunked encoding. A request it cannot parse is
answered 400 and the connection closed; a handler's exception is the handler's bug and
answers 500 without taking the server down.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from paraloom.errors import TransportError

LOGGER = logging.getLogger("paraloom.node.http")

MAX_HEADER_LINES = 64
READ_TIMEOUT = 10.0


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    body: bytes


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    content_type: str = "application/json"

    @classmethod
    def json(cls, status: int, document: Any) -> HttpResponse:
        return cls(status, json.dumps(document, sort_keys=True).encode() + b"\n")

    @classmethod
    def error(cls, status: int, message: str) -> HttpResponse:
        return cls.json(status, {"error": message})


Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]


class _BadRequestError(Exception):
    """The bytes on the connection are not a request this server takes."""


class HttpServer:
    """Serves ``handler`` on one address until closed."""

    def __init__(self, handler: Handler, max_body: int) -> None:
        self.handler = handler
        self.max_body = max_body
        self._server: asyncio.Server | None = None

    @property
    def address(self) -> tuple[str, int]:
        if self._server is None:
            raise TransportError("the HTTP server is not running")
        host, port = self._server.sockets[0].getsockname()[:2]
        return str(host), int(port)

    async def start(self, host: str, port: int) -> None:
        try:
            self._server = await asyncio.start_server(self._serve, host, port)
        except OSError as error:
            raise TransportError(f"cannot listen on {host}:{port}: {error.strerror}") from None

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):  # not wait_for: see network.memory
                    await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                async with asyncio.timeout(READ_TIMEOUT):
                    request = await self._read(reader)
            except (_BadRequestError, asyncio.IncompleteReadError, ValueError) as error:
                response = HttpResponse.error(HTTPStatus.BAD_REQUEST, f"bad request: {error}")
            else:
                response = await self._answer(request)
            writer.write(_render(response))
            await writer.drain()
        except (ConnectionError, TimeoutError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, request: HttpRequest) -> HttpResponse:
        try:
            return await self.handler(request)
        except Exception:
            LOGGER.exception("%s %s failed", request.method, request.path)
            return HttpResponse.error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error")

    async def _read(self, reader: asyncio.StreamReader) -> HttpRequest:
        line = (await reader.readline()).decode("latin-1").rstrip("\r\n")
        parts = line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadRequestError(f"not an HTTP/1.x request line: {line[:80]!r}")
        method, target, _ = parts
        length = await self._content_length(reader)
        if length > self.max_body:
            raise _BadRequestError(f"body of {length} bytes exceeds {self.max_body}")
        body = await reader.readexactly(length) if length else b""
        return HttpRequest(method.upper(), target, body)

    @staticmethod
    async def _content_length(reader: asyncio.StreamReader) -> int:
        for _ in range(MAX_HEADER_LINES):
            header = (await reader.readline()).decode("latin-1").strip()
            if not header:
                return 0
            name, _, value = header.partition(":")
            if name.strip().lower() == "transfer-encoding":
                raise _BadRequestError("transfer encodings are not supported")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
                await _skip_headers(reader)
                if length < 0:
                    raise _BadRequestError("negative Content-Length")
                return length
        raise _BadRequestError(f"more than {MAX_HEADER_LINES} header lines")


async def _skip_headers(reader: asyncio.StreamReader) -> None:
    for _ in range(MAX_HEADER_LINES):
        if not (await reader.readline()).strip():
            return
    raise _BadRequestError(f"more than {MAX_HEADER_LINES} header lines")


def _render(response: HttpResponse) -> bytes:
    reason = HTTPStatus(response.status).phrase
    headers = {
        "Content-Type": response.content_type,
        "Content-Length": str(len(response.body)),
        "Connection": "close",
    }
    head = f"HTTP/1.1 {response.status} {reason}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (head + "\r\n").encode("latin-1") + response.body
