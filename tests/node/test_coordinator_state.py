"""The replicated coordinator state: its encoding, and the member's durable HA records.

Oracles: the values themselves (a round trip returns what went in), zstd and msgspec run
independently of the codec for the malformed inputs, and SQLite read back after reopening.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec
import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from paraloom.compute.messages import JobLimits
from paraloom.errors import CoordinationError
from paraloom.node.coordination import PersistentState
from paraloom.node.coordinator_state import (
    EMPTY_STATE,
    CoordinatorState,
    DecisionEntry,
    JobEntry,
    ResultEntry,
    ValidatorEntry,
    decode_state,
    encode_state,
)
from paraloom.node.messages import MAX_STATE_SIZE, Position
from paraloom.node.replication import GENESIS, Snapshot
from paraloom.storage.coordination_store import CoordinationStore
from paraloom.storage.database import open_database

ids = st.binary(min_size=32, max_size=32)
results = st.builds(ResultEntry, ids, st.binary(max_size=64))
jobs = st.builds(
    JobEntry,
    ids,
    st.binary(max_size=128),
    st.text(max_size=16),
    st.sampled_from(["submitted", "executing", "completed", "failed"]),
    st.lists(ids, max_size=3),
    st.lists(results, max_size=3),
)
validators = st.builds(
    ValidatorEntry,
    ids.map(lambda key: hashlib.sha256(key).hexdigest()),
    ids,
    st.binary(min_size=96, max_size=96),
    st.builds(
        JobLimits,
        st.integers(1, 2**40),
        st.integers(1, 2**60),
        st.floats(0.001, 1e6, allow_nan=False),
    ),
)
decisions = st.builds(
    DecisionEntry,
    ids,
    ids,
    st.integers(1, 2**63 - 1),
    ids,
    st.integers(0, 2**63 - 1),
    st.sampled_from(["approved", "rejected", "timeout"]),
    st.lists(st.binary(min_size=1, max_size=200), max_size=3),
    st.integers(0, 2**62),
)
states = st.builds(
    CoordinatorState,
    st.lists(jobs, max_size=4),
    st.lists(validators, max_size=3),
    st.dictionaries(st.text(max_size=8), st.floats(0, 1e4, allow_nan=False), max_size=3),
    st.lists(ids, max_size=4),
    st.lists(decisions, max_size=2),
    st.just([]),
)


@given(states)
def test_a_state_decodes_to_what_was_encoded(state: CoordinatorState) -> None:
    assert decode_state(encode_state(state)) == state


def test_the_genesis_snapshot_holds_the_empty_state() -> None:
    assert decode_state(GENESIS.state) == EMPTY_STATE


@given(st.binary(min_size=1, max_size=64))
def test_bytes_that_are_not_a_state_are_refused(data: bytes) -> None:
    with pytest.raises(CoordinationError, match="does not decode"):
        decode_state(data)


def test_a_state_with_an_unknown_field_is_refused() -> None:
    packed = msgspec.msgpack.encode(
        {**msgspec.structs.asdict(EMPTY_STATE), "surprise": 1}  # type: ignore[dict-item]
    )
    with pytest.raises(CoordinationError, match="does not decode"):
        decode_state(zstandard.ZstdCompressor().compress(packed))


def test_a_state_that_inflates_past_the_limit_is_refused() -> None:
    bomb = zstandard.ZstdCompressor().compress(b"\0" * (MAX_STATE_SIZE + 1))
    assert len(bomb) < 4096
    with pytest.raises(CoordinationError, match="does not decode"):
        decode_state(bomb)


def test_a_member_finds_its_term_vote_and_snapshot_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "node.sqlite3"
    snapshot = Snapshot.of(Position(3, 7), b"state of term 3")
    with open_database(path) as database:
        store = CoordinationStore(database)
        assert store.persistent() == PersistentState()
        assert store.snapshot() == GENESIS
        store.save_persistent(PersistentState(2, "ab" * 32))
        store.save_persistent(PersistentState(3, None))
        store.save_snapshot(Snapshot.of(Position(2, 1), b"older"))
        store.save_snapshot(snapshot)
    with open_database(path) as database:
        store = CoordinationStore(database)
        assert store.persistent() == PersistentState(3, None)
        assert store.snapshot() == snapshot


def test_a_damaged_stored_snapshot_is_refused(tmp_path: Path) -> None:
    with open_database(tmp_path / "node.sqlite3") as database:
        store = CoordinationStore(database)
        store.save_snapshot(Snapshot.of(Position(1, 1), b"jobs"))
        with database.transaction():
            database.execute("UPDATE coordination_snapshot SET state = ?", (b"j0bs",))
        with pytest.raises(CoordinationError, match="does not match its SHA-256"):
            store.snapshot()
