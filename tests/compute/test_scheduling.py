"""Cohort selection (capacity filter; least load, then reputation, then latency) and the caps."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.registry import ValidatorInfo, ValidatorRegistry, ValidatorStatus
from paraloom.compute.reputation import Outcome, ReputationTracker
from paraloom.compute.scheduling import can_run, check_job_limits, preference, select_cohort
from paraloom.config import ComputeSettings, ReputationSettings
from paraloom.errors import DistributionError, JobLimitError

BIG = ExecutionLimits(memory_limit=256 << 20, fuel=10**10, timeout=60.0)
JOB = ExecutionLimits(memory_limit=64 << 20, fuel=10**9, timeout=30.0)


def validator(
    node_id: str,
    load: float = 0.0,
    reputation: float = 1000.0,
    latency: float = 0.01,
    capacity: ExecutionLimits = BIG,
) -> ValidatorInfo:
    return ValidatorInfo(node_id, capacity, load, reputation, latency, last_heartbeat=0.0)


def test_least_load_wins_over_reputation_and_latency() -> None:
    pool = [
        validator("reputable", load=0.5, reputation=9000, latency=0.001),
        validator("idle", load=0.0, reputation=200, latency=0.9),
    ]
    assert select_cohort(pool, 1, JOB) == ("idle",)


def test_reputation_breaks_equal_load_then_latency() -> None:
    pool = [
        validator("near", reputation=1000, latency=0.001),
        validator("trusted", reputation=1100, latency=0.5),
        validator("far", reputation=1000, latency=0.2),
    ]
    assert select_cohort(pool, 3, JOB) == ("trusted", "near", "far")


def test_capacity_and_free_slots_filter() -> None:
    small = ExecutionLimits(memory_limit=32 << 20, fuel=10**10, timeout=60.0)
    slow = ExecutionLimits(memory_limit=256 << 20, fuel=10**10, timeout=10.0)
    pool = [
        validator("small", capacity=small),
        validator("slow", capacity=slow),
        validator("full", load=1.0),
        validator("ok", load=0.9),
    ]
    assert select_cohort(pool, 1, JOB) == ("ok",)
    with pytest.raises(DistributionError, match="need 2 validators for the job, 1 eligible"):
        select_cohort(pool, 2, JOB)


def test_excluded_nodes_are_skipped() -> None:
    pool = [validator(name) for name in "abcd"]
    assert select_cohort(pool, 2, JOB, exclude={"a", "c"}) == ("b", "d")
    with pytest.raises(DistributionError, match="2 excluded"):
        select_cohort(pool, 3, JOB, exclude={"a", "c"})


def test_cohort_of_zero_is_refused() -> None:
    with pytest.raises(DistributionError, match="at least one validator"):
        select_cohort([validator("a")], 0, JOB)


def test_selection_from_the_registry_uses_live_reputation() -> None:
    registry = ValidatorRegistry(ComputeSettings(), ReputationTracker(ReputationSettings()))
    for name in ("a", "b", "c", "d"):
        registry.register(name, now=0.0, status=ValidatorStatus(BIG))
    registry.reputation.record("a", Outcome.INCORRECT, now=0.0)
    registry.reputation.record("d", Outcome.CORRECT, now=0.0)
    assert select_cohort(registry.available(now=1.0), 3, JOB) == ("d", "b", "c")


validators = st.builds(
    validator,
    node_id=st.text(alphabet="abcdefgh", min_size=1, max_size=3),
    load=st.sampled_from([0.0, 0.25, 0.5, 1.0]),
    reputation=st.sampled_from([100.0, 1000.0, 5000.0]),
    latency=st.sampled_from([0.01, 0.1]),
    capacity=st.sampled_from([BIG, JOB, ExecutionLimits(1 << 20, 10**9, 30.0)]),
)
pools = st.lists(validators, max_size=12, unique_by=lambda v: v.node_id)


@given(pools, st.integers(min_value=1, max_value=5), st.sets(st.sampled_from("abcdefgh")))
def test_selection_takes_the_k_preferred_eligible(
    pool: list[ValidatorInfo], k: int, exclude: set[str]
) -> None:
    eligible = [v for v in pool if v.node_id not in exclude and can_run(v, JOB)]
    try:
        chosen = select_cohort(pool, k, JOB, exclude)
    except DistributionError:
        assert len(eligible) < k
        return
    assert len(chosen) == len(set(chosen)) == k
    by_id = {v.node_id: v for v in pool}
    assert all(by_id[n] in eligible for n in chosen)
    for node in chosen:
        for other in eligible:
            if other.node_id not in chosen:
                assert preference(by_id[node]) <= preference(other)


def test_limits_at_the_caps_are_accepted() -> None:
    settings = ComputeSettings()
    check_job_limits(
        ExecutionLimits(settings.max_memory_limit, settings.max_fuel, settings.max_timeout),
        settings,
    )


@pytest.mark.parametrize(
    ("limits", "cap"),
    [
        (ExecutionLimits((1 << 30) + 1, 1, 1.0), "compute.max_memory_limit = 1GiB"),
        (ExecutionLimits(1, 10**10 + 1, 1.0), "compute.max_fuel = 10,000,000,000"),
        (ExecutionLimits(1, 1, 300.5), "timeout 300500ms exceeds .* compute.max_timeout = 5m"),
    ],
)
def test_limits_above_a_cap_name_the_cap(limits: ExecutionLimits, cap: str) -> None:
    with pytest.raises(JobLimitError, match=cap):
        check_job_limits(limits, ComputeSettings())


def test_caps_come_from_settings() -> None:
    with pytest.raises(JobLimitError, match="fuel 1,001 exceeds"):
        check_job_limits(ExecutionLimits(1, 1001, 1.0), ComputeSettings(max_fuel=1000))


@pytest.mark.parametrize(
    "limits",
    [ExecutionLimits(0, 1, 1.0), ExecutionLimits(1, -1, 1.0), ExecutionLimits(1, 1, math.nan)],
)
def test_non_positive_limits_are_refused(limits: ExecutionLimits) -> None:
    with pytest.raises(JobLimitError, match="must be positive"):
        check_job_limits(limits, ComputeSettings())


@given(st.integers(2, 8), st.integers(1, 4), st.integers(1, 40))
def test_a_burst_between_heartbeats_spreads_over_the_pool(
    validators: int, k: int, jobs: int
) -> None:
    k = min(k, validators)
    reputation = ReputationTracker(ReputationSettings())
    registry = ValidatorRegistry(ComputeSettings(), reputation)
    names = [f"v{index}" for index in range(validators)]
    for name in names:
        registry.register(name, now=0.0, status=ValidatorStatus(BIG))
    reputation.record(names[0], Outcome.CORRECT, 0.0)  # a favourite, as after a good job
    given_out = dict.fromkeys(names, 0)
    for _ in range(jobs):
        cohort = select_cohort(registry.available(0.0), k, BIG)
        registry.assign(cohort)
        for name in cohort:
            given_out[name] += 1
    assert max(given_out.values()) - min(given_out.values()) <= 1


def test_jobs_given_are_counted_until_the_validator_registers_again() -> None:
    registry = ValidatorRegistry(ComputeSettings(), ReputationTracker(ReputationSettings()))
    registry.register("v0", now=0.0, status=ValidatorStatus(BIG))
    registry.assign(["v0", "v0", "gone"])
    registry.heartbeat("v0", 0.1, ValidatorStatus(BIG, load=0.5))
    assert registry.available(0.1)[0].assigned == 2
    registry.register("v0", now=0.2, status=ValidatorStatus(BIG))
    assert registry.available(0.2)[0].assigned == 0
    assert "gone" not in registry


def test_a_validator_with_half_the_reputation_gets_about_half_the_jobs() -> None:
    reputation = ReputationTracker(ReputationSettings())
    registry = ValidatorRegistry(ComputeSettings(), reputation)
    for name in ("trusted", "doubtful"):
        registry.register(name, now=0.0, status=ValidatorStatus(BIG))
    for _ in range(10):
        reputation.record("doubtful", Outcome.INCORRECT, 0.0)  # 1000 - 500
    given = {"trusted": 0, "doubtful": 0}
    for _ in range(30):
        (chosen,) = select_cohort(registry.available(0.0), 1, BIG)
        registry.assign([chosen])
        given[chosen] += 1
    assert given == {"trusted": 20, "doubtful": 10}
