"""The coordinator role machine: elections, step-down, restarts, refusals, and a simulated
network with drops, delays, partitions and crashes for safety and liveness."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.config import CoordinatorSettings
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ConfigError, CoordinationError, NotPrimaryError, SignatureError
from paraloom.node.coordination import (
    Committed,
    Coordinator,
    Event,
    Persist,
    PersistentState,
    Role,
    RoleChanged,
    Send,
    Store,
)
from paraloom.node.messages import (
    Heartbeat,
    Message,
    Position,
    Signed,
    SnapshotAck,
    SnapshotPush,
    VoteReply,
    VoteRequest,
    open_message,
    seal,
)
from paraloom.node.replication import GENESIS, Snapshot

from .simulator import IDENTITIES, SETTINGS, Cluster, Faults, membership

ALICE, BOB, CAROL = IDENTITIES[:3]
MEMBERS = membership(3)
FAILOVER = SETTINGS.failover_after
BEAT = SETTINGS.heartbeat_interval
JITTER = BEAT  # the default election jitter
FRESH = PersistentState()
NOTHING = Position(0, 0)


def member(
    identity: NodeIdentity = CAROL,
    now: float = 0.0,
    persisted: PersistentState = FRESH,
    snapshot: Snapshot = GENESIS,
    size: int = 3,
) -> Coordinator:
    return Coordinator(
        identity,
        membership(size),
        SETTINGS,
        now=now,
        jitter=lambda: 0.0,
        persisted=persisted,
        snapshot=snapshot,
    )


def sent(events: list[Event]) -> list[tuple[tuple[str, ...], Message]]:
    """The messages among ``events``, opened as any third member would."""
    outsider = IDENTITIES[4].node_id_hex
    return [
        (event.recipients, open_message(event.data, membership(5), outsider))
        for event in events
        if isinstance(event, Send)
    ]


def only(events: list[Event], kind: type) -> list[object]:
    return [event for event in events if isinstance(event, kind)]


def beat(term: int, sequence: int = 1, by: NodeIdentity = ALICE) -> bytes:
    return seal(by, Heartbeat(term, by.node_id_hex, sequence, Position(term, 1)))


def ask(term: int, by: NodeIdentity = ALICE, snapshot: Position = NOTHING) -> bytes:
    return seal(by, VoteRequest(term, by.node_id_hex, snapshot))


def grant(term: int, candidate: NodeIdentity = CAROL, by: NodeIdentity = ALICE) -> bytes:
    return seal(by, VoteReply(term, by.node_id_hex, candidate.node_id_hex, True))


def make_primary(node: Coordinator, now: float = FAILOVER) -> list[Event]:
    events = node.tick(now)
    return events + node.receive(grant(node.term), now)


# -- elections ----------------------------------------------------------------------------


def test_a_silent_primary_makes_a_passive_stand_in_the_next_term() -> None:
    node = member(persisted=PersistentState(4, None))
    assert node.role is Role.PASSIVE
    assert node.tick(FAILOVER - 0.01) == []
    events = node.tick(FAILOVER)
    assert events[:2] == [
        Persist(PersistentState(5, CAROL.node_id_hex)),
        RoleChanged(Role.CANDIDATE, 5, None),
    ]
    [(recipients, request)] = sent(events)
    assert set(recipients) == {ALICE.node_id_hex, BOB.node_id_hex}
    assert request == VoteRequest(5, CAROL.node_id_hex, Position(0, 0))


def test_a_majority_of_votes_wins_and_the_primary_restamps_and_beats() -> None:
    node = member()
    node.tick(FAILOVER)
    events = node.receive(grant(1), FAILOVER + 0.1)
    assert events[0] == RoleChanged(Role.PRIMARY, 1, CAROL.node_id_hex)
    assert only(events, Store) == [Store(Snapshot.of(Position(1, 1), b""))]
    kinds = [type(message) for _, message in sent(events)]
    assert kinds == [SnapshotPush, Heartbeat]
    assert node.tick(FAILOVER + 0.1 + BEAT - 0.01) == []
    [(_, heartbeat)] = sent(node.tick(FAILOVER + 0.1 + BEAT))
    assert heartbeat == Heartbeat(1, CAROL.node_id_hex, 2, Position(1, 1))


def test_denied_and_foreign_votes_do_not_count() -> None:
    node = member()
    node.tick(FAILOVER)
    denial = seal(ALICE, VoteReply(1, ALICE.node_id_hex, CAROL.node_id_hex, False))
    elsewhere = seal(ALICE, VoteReply(1, ALICE.node_id_hex, BOB.node_id_hex, True))
    for reply in (denial, elsewhere):
        assert node.receive(reply, FAILOVER) == []
    assert node.role is Role.CANDIDATE
    assert node.receive(grant(1, by=BOB), FAILOVER)[0] == RoleChanged(
        Role.PRIMARY, 1, CAROL.node_id_hex
    )


def test_an_inconclusive_election_retries_after_a_beat_and_a_fresh_jitter() -> None:
    draws = iter([0.0, 0.5, 0.25, 0.0])
    node = Coordinator(CAROL, MEMBERS, SETTINGS, now=0.0, jitter=lambda: next(draws))
    node.tick(FAILOVER)
    retry = FAILOVER + BEAT + 0.5 * JITTER
    assert node.tick(retry - 0.01) == []
    events = node.tick(retry)
    assert events[0] == Persist(PersistentState(2, CAROL.node_id_hex))
    assert (node.role, node.term) == (Role.CANDIDATE, 2)
    assert node.tick(retry + BEAT + 0.25 * JITTER - 0.01) == []
    assert node.tick(retry + BEAT + 0.25 * JITTER)[0] == Persist(
        PersistentState(3, CAROL.node_id_hex)
    )


def test_a_candidate_told_of_a_higher_term_keeps_its_retry_deadline() -> None:
    held = Snapshot.of(Position(2, 5), b"committed jobs")
    node = member(snapshot=held, persisted=PersistentState(2, None))
    node.tick(FAILOVER)
    denied = node.receive(ask(4, ALICE, Position(2, 4)), FAILOVER + 0.1)
    assert (node.role, node.term, node.voted_for) == (Role.PASSIVE, 4, None)
    assert sent(denied)[0][1] == VoteReply(4, CAROL.node_id_hex, ALICE.node_id_hex, False)
    assert node.tick(FAILOVER + BEAT - 0.01) == []
    assert node.tick(FAILOVER + BEAT)[1] == RoleChanged(Role.CANDIDATE, 5, None)


def test_a_candidate_that_finds_the_primary_waits_a_full_failover() -> None:
    node = member()
    node.tick(FAILOVER)
    push = Snapshot.of(Position(1, 1), b"").push(1, ALICE.node_id_hex)
    node.receive(seal(ALICE, push), FAILOVER + 0.5)
    assert node.primary == ALICE.node_id_hex
    assert node.tick(2 * FAILOVER + 0.5 - 0.01) == []
    assert node.tick(2 * FAILOVER + 0.5)[1] == RoleChanged(Role.CANDIDATE, 2, None)


def test_a_deposed_primary_waits_a_full_failover_before_standing() -> None:
    node = member()
    make_primary(node)
    node.receive(seal(BOB, VoteReply(5, BOB.node_id_hex, ALICE.node_id_hex, False)), 5.0)
    assert node.tick(5.0 + FAILOVER - 0.01) == []
    assert node.tick(5.0 + FAILOVER)[1] == RoleChanged(Role.CANDIDATE, 6, None)


def test_a_lone_member_is_primary_at_once_and_commits_its_own_writes() -> None:
    node = member(size=1, identity=ALICE)
    events = node.tick(FAILOVER)
    assert only(events, Committed) == [Committed(Position(1, 1))]
    position, written = node.propose(b"job", FAILOVER)
    assert position == Position(1, 2)
    assert only(written, Committed) == [Committed(position)]
    assert node.committed == position
    assert sent(written) == []


def test_a_member_votes_once_per_term_and_persists_the_vote_first() -> None:
    node = member()
    events = node.receive(ask(1, ALICE), 0.5)
    assert events[:2] == [
        Persist(PersistentState(1, None)),
        Persist(PersistentState(1, ALICE.node_id_hex)),
    ]
    assert sent(events)[0][1] == VoteReply(1, CAROL.node_id_hex, ALICE.node_id_hex, True)
    denied = node.receive(ask(1, BOB), 0.6)
    assert sent(denied)[0][1] == VoteReply(1, CAROL.node_id_hex, BOB.node_id_hex, False)
    again = node.receive(ask(1, ALICE), 0.7)
    assert only(again, Persist) == []
    assert sent(again)[0][1] == VoteReply(1, CAROL.node_id_hex, ALICE.node_id_hex, True)


def test_a_restarted_member_keeps_its_vote() -> None:
    node = member(persisted=PersistentState(1, ALICE.node_id_hex))
    [(_, reply)] = sent(node.receive(ask(1, BOB), 0.0))
    assert reply == VoteReply(1, CAROL.node_id_hex, BOB.node_id_hex, False)


def test_a_candidate_behind_the_voters_snapshot_is_denied() -> None:
    held = Snapshot.of(Position(2, 5), b"committed jobs")
    node = member(snapshot=held, persisted=PersistentState(2, None))
    for behind in (Position(2, 4), Position(1, 9)):
        [(_, reply)] = sent(node.receive(ask(3, ALICE, behind), 0.0))
        assert reply == VoteReply(3, CAROL.node_id_hex, ALICE.node_id_hex, False)
    assert node.voted_for is None
    [(_, reply)] = sent(node.receive(ask(3, BOB, Position(2, 5)), 0.0))
    assert reply == VoteReply(3, CAROL.node_id_hex, BOB.node_id_hex, True)


def test_stale_requests_are_denied_with_the_current_term() -> None:
    node = member(persisted=PersistentState(7, None))
    [(_, reply)] = sent(node.receive(ask(6), 0.0))
    assert reply == VoteReply(7, CAROL.node_id_hex, ALICE.node_id_hex, False)


# -- following and stepping down ----------------------------------------------------------


def test_heartbeats_postpone_the_election_but_replays_do_not() -> None:
    node = member()
    events = node.receive(beat(1), 2.0)
    assert RoleChanged(Role.PASSIVE, 1, ALICE.node_id_hex) in events
    assert [type(m) for _, m in sent(events)] == [SnapshotAck]
    assert node.tick(2.0 + FAILOVER - 0.01) == []
    assert node.announced == Position(1, 1)
    node.receive(beat(1), 4.0)  # the same beat again
    assert node.tick(2.0 + FAILOVER)[1] == RoleChanged(Role.CANDIDATE, 2, None)


def test_a_candidate_yields_to_a_primary_of_its_term() -> None:
    node = member()
    node.tick(FAILOVER)
    events = node.receive(beat(1), FAILOVER)
    assert RoleChanged(Role.PASSIVE, 1, ALICE.node_id_hex) in events
    assert node.voted_for == CAROL.node_id_hex  # its vote in term 1 stays spent


@pytest.mark.parametrize(
    "newer",
    [
        beat(5, by=BOB),
        ask(5, BOB),
        seal(BOB, SnapshotAck(5, BOB.node_id_hex, Position(0, 0))),
        seal(BOB, VoteReply(5, BOB.node_id_hex, ALICE.node_id_hex, False)),
    ],
)
def test_a_stale_primary_steps_down_on_any_higher_term(newer: bytes) -> None:
    node = member()
    make_primary(node)
    assert (node.role, node.term) == (Role.PRIMARY, 1)
    events = node.receive(newer, 5.0)
    assert events[:2] == [Persist(PersistentState(5, None)), RoleChanged(Role.PASSIVE, 5, None)]
    assert node.role is not Role.PRIMARY
    assert node.committed is None
    with pytest.raises(NotPrimaryError, match="not primary"):
        node.propose(b"late write", 5.0)


def test_members_answer_a_stale_primary_with_their_term() -> None:
    node = member(persisted=PersistentState(4, None))
    stale_push = Snapshot.of(Position(2, 3), b"old").push(2, ALICE.node_id_hex)
    for stale in (beat(2), seal(ALICE, stale_push)):
        [(recipients, ack)] = sent(node.receive(stale, 1.0))
        assert recipients == (ALICE.node_id_hex,)
        assert ack == SnapshotAck(4, CAROL.node_id_hex, Position(0, 0))
    assert node.replica.position == Position(0, 0)
    assert node.primary is None


def test_two_primaries_in_one_term_are_refused() -> None:
    node = member()
    make_primary(node)
    with pytest.raises(CoordinationError, match="claims to be primary of term 1"):
        node.receive(beat(1), 4.0)


def test_a_write_elsewhere_names_the_primary() -> None:
    node = member()
    with pytest.raises(NotPrimaryError, match="no primary is known"):
        node.propose(b"job", 0.0)
    node.receive(beat(1), 0.0)
    with pytest.raises(NotPrimaryError, match=ALICE.node_id_hex):
        node.propose(b"job", 0.0)


# -- refusals -----------------------------------------------------------------------------


def test_forged_and_unsigned_messages_change_nothing() -> None:
    node = member()
    forged = msgspec.msgpack.encode(
        Signed(Heartbeat(9, ALICE.node_id_hex, 1, Position(9, 1)), BOB.sign(b"anything"))
    )
    unsigned = msgspec.msgpack.encode(
        Signed(VoteRequest(9, ALICE.node_id_hex, Position(9, 9)), bytes(64))
    )
    for data in (forged, unsigned):
        with pytest.raises(SignatureError):
            node.receive(data, 1.0)
    outsider = IDENTITIES[4]
    with pytest.raises(CoordinationError):
        node.receive(ask(9, outsider), 1.0)
    assert (node.term, node.voted_for, node.role) == (0, None, Role.PASSIVE)


def test_bad_settings_and_jitter_are_refused() -> None:
    with pytest.raises(ConfigError, match="heartbeat_interval must be shorter"):
        Coordinator(
            CAROL,
            MEMBERS,
            CoordinatorSettings(heartbeat_interval=3.0, failover_after=3.0),
            now=0.0,
            jitter=lambda: 0.0,
        )
    with pytest.raises(ConfigError, match="jitter must be >= 0"):
        Coordinator(CAROL, MEMBERS, SETTINGS, now=0.0, jitter=lambda: 0.0, election_jitter=-1)
    with pytest.raises(CoordinationError, match="not \\[0, 1\\)"):
        Coordinator(CAROL, MEMBERS, SETTINGS, now=0.0, jitter=lambda: 1.0)
    with pytest.raises(CoordinationError, match="not in the coordinator set"):
        Coordinator(IDENTITIES[4], MEMBERS, SETTINGS, now=0.0, jitter=lambda: 0.0)


def test_the_jitter_spreads_the_deadline() -> None:
    node = Coordinator(CAROL, MEMBERS, SETTINGS, now=0.0, jitter=lambda: 0.5)
    assert node.tick(FAILOVER + 0.5 * JITTER - 0.01) == []
    node.tick(FAILOVER + 0.5 * JITTER)
    assert node.role is Role.CANDIDATE


# -- the simulated network ----------------------------------------------------------------


def assert_safe(cluster: Cluster) -> None:
    """At most one primary per term, and every primary holds every earlier commit."""
    terms = [election.term for election in cluster.elections]
    assert len(terms) == len(set(terms)), cluster.elections
    for commit in cluster.commits:
        for election in cluster.elections:
            if election.term > commit.position.term:
                assert election.snapshot.state.startswith(commit.state)
                assert election.snapshot.position > commit.position


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("size", [3, 5])
def test_a_killed_primary_is_replaced_within_the_failover_bound(size: int, seed: int) -> None:
    cluster = Cluster(size, seed)
    first = cluster.run_until_settled(limit=20.0)
    assert first is not None
    killed_at = cluster.now
    cluster.kill(first)
    bound = killed_at + BEAT + FAILOVER + JITTER + 3 * BEAT
    second = cluster.run_until_settled(limit=bound)
    assert second is not None
    assert second != first
    assert cluster.now - killed_at < 10.0  # the failover target
    assert_safe(cluster)


@pytest.mark.parametrize("size", [3, 5])
def test_failover_stays_short_when_messages_are_lost(size: int) -> None:
    """A lost vote costs a retry (a beat plus jitter), not another full failover wait."""
    bound = BEAT + FAILOVER + JITTER + 4 * (BEAT + JITTER)
    for seed in range(40):
        cluster = Cluster(size, seed, Faults(drop=0.1, max_delay=0.2))
        assert cluster.run_until_settled(limit=30.0) is not None
        took = cluster.fail_over(limit=30.0)
        assert took is not None
        assert took < bound, (seed, took)
        assert_safe(cluster)


def test_a_partitioned_primary_steps_down_once_it_hears_the_higher_term() -> None:
    cluster = Cluster(5, seed=7)
    old = cluster.run_until_settled(limit=20.0)
    assert old is not None
    rest = set(cluster.ids) - {old}
    cluster.partition({old}, rest)
    cluster.run_until(cluster.now + 10.0)
    assert cluster.nodes[old].role is Role.PRIMARY  # nothing has told it otherwise yet
    majority_primary = cluster.primary()
    assert majority_primary is not None
    assert majority_primary != old
    cluster.heal()
    settled = cluster.run_until_settled(limit=cluster.now + BEAT + 0.2)
    assert settled == majority_primary
    assert cluster.nodes[old].role is Role.PASSIVE
    assert cluster.nodes[old].term == cluster.nodes[settled].term
    assert_safe(cluster)


def test_a_restarted_primary_rejoins_as_a_passive() -> None:
    cluster = Cluster(3, seed=3)
    old = cluster.run_until_settled(limit=20.0)
    assert old is not None
    cluster.write(b"job-1")
    cluster.run_until(cluster.now + 1.0)
    cluster.kill(old)
    cluster.run_until(cluster.now + 8.0)
    restarted = cluster.start(old)
    assert restarted.role is Role.PASSIVE
    assert restarted.persistent == cluster.disks[old].state
    assert restarted.replica.snapshot.state == b"job-1;"
    new = cluster.run_until_settled(limit=cluster.now + 2 * BEAT)
    assert new is not None
    assert new != old
    cluster.run_until(cluster.now + BEAT)  # its answer to a heartbeat shows it lags: a push
    assert cluster.nodes[old].replica.position == cluster.nodes[new].replica.position
    assert_safe(cluster)


def test_a_candidate_missing_committed_state_cannot_win() -> None:
    cluster = Cluster(3, seed=11)
    first = cluster.run_until_settled(limit=20.0)
    assert first is not None
    behind = next(node_id for node_id in cluster.ids if node_id != first)
    cluster.partition({behind}, set(cluster.ids) - {behind})
    cluster.write(b"job-1")
    cluster.run_until(cluster.now + 1.0)
    assert cluster.commits
    assert cluster.commits[-1].state == b"job-1;"
    cluster.kill(first)
    cluster.run_until(cluster.now + 10.0)  # the cut-off member has stood, alone, meanwhile
    assert cluster.candidacies[behind] > 0
    cluster.heal()
    winner = cluster.run_until_settled(limit=cluster.now + 30.0)
    assert winner is not None
    assert winner != behind
    assert all(election.node_id != behind for election in cluster.elections)
    assert cluster.nodes[behind].replica.snapshot.state == b"job-1;"
    assert_safe(cluster)


Action = tuple[float, str, int, set[int]]
fault_actions = st.lists(
    st.tuples(
        st.floats(0.0, 40.0),
        st.sampled_from(["kill", "kill primary", "restart", "partition", "heal", "write", "write"]),
        st.integers(0, 4),
        st.sets(st.integers(0, 4), max_size=4),
    ),
    max_size=16,
)


@settings(max_examples=100)
@given(
    size=st.sampled_from([3, 4, 5]),
    seed=st.integers(0, 2**32 - 1),
    drop=st.floats(0.0, 0.3),
    max_delay=st.floats(0.01, 1.0),
    actions=fault_actions,
)
def test_safety_under_drops_delays_partitions_and_crashes(
    size: int,
    seed: int,
    drop: float,
    max_delay: float,
    actions: list[tuple[float, str, int, set[int]]],
) -> None:
    cluster = Cluster(size, seed, Faults(drop=drop, max_delay=max_delay))
    writes = 0
    for at, action, index, group in sorted(actions, key=lambda item: item[0]):
        cluster.run_until(at)
        node_id = cluster.ids[index % size]
        if action == "kill":
            cluster.kill(node_id)
        elif action == "kill primary" and (primary := cluster.primary()) is not None:
            cluster.kill(primary)
        elif action == "restart" and node_id not in cluster.nodes:
            cluster.start(node_id)
        elif action == "partition":
            side = {cluster.ids[i % size] for i in group}
            cluster.partition(side, set(cluster.ids) - side)
        elif action == "heal":
            cluster.heal()
        elif action == "write":
            writes += 1
            cluster.write(b"job-%d" % writes)
        assert_safe(cluster)
    cluster.heal()
    cluster.faults = Faults()
    for node_id in cluster.ids:
        if node_id not in cluster.nodes:
            cluster.start(node_id)
    settled = cluster.run_until_settled(limit=cluster.now + 60.0)
    assert settled is not None, "no primary after the network healed"
    assert_safe(cluster)
    final = cluster.nodes[settled].replica.snapshot.state
    assert all(final.startswith(commit.state) for commit in cluster.commits)
