"""Snapshot replication: hashes, a replica that only moves forward, the commit rule, and
commits that survive failover in the simulated network."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import CoordinationError
from paraloom.node.coordination import Store
from paraloom.node.messages import MAX_STATE_SIZE, Position, SnapshotPush, seal
from paraloom.node.replication import GENESIS, CommitTracker, Replica, Snapshot

from .simulator import IDENTITIES, Cluster, membership
from .test_coordination import FAILOVER, member

MEMBERS = membership(5)
IDS = sorted(MEMBERS.keys)
small = st.integers(0, 4)
positions = st.builds(Position, small, small)


def test_a_snapshot_carries_the_sha256_of_its_state() -> None:
    snapshot = Snapshot.of(Position(1, 1), b"jobs")
    assert snapshot.sha256 == hashlib.sha256(b"jobs").digest()
    assert Snapshot.from_push(snapshot.push(1, IDS[0])) == snapshot
    with pytest.raises(CoordinationError, match="does not match its SHA-256"):
        Snapshot(Position(1, 1), b"jobs!", snapshot.sha256)
    with pytest.raises(CoordinationError, match="exceeds"):
        Snapshot.of(Position(1, 1), bytes(MAX_STATE_SIZE + 1))


def test_a_replica_refuses_older_and_conflicting_snapshots() -> None:
    replica = Replica()
    newer = Snapshot.of(Position(2, 3), b"b")
    assert replica.install(newer)
    assert not replica.install(newer)
    with pytest.raises(CoordinationError, match="3 of term 2 conflicts"):
        replica.install(Snapshot.of(Position(2, 3), b"c"))
    for older in (Position(2, 2), Position(1, 9), Position(0, 0)):
        with pytest.raises(CoordinationError, match="older than the held 3 of term 2"):
            replica.install(Snapshot.of(older, b"a"))
    assert replica.snapshot == newer


@given(st.lists(positions, max_size=20))
def test_a_replica_holds_the_newest_snapshot_it_accepted(offered: list[Position]) -> None:
    """One state per position (one primary per term): only older snapshots are refused."""

    def snapshot(position: Position) -> Snapshot:
        return Snapshot.of(position, repr(position).encode())

    replica = Replica(snapshot(GENESIS.position))
    for position in offered:
        previous = replica.position
        try:
            replica.install(snapshot(position))
        except CoordinationError:
            assert position < previous
        else:
            assert position >= previous
    assert replica.position == max([GENESIS.position, *offered])


def committed_oracle(term: int, held: dict[str, Position]) -> Position | None:
    """The newest position of ``term`` that a majority holds, by counting every candidate."""
    ours = [position for position in held.values() if position.term == term]
    backed = [p for p in ours if sum(q >= p for q in ours) >= MEMBERS.majority]
    return max(backed, default=None)


@given(st.lists(st.tuples(st.sampled_from([*IDS, "f" * 64]), positions), max_size=30))
def test_the_commit_rule_is_a_majority_of_this_terms_holders(
    acks: list[tuple[str, Position]],
) -> None:
    tracker = CommitTracker(2, MEMBERS)
    held: dict[str, Position] = {}
    for node_id, position in acks:
        before = tracker.committed
        advanced = tracker.record(node_id, position)
        if node_id in MEMBERS and position.term == 2:
            held[node_id] = max(held.get(node_id, position), position)
        assert tracker.committed == committed_oracle(2, held)
        assert advanced == (tracker.committed if tracker.committed != before else None)
        if before is not None:
            assert tracker.committed is not None
            assert tracker.committed >= before


def test_lagging_members_are_those_not_known_to_hold_the_latest() -> None:
    tracker = CommitTracker(1, MEMBERS)
    tracker.record(IDS[0], Position(1, 2))
    assert not tracker.lags(IDS[0], Position(1, 2))
    assert tracker.lags(IDS[0], Position(1, 3))
    assert tracker.lags(IDS[1], Position(1, 1))


def test_a_passive_stores_a_newer_push_and_acknowledges_what_it_holds() -> None:
    alice = IDENTITIES[0]
    node = member()
    push = Snapshot.of(Position(1, 2), b"job-1;").push(1, alice.node_id_hex)
    events = node.receive(seal(alice, push), 1.0)
    assert node.replica.snapshot.state == b"job-1;"
    assert Store(Snapshot.from_push(push)) in events
    late = Snapshot.of(Position(1, 1), b"").push(1, alice.node_id_hex)
    node.receive(seal(alice, late), 1.1)  # delayed: acknowledged, not installed
    assert node.replica.position == Position(1, 2)
    forged = SnapshotPush(1, alice.node_id_hex, Position(1, 3), bytes(32), b"tampered")
    with pytest.raises(CoordinationError, match="does not match its SHA-256"):
        node.receive(seal(alice, forged), 1.2)
    assert node.replica.position == Position(1, 2)


def test_a_write_commits_only_once_a_majority_holds_it() -> None:
    cluster = Cluster(5, seed=5)
    primary = cluster.run_until_settled(limit=20.0)
    assert primary is not None
    others = [node_id for node_id in cluster.ids if node_id != primary]
    cluster.partition({primary, others[0]}, set(others[1:]))
    position = cluster.write(b"job-1")
    cluster.run_until(cluster.now + 0.5)
    assert position is not None
    assert cluster.nodes[primary].committed != position
    assert all(commit.position != position for commit in cluster.commits)
    cluster.partition({primary, *others[:2]}, set(others[2:]))
    cluster.run_until(cluster.now + 1.5)  # before the cut-off pair can elect anyone
    assert cluster.nodes[primary].committed == position


@pytest.mark.parametrize("seed", range(3))
def test_acknowledged_writes_survive_the_primarys_death(seed: int) -> None:
    cluster = Cluster(3, seed)
    for number in (1, 2, 3):
        primary = cluster.run_until_settled(limit=cluster.now + 20.0)
        assert primary is not None
        cluster.write(b"job-%d" % number)
        cluster.run_until(cluster.now + 0.3)
        cluster.kill(primary)
        cluster.run_until(cluster.now + FAILOVER)
        cluster.start(primary)
    survivor = cluster.run_until_settled(limit=cluster.now + 20.0)
    assert survivor is not None
    final = cluster.nodes[survivor].replica.snapshot.state
    assert final == b"job-1;job-2;job-3;"
    acknowledged = [commit.state for commit in cluster.commits if commit.state]
    assert acknowledged
    assert all(final.startswith(state) for state in acknowledged)
