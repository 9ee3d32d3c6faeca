"""Restarts after crashes: the transcript is the source of truth, the queue follows it.

The crash states are written as a crash would leave them: each write of an acceptance is
atomic, so a crash between two writes leaves the earlier files new and the later ones old.
The queue's own rules (and its file format) are property-tested here too.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.ceremony.coordinator import Queue, Turn
from paraloom.errors import CoordinatorError, FormatError

from .coordinator_support import MUL_0, contributed, open_coordinator


def _accept_alice(tmp_path: Path) -> tuple[Path, str, str, bytes]:
    """Alice's contribution accepted with Bob waiting; also the queue file from before it."""
    state = tmp_path / "state"
    coordinator = open_coordinator(state)
    alice, bob = coordinator.join("alice")["ticket"], coordinator.join("bob")["ticket"]
    before = (state / "queue.json").read_bytes()
    data = contributed(MUL_0, tmp_path / "k1.zkey")
    assert coordinator.submit(alice, io.BytesIO(data), len(data))["index"] == 1
    return state, alice, bob, before


def _write_queue(state: Path, document: dict[str, Any]) -> None:
    (state / "queue.json").write_text(json.dumps(document))


def test_the_waiting_survive_a_restart(tmp_path: Path) -> None:
    coordinator = open_coordinator(tmp_path / "state")
    alice, bob = coordinator.join("alice")["ticket"], coordinator.join("bob")["ticket"]
    again = open_coordinator(tmp_path / "state")
    assert again.status(alice)["state"] == "your turn"
    assert again.status(bob) == {"state": "waiting", "position": 1}


def test_a_crash_before_the_queue_was_saved_is_repaired(tmp_path: Path) -> None:
    state, alice, bob, before = _accept_alice(tmp_path)
    stale = json.loads(before)
    stale["turn"]["deadline"] = 0.0  # long past by the restart: still no expiry to record
    _write_queue(state, stale)
    again = open_coordinator(state)
    assert again.status(alice) == {"state": "finished", "outcome": "accepted as contribution #1"}
    assert again.status(bob)["state"] == "your turn"
    assert json.loads((state / "queue.json").read_bytes())["contributions"] == 1
    data = contributed(state / "keys" / "0001.zkey", tmp_path / "k2.zkey")
    assert again.submit(bob, io.BytesIO(data), len(data))["index"] == 2


def test_a_crash_before_the_transcript_leaves_the_turn_open(tmp_path: Path) -> None:
    state = tmp_path / "state"
    coordinator = open_coordinator(state)
    alice = coordinator.join("alice")["ticket"]
    contributed(MUL_0, state / "keys" / "0001.zkey")  # written, never named by the transcript
    again = open_coordinator(state)
    assert again.status(alice)["state"] == "your turn"
    data = contributed(MUL_0, tmp_path / "k1.zkey")
    assert again.submit(alice, io.BytesIO(data), len(data))["index"] == 1
    assert (state / "keys" / "0001.zkey").read_bytes() == data


def test_a_queue_that_does_not_fit_the_transcript_is_refused(tmp_path: Path) -> None:
    state, _, _, before = _accept_alice(tmp_path)
    stale = json.loads(before)
    for turn_name, recorded in (("mallory", 0), ("alice", 2)):
        stale["turn"]["name"], stale["contributions"] = turn_name, recorded
        _write_queue(state, stale)
        with pytest.raises(CoordinatorError, match="inconsistent"):
            open_coordinator(state)
    stale["turn"], stale["contributions"] = None, 0
    _write_queue(state, stale)
    with pytest.raises(CoordinatorError, match="records 0 contributions, the transcript 1"):
        open_coordinator(state)


@pytest.mark.parametrize("count", [-1, True, "1", None])
def test_a_damaged_queue_is_a_format_error(tmp_path: Path, count: object) -> None:
    state, _, _, _ = _accept_alice(tmp_path)
    document = json.loads((state / "queue.json").read_bytes())
    _write_queue(state, {**document, "contributions": count})
    with pytest.raises(FormatError, match=r"queue\.json is damaged"):
        open_coordinator(state)
    del document["contributions"]
    _write_queue(state, document)
    with pytest.raises(FormatError, match=r"queue\.json is damaged"):
        open_coordinator(state)


def test_a_lost_queue_restarts_empty_on_the_transcript(tmp_path: Path) -> None:
    state, alice, _, _ = _accept_alice(tmp_path)
    (state / "queue.json").unlink()
    again = open_coordinator(state)
    assert again.info()["contributions"] == 1
    with pytest.raises(CoordinatorError, match="unknown ticket"):
        again.status(alice)


def test_interrupted_uploads_are_removed_on_start(tmp_path: Path) -> None:
    open_coordinator(tmp_path / "state")
    leftover = tmp_path / "state" / "uploads" / "0123.zkey"
    leftover.write_bytes(b"half an upload")
    open_coordinator(tmp_path / "state")
    assert not leftover.exists()


# -- the queue's rules ------------------------------------------------------------------

_IDS = st.text("0123456789abcdef", min_size=1, max_size=8)
_NAMES = st.text(min_size=1, max_size=8)
_TIMES = st.floats(min_value=0, max_value=1e9, allow_nan=False)
_TURNS = st.builds(Turn, _IDS, _NAMES, _TIMES)
_QUEUES = st.builds(
    Queue,
    st.lists(st.tuples(_IDS, _NAMES), max_size=4),
    st.none() | _TURNS,
    st.dictionaries(_IDS, _NAMES, max_size=4),
    st.integers(min_value=0, max_value=10**6),
)


@given(_QUEUES)
def test_the_queue_file_round_trips(queue: Queue) -> None:
    assert Queue.from_json(queue.to_json()) == queue


# An operation: ("join", n) queues ticket n; ("at", t) advances the clock to t (turns last 10);
# ("finish", _) ends the current turn (an acceptance or a refusal).
_OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["join", "at", "finish"]), st.integers(0, 40)), max_size=30
)


@given(_OPERATIONS)
def test_turns_go_in_join_order_and_tickets_finish_once(
    operations: list[tuple[str, int]],
) -> None:
    queue, now = Queue(), 0.0
    joined: list[str] = []
    served: list[str] = []
    for operation, value in operations:
        if operation == "join" and str(value) not in joined:
            joined.append(str(value))
            queue.waiting.append((str(value), "p"))
        elif operation == "at":
            now = max(now, float(value))
        elif operation == "finish" and queue.turn is not None:
            queue.finish(queue.turn.id, "accepted")
        queue.advance(now, 10.0)
        if queue.turn is not None and queue.turn.id not in served:
            served.append(queue.turn.id)
        _holds_invariants(queue, now, joined, served)


def _holds_invariants(queue: Queue, now: float, joined: list[str], served: list[str]) -> None:
    waiting = [ticket for ticket, _ in queue.waiting]
    assert served == joined[: len(served)]  # first come, first served
    assert waiting == joined[len(served) :]  # nobody skipped, nobody twice
    holder = None if queue.turn is None else queue.turn.id
    assert all(ticket in queue.finished or ticket == holder for ticket in served)
    if queue.turn is not None:
        assert queue.turn.id not in queue.finished
        assert now <= queue.turn.deadline <= now + 10.0
    else:
        assert not waiting  # a free turn never leaves anyone waiting
