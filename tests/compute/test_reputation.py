"""Reputation: the DESIGN §6 table, bounds under any history, decay from the clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.compute.reputation import SECONDS_PER_DAY, Outcome, ReputationTracker
from paraloom.config import ReputationSettings
from paraloom.errors import ConfigError

DAY = SECONDS_PER_DAY


def test_new_node_starts_at_initial() -> None:
    tracker = ReputationTracker(ReputationSettings())
    assert tracker.score("a", now=0.0) == 1000.0
    assert tracker.score("a", now=365 * DAY) == 1000.0


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (Outcome.CORRECT, 1010.0),
        (Outcome.CONSENSUS_BONUS, 1005.0),
        (Outcome.INCORRECT, 950.0),
        (Outcome.TIMEOUT, 970.0),
    ],
)
def test_design_table(outcome: Outcome, expected: float) -> None:
    tracker = ReputationTracker(ReputationSettings())
    assert tracker.record("a", outcome, now=0.0) == expected
    assert tracker.score("a", now=0.0) == expected
    assert tracker.score("b", now=0.0) == 1000.0


def test_changes_come_from_settings() -> None:
    settings = ReputationSettings(correct_vote=7, timeout=-3)
    tracker = ReputationTracker(settings)
    tracker.record("a", Outcome.CORRECT, now=0.0)
    assert tracker.record("a", Outcome.TIMEOUT, now=0.0) == 1004.0


def test_clamped_to_bounds() -> None:
    tracker = ReputationTracker(ReputationSettings(minimum=960, maximum=1012))
    tracker.record("up", Outcome.CORRECT, now=0.0)
    assert tracker.record("up", Outcome.CORRECT, now=0.0) == 1012.0
    assert tracker.record("down", Outcome.INCORRECT, now=0.0) == 960.0


def test_decay_per_day() -> None:
    tracker = ReputationTracker(ReputationSettings())
    tracker.record("a", Outcome.CORRECT, now=0.0)
    assert tracker.score("a", now=DAY) == pytest.approx(1008.99)
    expected = 1010.0
    for _ in range(30):
        expected -= expected / 1000
    assert tracker.score("a", now=30 * DAY) == pytest.approx(expected)


def test_decay_stops_at_minimum_and_never_adds_when_the_clock_steps_back() -> None:
    tracker = ReputationTracker(ReputationSettings())
    tracker.record("a", Outcome.TIMEOUT, now=10 * DAY)
    assert tracker.score("a", now=9 * DAY) == 970.0
    assert tracker.score("a", now=100_000 * DAY) == 100.0


def test_outcome_applies_to_the_decayed_score() -> None:
    tracker = ReputationTracker(ReputationSettings())
    tracker.record("a", Outcome.CORRECT, now=0.0)
    assert tracker.record("a", Outcome.CORRECT, now=DAY) == pytest.approx(1018.99)


@pytest.mark.parametrize(
    "fields", [{"minimum": 2000}, {"maximum": 500}, {"initial": 50}, {"minimum": 10, "maximum": 5}]
)
def test_inconsistent_bounds_are_refused(fields: dict[str, int]) -> None:
    with pytest.raises(ConfigError, match="minimum <= initial <= maximum"):
        ReputationTracker(ReputationSettings(**fields))


histories = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.sampled_from(list(Outcome)),
        st.floats(min_value=0.0, max_value=400 * DAY),
    ),
    max_size=60,
)


@given(histories)
def test_scores_stay_within_bounds(history: list[tuple[str, Outcome, float]]) -> None:
    settings = ReputationSettings()
    tracker = ReputationTracker(settings)
    now = 0.0
    for node_id, outcome, elapsed in history:
        now += elapsed
        value = tracker.record(node_id, outcome, now)
        assert settings.minimum <= value <= settings.maximum
        assert settings.minimum <= tracker.score("a", now) <= settings.maximum


@given(
    st.lists(st.sampled_from(list(Outcome)), min_size=1, max_size=30),
    st.floats(min_value=0.0, max_value=1000 * DAY),
    st.floats(min_value=0.0, max_value=1000 * DAY),
)
def test_decay_never_raises_a_score(outcomes: list[Outcome], first: float, second: float) -> None:
    tracker = ReputationTracker(ReputationSettings())
    for outcome in outcomes:
        tracker.record("a", outcome, now=0.0)
    earlier, later = sorted((first, second))
    assert tracker.score("a", later) <= tracker.score("a", earlier) <= tracker.score("a", 0.0)
