"""Result agreement over random honest, faulty and silent cohorts."""

from __future__ import annotations

import hashlib
import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from paraloom.compute.agreement import (
    Agreed,
    Failure,
    NoAgreement,
    Reply,
    Undecided,
    Vote,
    quorum,
    tally,
)
from paraloom.errors import DistributionError, JobStateError

HONEST = hashlib.sha256(b"the right output").digest()
WRONG = hashlib.sha256(b"a wrong output").digest()
OTHER = hashlib.sha256(b"another wrong output").digest()


def test_quorum_examples_from_the_seeds() -> None:
    assert [quorum(k) for k in (1, 2, 3, 4, 10)] == [1, 2, 2, 3, 7]


@given(st.integers(min_value=1, max_value=10_000))
def test_quorum_is_ceil_two_thirds_and_a_strict_majority(k: int) -> None:
    q = quorum(k)
    assert q == math.ceil(Fraction(2 * k, 3))
    assert 2 * q > k
    assert q <= k


def test_quorum_of_an_empty_cohort_is_refused() -> None:
    with pytest.raises(DistributionError):
        quorum(0)


def test_two_of_three_agree_and_the_third_dissents() -> None:
    outcome = tally(["a", "b", "c"], {"a": HONEST, "b": WRONG, "c": HONEST})
    assert outcome == Agreed(
        HONEST, frozenset("ac"), frozenset("b"), silent=frozenset(), pending=frozenset()
    )


def test_agreement_is_reached_before_the_last_reply() -> None:
    outcome = tally(["a", "b", "c"], {"a": HONEST, "c": HONEST})
    assert isinstance(outcome, Agreed)
    assert outcome.pending == frozenset("b")


def test_one_reply_of_three_is_undecided() -> None:
    assert tally(["a", "b", "c"], {"a": HONEST}) == Undecided(frozenset("bc"))


def test_three_different_results_do_not_agree() -> None:
    outcome = tally(["a", "b", "c"], {"a": HONEST, "b": WRONG, "c": OTHER})
    assert outcome == NoAgreement(frozenset("abc"), frozenset(), frozenset())


def test_a_tie_does_not_agree() -> None:
    replies: dict[str, Reply] = {"a": HONEST, "b": HONEST, "c": WRONG, "d": WRONG}
    assert tally(list("abcd"), replies) == NoAgreement(frozenset("abcd"), frozenset(), frozenset())


def test_silence_decides_early_and_a_lone_vote_is_no_dissent() -> None:
    outcome = tally(["a", "b", "c"], {"a": None, "b": None})
    assert outcome == NoAgreement(frozenset(), frozenset("ab"), frozenset("c"))
    outcome = tally(["a", "b", "c"], {"a": HONEST, "b": None, "c": None})
    assert outcome == NoAgreement(frozenset(), frozenset("bc"), frozenset())


def test_an_agreed_failure_is_a_verdict() -> None:
    trap = Failure("out of fuel")
    outcome = tally(["a", "b", "c"], {"a": trap, "b": Failure("out of fuel"), "c": HONEST})
    assert isinstance(outcome, Agreed)
    assert outcome.verdict == trap
    assert outcome.dissenting == frozenset("c")


def test_different_failures_do_not_agree() -> None:
    replies: dict[str, Reply] = {"a": Failure("trap"), "b": Failure("out of fuel"), "c": None}
    assert isinstance(tally(["a", "b", "c"], replies), NoAgreement)


def test_a_reply_from_outside_the_cohort_is_refused() -> None:
    with pytest.raises(JobStateError, match="outside the cohort: z"):
        tally(["a", "b", "c"], {"a": HONEST, "z": HONEST})


@pytest.mark.parametrize("cohort", [[], ["a", "a", "b"]])
def test_a_cohort_must_be_distinct_and_non_empty(cohort: list[str]) -> None:
    with pytest.raises(DistributionError, match="distinct validators"):
        tally(cohort, {})


WRONG_VOTES: list[Vote] = [WRONG, OTHER, Failure("trap")]
faulty_votes = st.one_of(st.sampled_from(WRONG_VOTES), st.binary(min_size=32, max_size=32))


@st.composite
def cohorts(draw: st.DrawFn) -> tuple[list[str], dict[str, Reply], set[str], set[str]]:
    """A cohort of honest (vote HONEST), faulty (vote anything) and silent or pending nodes."""
    size = draw(st.integers(min_value=1, max_value=10))
    roles = draw(st.lists(st.sampled_from("hfsp"), min_size=size, max_size=size))
    cohort = [f"n{i}" for i in range(size)]
    replies: dict[str, Reply] = {}
    for node, role in zip(cohort, roles, strict=True):
        if role == "h":
            replies[node] = HONEST
        elif role == "f":
            replies[node] = draw(faulty_votes)
        elif role == "s":
            replies[node] = None
    honest = {n for n, r in zip(cohort, roles, strict=True) if r == "h"}
    faulty = {n for n, r in zip(cohort, roles, strict=True) if r == "f"}
    return cohort, replies, honest, faulty


@given(cohorts())
def test_a_faulty_minority_never_wins(
    case: tuple[list[str], dict[str, Reply], set[str], set[str]],
) -> None:
    cohort, replies, honest, faulty = case
    assume(len(faulty) < quorum(len(cohort)))
    outcome = tally(cohort, replies)
    if isinstance(outcome, Agreed):
        assert outcome.verdict == HONEST
        assert honest <= outcome.agreeing


@given(cohorts())
def test_an_honest_quorum_always_agrees(
    case: tuple[list[str], dict[str, Reply], set[str], set[str]],
) -> None:
    cohort, replies, honest, _ = case
    assume(len(honest) >= quorum(len(cohort)))
    outcome = tally(cohort, replies)
    assert isinstance(outcome, Agreed)
    assert outcome.verdict == HONEST


@given(cohorts(), st.data())
def test_an_early_verdict_is_final(
    case: tuple[list[str], dict[str, Reply], set[str], set[str]], data: st.DataObject
) -> None:
    """More replies never overturn a verdict, and a complete tally is never undecided."""
    cohort, replies, _, _ = case
    early = tally(cohort, replies)
    complete = dict(replies)
    for node in cohort:
        if node not in complete:
            complete[node] = data.draw(st.one_of(st.none(), faulty_votes, st.just(HONEST)))
    late = tally(cohort, complete)
    assert not isinstance(late, Undecided)
    if isinstance(early, Agreed):
        assert isinstance(late, Agreed)
        assert late.verdict == early.verdict
    if isinstance(early, NoAgreement):
        assert isinstance(late, NoAgreement)


@given(cohorts())
def test_every_member_is_in_exactly_one_group(
    case: tuple[list[str], dict[str, Reply], set[str], set[str]],
) -> None:
    cohort, replies, _, _ = case
    outcome = tally(cohort, replies)
    if isinstance(outcome, Undecided):
        assert outcome.pending == frozenset(cohort) - set(replies)
        return
    groups = [outcome.dissenting, outcome.silent, outcome.pending]
    if isinstance(outcome, Agreed):
        groups.append(outcome.agreeing)
    voters = {n for n, r in replies.items() if r is not None}
    if isinstance(outcome, NoAgreement) and not outcome.dissenting:
        groups.append(frozenset(voters))
    assert sorted(n for group in groups for n in group) == sorted(cohort)
