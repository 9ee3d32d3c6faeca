"""The coordinator's withdrawal round: threshold, early rejection, timeout, equivocation,
refusals and the reputation it settles."""

from __future__ import annotations

import functools
import random
from collections import Counter
from dataclasses import dataclass, field

import msgspec
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from paraloom.compute.jobs import ReputationChange
from paraloom.compute.reputation import Outcome, ReputationTracker
from paraloom.config import ConsensusSettings, ReputationSettings
from paraloom.consensus.evidence import EquivocationEvidence, verify_evidence
from paraloom.consensus.rounds import (
    Decided,
    Event,
    Round,
    RoundOutcome,
    VotesRequested,
    approvals_needed,
)
from paraloom.consensus.validators import ValidatorSet
from paraloom.consensus.votes import Decision, Vote, sign_vote
from paraloom.errors import ConsensusError, VoteError

from .support import identities, sample_request, validator_set

SETTINGS = ConsensusSettings()
TIMEOUT = 30.0
REQUEST = sample_request()
A, R, X = Decision.APPROVE, Decision.REJECT, Decision.ABSTAIN


@functools.cache
def vote(index: int, decision: Decision, request_id: bytes = REQUEST.request_id) -> Vote:
    """Validator ``index``'s vote (deterministic signatures, so caching changes nothing)."""
    return sign_vote(identities()[index], request_id, decision, reason=decision.value)


def start(n: int, now: float = 0.0, settings: ConsensusSettings = SETTINGS) -> Round:
    round_, events = Round.start(REQUEST, validator_set(identities()[:n]), settings, now)
    assert events == [
        VotesRequested(REQUEST.request_id, 1, round_.validators.node_ids, now + TIMEOUT)
    ]
    return round_


def decided(events: list[Event]) -> list[Decided]:
    return [event for event in events if isinstance(event, Decided)]


def reputation(events: list[Event]) -> Counter[tuple[str, Outcome]]:
    return Counter(
        (event.node_id, event.outcome) for event in events if isinstance(event, ReputationChange)
    )


def hex_id(index: int) -> str:
    return identities()[index].node_id_hex


# -- the threshold -------------------------------------------------------------------------


def test_default_threshold_is_seven_of_ten() -> None:
    assert SETTINGS.approval_fraction == 0.7
    assert SETTINGS.vote_timeout == TIMEOUT
    assert approvals_needed(0.7, 10) == 7


@given(st.integers(1, 10_000))
def test_needed_is_the_exact_ceiling_of_seven_tenths(n: int) -> None:
    """Integer arithmetic as the oracle: binary 0.7·N overshoots for some N."""
    assert approvals_needed(0.7, n) == (7 * n + 9) // 10


@given(st.integers(50, 100), st.integers(1, 1000))
@example(55, 100)  # binary 0.55 * 100 is 55.00000000000001
@example(54, 450)
def test_needed_for_any_two_decimal_fraction(percent: int, n: int) -> None:
    assert approvals_needed(percent / 100, n) == (percent * n + 99) // 100


def test_a_round_needs_validators() -> None:
    with pytest.raises(ConsensusError, match="at least one registered validator"):
        Round.start(REQUEST, ValidatorSet(), SETTINGS, 0.0)


# -- outcomes ------------------------------------------------------------------------------

ballots = st.lists(st.sampled_from([A, R, X, None]), min_size=1, max_size=16)


@given(ballots, st.randoms(use_true_random=False))
def test_approved_iff_enough_approve(ballot: list[Decision | None], rng: random.Random) -> None:
    """Each validator votes its ballot entry (None: silent), in a random order, in time."""
    n = len(ballot)
    needed = (7 * n + 9) // 10
    round_ = start(n)
    order = [i for i, d in enumerate(ballot) if d is not None]
    rng.shuffle(order)
    events: list[Event] = []
    for step, index in enumerate(order):
        decision = ballot[index]
        assert decision is not None
        events += round_.vote(vote(index, decision), now=step * 0.1)
    events += round_.tick(TIMEOUT)
    [decision_event] = decided(events)
    approvals = ballot.count(A)
    silent = ballot.count(None)
    if approvals >= needed:
        expected = RoundOutcome.APPROVED
    elif approvals + silent < needed:
        expected = RoundOutcome.REJECTED
    else:
        expected = RoundOutcome.TIMEOUT
    assert decision_event.outcome is expected
    assert round_.outcome is expected
    counted = [v.decision for v in decision_event.votes]
    if expected is RoundOutcome.APPROVED:  # decided by the very vote that reached the threshold
        assert counted.count(A) == needed
    if expected is RoundOutcome.REJECTED:  # decided when approval just became impossible
        assert counted.count(A) + n - len(counted) == needed - 1
    assert [v.voter for v in decision_event.votes] == sorted(v.voter for v in decision_event.votes)


@given(
    n=st.integers(1, 30),
    valid=st.booleans(),
    data=st.data(),
)
def test_a_faulty_minority_cannot_decide_against_the_honest(
    n: int, valid: bool, data: st.DataObject
) -> None:
    """f < 0.3·N faulty validators vote anything, equivocate or stay silent, interleaved with
    the honest; a valid withdrawal is still approved and an invalid one rejected, in time."""
    f = data.draw(st.integers(0, (3 * n - 1) // 10), label="faulty")
    honest = A if valid else R
    actions = [(index, honest) for index in range(f, n)]
    for index in range(f):
        behaviour = data.draw(st.lists(st.sampled_from([A, R, X]), max_size=3))
        actions += [(index, decision) for decision in behaviour]
    actions = data.draw(st.permutations(actions), label="order")
    round_ = start(n)
    events: list[Event] = []
    for step, (index, decision) in enumerate(actions):
        events += round_.vote(vote(index, decision), now=step * 0.01)
    [decision_event] = decided(events)
    assert decision_event.outcome is (RoundOutcome.APPROVED if valid else RoundOutcome.REJECTED)
    assert decision_event.at < TIMEOUT


def test_early_rejection_then_stragglers_and_reject_consensus() -> None:
    """10 validators: the 4th rejection makes 7 approvals impossible; the round then waits
    for everyone before settling, and 7 rejections are a verdict to judge by."""
    round_ = start(10)
    events: list[Event] = []
    for index in range(4):
        events += round_.vote(vote(index, R), now=1.0)
    [rejected] = decided(events)
    assert rejected.outcome is RoundOutcome.REJECTED
    assert "approval impossible" in rejected.reason
    assert reputation(events) == Counter()  # not settled: six have yet to vote
    for index in range(4, 7):
        assert round_.vote(vote(index, R), now=2.0) == []
    assert round_.vote(vote(7, A), now=2.0) == []
    assert round_.vote(vote(8, X), now=2.0) == []
    final = round_.vote(vote(9, A), now=2.0)
    assert round_.settled
    expected = Counter({(hex_id(i), Outcome.CORRECT): 1 for i in range(7)})
    expected.update({(hex_id(i), Outcome.CONSENSUS_BONUS): 1 for i in range(7)})
    expected.update({(hex_id(i), Outcome.INCORRECT): 1 for i in (7, 9)})
    assert reputation(final) == expected
    assert round_.tick(TIMEOUT) == []


def test_approval_judges_everyone_and_the_tracker_applies_it() -> None:
    round_ = start(10)
    ballot = [A] * 7 + [R, X, None]
    events: list[Event] = []
    for index, decision in enumerate(ballot):
        if decision is not None:
            events += round_.vote(vote(index, decision), now=float(index))
    [approved] = decided(events)
    assert approved.outcome is RoundOutcome.APPROVED
    assert approved.at == 6.0
    assert not round_.settled
    events += round_.tick(TIMEOUT - 0.001)
    assert not round_.settled
    events += round_.tick(TIMEOUT)
    tracker = ReputationTracker(ReputationSettings())
    for event in events:
        if isinstance(event, ReputationChange):
            tracker.record(event.node_id, event.outcome, TIMEOUT)
    scores = [tracker.score(hex_id(i), TIMEOUT) for i in range(10)]
    assert scores == [1015.0] * 7 + [950.0, 1000.0, 970.0]


def test_without_a_verdict_only_silence_is_judged() -> None:
    """5 approve, 2 reject, 3 silent: a timeout, and nobody can tell who was right."""
    round_ = start(10)
    events: list[Event] = []
    for index, decision in enumerate([A] * 5 + [R] * 2):
        events += round_.vote(vote(index, decision), now=1.0)
    assert decided(events) == []
    assert round_.tick(29.9) == []
    events = round_.tick(30.5)
    [timed_out] = decided(events)
    assert timed_out.outcome is RoundOutcome.TIMEOUT
    assert "timed out after 30s" in timed_out.reason
    assert reputation(events) == Counter({(hex_id(i), Outcome.TIMEOUT): 1 for i in (7, 8, 9)})


def test_a_vote_after_the_deadline_does_not_count() -> None:
    round_ = start(1)
    events = round_.vote(vote(0, A), now=TIMEOUT)
    [timed_out] = decided(events)
    assert timed_out.outcome is RoundOutcome.TIMEOUT
    assert timed_out.votes == ()
    assert reputation(events) == Counter({(hex_id(0), Outcome.TIMEOUT): 1})
    assert round_.votes == ()


def test_a_configured_fraction_and_timeout_are_used() -> None:
    settings = ConsensusSettings(approval_fraction=0.5, vote_timeout=5.0)
    round_, events = Round.start(REQUEST, validator_set(identities()[:4]), settings, 100.0)
    assert events[0] == VotesRequested(REQUEST.request_id, 1, round_.validators.node_ids, 105.0)
    assert round_.vote(vote(0, A), now=101.0) == []
    [approved] = decided(round_.vote(vote(1, A), now=101.0))
    assert approved.outcome is RoundOutcome.APPROVED


# -- duplicates, equivocation, refusals --------------------------------------------------


def test_a_resent_vote_is_ignored() -> None:
    round_ = start(3)
    assert round_.vote(vote(0, A), now=0.0) == []
    assert round_.vote(vote(0, A), now=0.0) == []
    resent = sign_vote(identities()[0], REQUEST.request_id, A, reason="again", voted_at=9)
    assert round_.vote(resent, now=0.0) == []
    assert round_.votes == (vote(0, A),)


@pytest.mark.parametrize("second", [R, X])
def test_equivocation_yields_evidence_and_discards_the_vote(second: Decision) -> None:
    """3 validators need 3 approvals: discarding the equivocator makes approval impossible."""
    round_ = start(3)
    round_.vote(vote(0, A), now=0.0)
    events = round_.vote(vote(0, second), now=1.0)
    [evidence] = [e for e in events if isinstance(e, EquivocationEvidence)]
    verify_evidence(evidence)
    assert {evidence.first, evidence.second} == {vote(0, A), vote(0, second)}
    assert evidence.public_key == identities()[0].public_key
    [rejected] = decided(events)
    assert rejected.outcome is RoundOutcome.REJECTED
    assert rejected.votes == ()
    assert round_.vote(vote(0, A), now=1.0) == []  # an equivocator's later votes do not count
    events = round_.vote(vote(1, R), now=1.0) + round_.vote(vote(2, R), now=1.0)
    assert reputation(events)[(hex_id(0), Outcome.INCORRECT)] == 1


def test_equivocation_after_settlement_is_still_detected() -> None:
    round_ = start(1)
    round_.vote(vote(0, A), now=0.0)
    assert round_.settled
    [evidence] = round_.vote(vote(0, R), now=50.0)
    assert isinstance(evidence, EquivocationEvidence)
    assert round_.outcome is RoundOutcome.APPROVED


def test_votes_from_strangers_are_refused() -> None:
    round_ = start(3)
    with pytest.raises(VoteError, match="not a registered validator"):
        round_.vote(vote(5, A), now=0.0)
    assert round_.pending == frozenset(round_.validators.node_ids)


def test_votes_for_another_request_or_round_or_forged_are_refused() -> None:
    round_ = start(3)
    with pytest.raises(VoteError, match="for request"):
        round_.vote(vote(0, A, request_id=b"\x33" * 32), now=0.0)
    with pytest.raises(VoteError, match="round"):
        round_.vote(sign_vote(identities()[0], REQUEST.request_id, A, round=2), now=0.0)
    with pytest.raises(VoteError, match="bad signature"):
        round_.vote(msgspec.structs.replace(vote(0, R), decision=A), now=0.0)
    stolen = msgspec.structs.replace(vote(4, A), voter=identities()[0].node_id)
    with pytest.raises(VoteError, match="bad signature"):
        round_.vote(stolen, now=0.0)
    assert round_.votes == ()
    assert round_.outcome is None


# -- the model: any schedule of votes, resends, conflicts and time -------------------------


@dataclass
class Model:
    """An independent reading of the rules, replayed step by step."""

    n: int
    votes: dict[int, Decision] = field(default_factory=dict)
    equivocators: set[int] = field(default_factory=set)
    outcome: RoundOutcome | None = None
    judgement: Counter[tuple[str, Outcome]] | None = None

    @property
    def needed(self) -> int:
        return (7 * self.n + 9) // 10

    def pending(self) -> int:
        return self.n - len(self.votes) - len(self.equivocators)

    def step(self, at: float, index: int, decision: Decision) -> bool:
        """Apply one vote; True when it is equivocation."""
        self.deadline(at)
        if index in self.equivocators:
            return False
        if index in self.votes:
            if self.votes[index] == decision:
                return False
            del self.votes[index]
            self.equivocators.add(index)
            self.evaluate()
            return True
        if self.judgement is None:
            self.votes[index] = decision
            self.evaluate()
        return False

    def deadline(self, at: float) -> None:
        if at >= TIMEOUT:
            self.outcome = self.outcome or RoundOutcome.TIMEOUT
            self.settle()

    def evaluate(self) -> None:
        approvals = sum(d is A for d in self.votes.values())
        if self.outcome is None and approvals >= self.needed:
            self.outcome = RoundOutcome.APPROVED
        elif self.outcome is None and approvals + self.pending() < self.needed:
            self.outcome = RoundOutcome.REJECTED
        if self.outcome is not None and self.pending() == 0:
            self.settle()

    def settle(self) -> None:
        """Judge once; equivocation after this yields evidence but changes no reputation."""
        if self.judgement is None:
            self.judgement = self.judged()

    def judged(self) -> Counter[tuple[str, Outcome]]:
        rejections = sum(d is R for d in self.votes.values())
        verdict = None if rejections < self.needed else R
        if self.outcome is RoundOutcome.APPROVED:
            verdict = A
        result: Counter[tuple[str, Outcome]] = Counter()
        for index in range(self.n):
            decision = self.votes.get(index)
            if index in self.equivocators:
                result[(hex_id(index), Outcome.INCORRECT)] += 1
            elif decision is None:
                result[(hex_id(index), Outcome.TIMEOUT)] += 1
            elif verdict is not None and decision is verdict:
                result[(hex_id(index), Outcome.CORRECT)] += 1
                result[(hex_id(index), Outcome.CONSENSUS_BONUS)] += 1
            elif verdict is not None and decision is not X:
                result[(hex_id(index), Outcome.INCORRECT)] += 1
        return result


schedules = st.integers(1, 10).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.tuples(st.floats(0, 8), st.integers(0, n - 1), st.sampled_from([A, R, X])),
            max_size=3 * n,
        ),
    )
)


@given(schedules)
def test_any_schedule_follows_the_rules(
    schedule: tuple[int, list[tuple[float, int, Decision]]],
) -> None:
    n, steps = schedule
    round_, model = start(n), Model(n)
    events: list[Event] = []
    now = 0.0
    for gap, index, decision in steps:
        now += gap
        got = round_.vote(vote(index, decision), now)
        evidence = [e for e in got if isinstance(e, EquivocationEvidence)]
        assert len(evidence) == model.step(now, index, decision)
        for proof in evidence:
            verify_evidence(proof)
            assert proof.first.voter == identities()[index].node_id
        events += got
    events += round_.tick(max(now, TIMEOUT))
    model.deadline(max(now, TIMEOUT))
    assert [d.outcome for d in decided(events)] == [model.outcome]
    assert round_.outcome is model.outcome
    assert round_.settled
    assert reputation(events) == model.judgement
    counted = {v.voter for v in round_.votes}
    assert counted == {identities()[i].node_id for i in model.votes}
    assert round_.tick(max(now, TIMEOUT) + 1) == []
