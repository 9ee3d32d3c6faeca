"""The validator pool: registration, heartbeats, stale removal at validator_timeout."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.registry import ValidatorRegistry, ValidatorStatus
from paraloom.compute.reputation import Outcome, ReputationTracker
from paraloom.config import ComputeSettings, ReputationSettings
from paraloom.errors import DistributionError

CAPACITY = ExecutionLimits(memory_limit=64 << 20, fuel=10**9, timeout=30.0)
STATUS = ValidatorStatus(CAPACITY, load=0.25, latency=0.02)


def make_registry() -> ValidatorRegistry:
    return ValidatorRegistry(ComputeSettings(), ReputationTracker(ReputationSettings()))


def test_registered_validator_is_available_with_its_status() -> None:
    registry = make_registry()
    registry.register("v1", now=5.0, status=STATUS)
    (info,) = registry.available(now=5.0)
    assert (info.node_id, info.capacity, info.load, info.latency) == ("v1", CAPACITY, 0.25, 0.02)
    assert (info.reputation, info.last_heartbeat) == (1000.0, 5.0)
    assert "v1" in registry
    assert len(registry) == 1


def test_reputation_is_read_from_the_tracker() -> None:
    registry = make_registry()
    registry.register("v1", now=0.0, status=STATUS)
    registry.reputation.record("v1", Outcome.INCORRECT, now=0.0)
    assert registry.available(now=0.0)[0].reputation == 950.0


def test_heartbeat_refreshes_status_and_time() -> None:
    registry = make_registry()
    registry.register("v1", now=0.0, status=STATUS)
    busier = ValidatorStatus(CAPACITY, load=0.75, latency=0.5)
    registry.heartbeat("v1", now=30.0, status=busier)
    (info,) = registry.available(now=89.0)
    assert (info.load, info.latency, info.last_heartbeat) == (0.75, 0.5, 30.0)


def test_silent_for_the_validator_timeout_leaves_the_pool() -> None:
    registry = make_registry()
    registry.register("quiet", now=0.0, status=STATUS)
    registry.register("chatty", now=0.0, status=STATUS)
    registry.heartbeat("chatty", now=30.0, status=STATUS)
    assert registry.remove_stale(now=60.0) == ()
    assert [v.node_id for v in registry.available(now=60.5)] == ["chatty"]
    assert registry.remove_stale(now=60.5) == ("quiet",)
    assert "quiet" not in registry
    with pytest.raises(DistributionError, match="unknown validator quiet"):
        registry.heartbeat("quiet", now=61.0, status=STATUS)
    registry.register("quiet", now=61.0, status=STATUS)
    assert [v.node_id for v in registry.available(now=61.0)] == ["chatty", "quiet"]


def test_the_timeout_comes_from_settings() -> None:
    registry = ValidatorRegistry(
        ComputeSettings(validator_timeout=5.0), ReputationTracker(ReputationSettings())
    )
    registry.register("v1", now=0.0, status=STATUS)
    assert registry.remove_stale(now=5.5) == ("v1",)


def test_reputation_survives_leaving_the_pool() -> None:
    registry = make_registry()
    registry.register("v1", now=0.0, status=STATUS)
    registry.reputation.record("v1", Outcome.TIMEOUT, now=0.0)
    registry.remove_stale(now=100.0)
    registry.register("v1", now=100.0, status=STATUS)
    assert registry.available(now=100.0)[0].reputation < 1000.0


def test_heartbeat_from_a_never_registered_node_is_refused() -> None:
    with pytest.raises(DistributionError, match="unknown validator x"):
        make_registry().heartbeat("x", now=0.0, status=STATUS)


@pytest.mark.parametrize(
    ("load", "latency"), [(-0.1, 0.0), (math.nan, 0.0), (0.0, -1.0), (0.0, math.inf)]
)
def test_impossible_status_values_are_refused(load: float, latency: float) -> None:
    with pytest.raises(DistributionError, match="must be finite and >= 0"):
        ValidatorStatus(CAPACITY, load=load, latency=latency)


@pytest.mark.parametrize(
    "capacity",
    [
        ExecutionLimits(memory_limit=0, fuel=1, timeout=1.0),
        ExecutionLimits(memory_limit=1, fuel=-5, timeout=1.0),
        ExecutionLimits(memory_limit=1, fuel=1, timeout=math.nan),
    ],
)
def test_non_positive_capacity_is_refused(capacity: ExecutionLimits) -> None:
    with pytest.raises(DistributionError, match=r"capacity .* must be positive"):
        ValidatorStatus(capacity)


beats = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.floats(min_value=0.0, max_value=100.0)),
    min_size=1,
    max_size=30,
)


@given(beats, st.floats(min_value=0.0, max_value=200.0))
def test_remove_stale_removes_exactly_the_silent(
    sequence: list[tuple[str, float]], after: float
) -> None:
    registry = make_registry()
    last: dict[str, float] = {}
    now = 0.0
    for node_id, elapsed in sequence:
        now += elapsed
        registry.register(node_id, now, STATUS)
        last[node_id] = now
    check_at = now + after
    expected_stale = sorted(n for n, t in last.items() if check_at - t > 60.0)
    fresh = [v.node_id for v in registry.available(check_at)]
    assert fresh == sorted(set(last) - set(expected_stale))
    assert list(registry.remove_stale(check_at)) == expected_stale
    assert [v.node_id for v in registry.available(check_at)] == fresh
    assert len(registry) == len(fresh)
