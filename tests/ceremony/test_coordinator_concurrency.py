"""Uploads verified outside the lock, and deadlines kept by a timer.

A :class:`GatedScheme` is the real ``bgm17`` scheme whose ``verify`` waits until the test lets
it go on, so a test can hold an upload in verification and look at the coordinator meanwhile.
A request the lock would block fails the test with a timeout instead of hanging it.
"""

from __future__ import annotations

import io
import json
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from paraloom.ceremony.coordinator import Coordinator, ticket_id
from paraloom.ceremony.scheme import Bgm17Scheme
from paraloom.errors import TicketError
from paraloom.progress import SILENT

from .coordinator_support import (
    MUL_0,
    TIMEOUT,
    Server,
    contributed,
    join,
    open_coordinator,
    start_server,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from paraloom.ceremony.bases import ChainBase
    from paraloom.ceremony.verify import VerificationReport
    from paraloom.formats.files import Target
    from paraloom.math.backend import AnyCurveBackend
    from paraloom.progress import Progress


class GatedScheme(Bgm17Scheme):
    """``bgm17``, with each verification announced and held until :attr:`go` is set."""

    def __init__(self) -> None:
        self.verifying = threading.Semaphore(0)
        self.go = threading.Event()

    def verify(
        self,
        backend: AnyCurveBackend,
        key: Target,
        base: ChainBase,
        *,
        progress: Progress = SILENT,
    ) -> VerificationReport:
        self.verifying.release()
        self.go.wait(TIMEOUT)
        return super().verify(backend, key, base, progress=progress)


@pytest.fixture
def pool(scheme: GatedScheme) -> Iterator[ThreadPoolExecutor]:
    """Threads for requests; the gate opens at the end so that none is left waiting."""
    with ThreadPoolExecutor(4) as threads:
        try:
            yield threads
        finally:
            scheme.go.set()


@pytest.fixture
def scheme() -> GatedScheme:
    return GatedScheme()


def _submit(
    pool: ThreadPoolExecutor, coordinator: Coordinator, ticket: str, data: bytes
) -> Future[dict[str, Any]]:
    return pool.submit(coordinator.submit, ticket, io.BytesIO(data), len(data))


def _answered(pool: ThreadPoolExecutor, call: Callable[[], Any]) -> Any:
    """The call's result, made in another thread: blocking on the lock fails, not hangs."""
    return pool.submit(call).result(timeout=TIMEOUT)


def test_others_are_answered_while_an_upload_is_verified(
    tmp_path: Path, scheme: GatedScheme, pool: ThreadPoolExecutor
) -> None:
    coordinator = open_coordinator(tmp_path / "state", scheme)
    alice, bob = coordinator.join("alice")["ticket"], coordinator.join("bob")["ticket"]
    upload = _submit(pool, coordinator, alice, contributed(MUL_0, tmp_path / "k1.zkey"))
    assert scheme.verifying.acquire(timeout=TIMEOUT)
    assert _answered(pool, lambda: coordinator.status(bob)) == {"state": "waiting", "position": 1}
    assert _answered(pool, coordinator.info)["contributions"] == 0
    assert _answered(pool, lambda: coordinator.join("carol"))["position"] == 2
    assert _answered(pool, coordinator.transcript) == b""
    scheme.go.set()
    assert upload.result(timeout=TIMEOUT)["index"] == 1
    assert coordinator.status(bob)["state"] == "your turn"


def test_two_uploads_of_one_turn_cannot_both_commit(
    tmp_path: Path, scheme: GatedScheme, pool: ThreadPoolExecutor
) -> None:
    state = tmp_path / "state"
    coordinator = open_coordinator(state, scheme)
    alice = coordinator.join("alice")["ticket"]
    keys = [contributed(MUL_0, tmp_path / f"k{n}.zkey", name=f"try {n}") for n in (1, 2)]
    uploads = [_submit(pool, coordinator, alice, data) for data in keys]
    for _ in uploads:
        assert scheme.verifying.acquire(timeout=TIMEOUT)  # both verified at once
    scheme.go.set()
    errors = [upload.exception(timeout=TIMEOUT) for upload in uploads]
    assert sorted(error is None for error in errors) == [False, True]
    winner = errors.index(None)
    assert isinstance(errors[1 - winner], TicketError)
    assert "accepted as contribution #1" in str(errors[1 - winner])
    assert len((state / "transcript.jsonl").read_text().splitlines()) == 1
    assert (state / "keys" / "0001.zkey").read_bytes() == keys[winner]
    assert list((state / "uploads").iterdir()) == []


def test_a_deadline_passing_during_verification_refuses_the_upload(
    tmp_path: Path, scheme: GatedScheme, pool: ThreadPoolExecutor
) -> None:
    state = tmp_path / "state"
    coordinator = open_coordinator(state, scheme, turn_seconds=2.0)
    data = contributed(MUL_0, tmp_path / "k1.zkey")  # made before the turn's clock runs
    alice, bob = coordinator.join("alice")["ticket"], coordinator.join("bob")["ticket"]
    upload = _submit(pool, coordinator, alice, data)
    assert scheme.verifying.acquire(timeout=TIMEOUT)
    _wait_until(lambda: coordinator.status(alice)["state"] == "finished")
    scheme.go.set()
    with pytest.raises(TicketError, match="expired at"):
        upload.result(timeout=TIMEOUT)
    assert coordinator.status(bob)["state"] == "your turn"
    assert not (state / "transcript.jsonl").exists()


def test_the_timer_stops_when_closed(tmp_path: Path) -> None:
    coordinator = open_coordinator(tmp_path / "state")
    timer = threading.Thread(target=coordinator.keep_deadlines, daemon=True)
    timer.start()
    coordinator.join("alice")  # a turn with a deadline: the timer sleeps until it
    coordinator.close()
    timer.join(timeout=TIMEOUT)
    assert not timer.is_alive()


def test_turns_expire_with_no_request(tmp_path: Path, servers: list[Server]) -> None:
    """The queue file alone is watched: nothing asks the server after the joins."""
    servers.append(server := start_server(tmp_path / "state", deadline="1s"))
    absent, next_one = join(server, "absent"), join(server, "next")
    queue = server.directory / "queue.json"
    _wait_until(lambda: (json.loads(queue.read_text())["turn"] or {}).get("name") == "next")
    document = json.loads(queue.read_text())
    assert document["turn"]["id"] == ticket_id(next_one)
    assert document["finished"][ticket_id(absent)].startswith("expired at")
    assert document["contributions"] == 0


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.05)
