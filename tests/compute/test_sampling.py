"""PoE sampling: a deterministic, seed-keyed draw per job, and escalation on a mismatch."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.compute.sampling import first_replication, is_sampled, retry_replication
from paraloom.config import ComputeSettings

SEED = b"coordinator secret"
JOB_IDS = [f"job-{i}" for i in range(4000)]


def rate(value: float) -> ComputeSettings:
    return ComputeSettings(poe_sample_rate=value)


def test_rates_zero_and_one() -> None:
    assert not any(is_sampled(job, SEED, rate(0.0)) for job in JOB_IDS)
    assert all(is_sampled(job, SEED, rate(1.0)) for job in JOB_IDS)


@pytest.mark.parametrize("fraction", [0.1, 0.5])
def test_the_sampled_fraction_follows_the_rate(fraction: float) -> None:
    """4000 fixed ids: a binomial standard deviation of at most 0.8 %, so 3 % is over 3.7 sigma."""
    sampled = sum(is_sampled(job, SEED, rate(fraction)) for job in JOB_IDS)
    assert abs(sampled / len(JOB_IDS) - fraction) < 0.03


def test_the_seed_keys_the_draw() -> None:
    settings = rate(0.5)
    first = [is_sampled(job, SEED, settings) for job in JOB_IDS[:200]]
    other = [is_sampled(job, b"another secret", settings) for job in JOB_IDS[:200]]
    assert first != other
    assert first == [is_sampled(job, SEED, settings) for job in JOB_IDS[:200]]


@given(
    st.text(max_size=40),
    st.binary(max_size=32),
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_a_higher_rate_samples_a_superset(job: str, seed: bytes, low: float, high: float) -> None:
    low, high = sorted((low, high))
    if is_sampled(job, seed, rate(low)):
        assert is_sampled(job, seed, rate(high))


@given(st.text(max_size=40), st.integers(min_value=1, max_value=9))
def test_first_replication(job: str, requested: int) -> None:
    settings = rate(0.5)
    size = first_replication(job, requested, SEED, settings)
    if requested > 1:
        assert size == requested
    else:
        assert size == (2 if is_sampled(job, SEED, settings) else 1)


def test_a_mismatch_escalates_to_full_replication() -> None:
    settings = ComputeSettings(replication=5)
    assert retry_replication(2, mismatch=True, settings=settings) == 5
    assert retry_replication(2, mismatch=False, settings=settings) == 2
    assert retry_replication(7, mismatch=True, settings=settings) == 7
