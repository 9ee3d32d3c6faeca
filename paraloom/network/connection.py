"""One authenticated connection to a peer: framed envelopes, requests paired with replies.

The reader drops what it cannot use and keeps reading: a frame that does not decode, a payload
above the limit, a response nobody waits for. Only a length prefix above the cap ends the
connection, because after it the stream cannot be resynchronised.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import ssl
from collections.abc import Callable

from paraloom.errors import FormatError, TransportError
from paraloom.network.frames import encode_frame, read_frame
from paraloom.network.wire import (
    DropReason,
    Frame,
    Gossip,
    Request,
    Response,
    TrafficCounters,
    WireCodec,
)

OnFrame = Callable[["PeerConnection", Request | Gossip], None]
"""Takes an inbound request or gossip message; it must not block the reader."""

_READ_ERRORS = (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError, OSError)


class PeerConnection:
    """A stream to ``peer`` that ``initiator`` (one of the two node ids) dialled."""

    def __init__(
        self,
        peer: str,
        initiator: str,
        streams: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        *,
        codec: WireCodec[Frame],
        max_payload_size: int,
        counters: TrafficCounters,
    ) -> None:
        self.peer, self.initiator = peer, initiator
        self._reader, self._writer = streams
        self._codec, self._max_payload_size, self._counters = codec, max_payload_size, counters
        self._ids = itertools.count()
        self._pending: dict[int, asyncio.Future[Response]] = {}
        self._reader_task: asyncio.Task[None] | None = None
        self._on_closed: Callable[[PeerConnection], None] | None = None
        self.closed = asyncio.Event()

    def start(self, on_frame: OnFrame, on_closed: Callable[[PeerConnection], None]) -> None:
        """Read frames until the connection ends; requests and gossip go to ``on_frame``,
        and ``on_closed`` hears at once when the connection ends, whichever side ended it."""
        self._on_closed = on_closed
        self._reader_task = asyncio.create_task(self._read_loop(on_frame))

    async def send(self, frame: Frame) -> None:
        if self.closed.is_set():
            raise TransportError(f"the connection to {self.peer} is closed")
        data = encode_frame(self._codec.encode(frame), self._codec.max_size)
        try:
            self._writer.write(data)
            self._counters.frames_out += 1
            await self._writer.drain()
        except (ConnectionError, OSError) as error:
            self._finish()
            raise TransportError(f"the connection to {self.peer} failed: {error}") from error

    async def request(self, payload: bytes) -> bytes:
        """Send a request and wait for its reply (the caller bounds the wait)."""
        request_id = next(self._ids)
        reply: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = reply
        try:
            await self.send(Request(request_id, bytes(payload)))
            response = await reply
        finally:
            self._pending.pop(request_id, None)
        if response.error is not None:
            raise TransportError(f"peer {self.peer} failed to handle the request: {response.error}")
        return response.payload

    async def close(self) -> None:
        self._finish()
        task = self._reader_task
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(*_READ_ERRORS):
            await self._writer.wait_closed()

    async def _read_loop(self, on_frame: OnFrame) -> None:
        try:
            while (body := await read_frame(self._reader, self._codec.max_size)) is not None:
                self._counters.frames_in += 1
                frame = self._accept(body)
                if isinstance(frame, Response):
                    self._resolve(frame)
                elif frame is not None:
                    on_frame(self, frame)
        except TransportError:
            self._counters.drop(DropReason.OVERSIZED)
        except _READ_ERRORS:
            pass
        finally:
            self._finish()

    def _accept(self, body: bytes) -> Frame | None:
        """The decoded frame, or None (counted) when it must be dropped."""
        try:
            frame = self._codec.decode(body)
        except FormatError:
            self._counters.drop(DropReason.GARBAGE)
            return None
        if len(frame.payload) > self._max_payload_size and not isinstance(frame, Request):
            self._counters.drop(DropReason.OVERSIZED)
            return None
        return frame

    def _resolve(self, response: Response) -> None:
        reply = self._pending.get(response.id)
        if reply is None or reply.done():
            self._counters.drop(DropReason.UNEXPECTED)
        else:
            reply.set_result(response)

    def _finish(self) -> None:
        """Close the stream and fail every waiting request; safe to call more than once."""
        if self.closed.is_set():
            return
        self.closed.set()
        self._writer.close()
        for reply in self._pending.values():
            if not reply.done():
                reply.set_exception(TransportError(f"the connection to {self.peer} closed"))
        if self._on_closed is not None:
            self._on_closed(self)
