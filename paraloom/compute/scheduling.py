"""Choosing the cohort that runs a job, and refusing jobs above the network-wide caps.

The order follows the seeds: only validators whose capacity covers the job and that have a free
slot qualify; among them the least loaded win, then the most reputable, then the nearest. The
node id breaks exact ties so that every coordinator given the same pool picks the same cohort.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import TypeVar

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.registry import ValidatorInfo
from paraloom.config import ComputeSettings
from paraloom.errors import DistributionError, JobLimitError
from paraloom.units import format_duration, format_size

_Number = TypeVar("_Number", int, float)


def can_run(validator: ValidatorInfo, requirement: ExecutionLimits) -> bool:
    """Whether the validator has a free slot and limits at least as large as the job's."""
    capacity = validator.capacity
    return (
        validator.load < 1.0
        and capacity.memory_limit >= requirement.memory_limit
        and capacity.fuel >= requirement.fuel
        and capacity.timeout >= requirement.timeout
    )


def preference(validator: ValidatorInfo) -> tuple[float, float, float, float, str]:
    """Sort key, best first: least load, then fewest jobs given per point of reputation,
    highest reputation, lowest latency, then id.

    Jobs per reputation rather than reputation alone: the most trusted validator would
    otherwise take every job while loads look equal (between heartbeats, or when jobs are
    short), and each job done would raise its score further, narrowing the pool to it. This
    way every validator works in proportion to its reputation.
    """
    share = validator.assigned / max(validator.reputation, 1.0)
    return (validator.load, share, -validator.reputation, validator.latency, validator.node_id)


def select_cohort(
    validators: Iterable[ValidatorInfo],
    k: int,
    requirement: ExecutionLimits,
    exclude: Collection[str] = frozenset(),
) -> tuple[str, ...]:
    """The ids of the ``k`` preferred validators that can run the job, best first.

    ``exclude`` holds nodes a retry must avoid (they dissented or stayed silent). Too few
    candidates is an error rather than a smaller cohort, because a smaller cohort would lower
    the agreement threshold the job was promised.
    """
    if k < 1:
        raise DistributionError(f"a cohort needs at least one validator, asked for {k}")
    candidates = sorted(
        (v for v in validators if v.node_id not in exclude and can_run(v, requirement)),
        key=preference,
    )
    if len(candidates) < k:
        raise DistributionError(
            f"need {k} validators for the job, {len(candidates)} eligible "
            f"({len(exclude)} excluded, others busy or below its limits)"
        )
    return tuple(v.node_id for v in candidates[:k])


def check_job_limits(limits: ExecutionLimits, settings: ComputeSettings) -> None:
    """Refuse a job whose limits are not positive or exceed a network-wide cap (named)."""
    _check_cap("memory_limit", limits.memory_limit, settings.max_memory_limit, format_size)
    _check_cap("fuel", limits.fuel, settings.max_fuel, "{:,}".format)
    _check_cap("timeout", limits.timeout, settings.max_timeout, format_duration)


def _check_cap(name: str, value: _Number, cap: _Number, render: Callable[[_Number], str]) -> None:
    if not value > 0:
        raise JobLimitError(f"job {name} must be positive, got {value}")
    if value > cap:
        raise JobLimitError(
            f"job {name} {render(value)} exceeds the network cap compute.max_{name} = {render(cap)}"
        )
