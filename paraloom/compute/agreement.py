"""Result agreement: which verdict, if any, a quorum of a cohort shares.

A node's vote is the SHA-256 of the output it produced, or a :class:`Failure` when the job
failed on it. Deterministic failures (a trap, running out of fuel) are votes like results: honest
validators fail identically, and a quorum agreeing on a failure means the job itself is at
fault, not the validators. A node that gave up for its own reasons (its wall-clock timeout, no
free slot) or missed its deadline replies ``None`` and counts as silent.

The quorum is ⌈2K/3⌉, which is more than K/2 for every K, so at most one verdict can reach it
and a faulty minority smaller than the quorum can never make a wrong verdict win.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from paraloom.errors import DistributionError, JobStateError


@dataclass(frozen=True)
class Failure:
    """The job failed on a node; ``reason`` names the failure kind (e.g. "out of fuel")."""

    reason: str


Vote = bytes | Failure
Reply = Vote | None


@dataclass(frozen=True)
class Agreed:
    """A quorum shares ``verdict``; pending nodes may still reply and be judged against it."""

    verdict: Vote
    agreeing: frozenset[str]
    dissenting: frozenset[str]
    silent: frozenset[str]
    pending: frozenset[str]


@dataclass(frozen=True)
class NoAgreement:
    """No verdict can reach the quorum any more.

    ``dissenting`` holds every voter when the votes split (nobody can tell who was right) and
    is empty when all votes were equal but too few.
    """

    dissenting: frozenset[str]
    silent: frozenset[str]
    pending: frozenset[str]


@dataclass(frozen=True)
class Undecided:
    """Pending replies could still produce a quorum."""

    pending: frozenset[str]


Tally = Agreed | NoAgreement | Undecided


def quorum(k: int) -> int:
    """⌈2k/3⌉ of a cohort of ``k``: 2 of 3, 3 of 4, 7 of 10."""
    if k < 1:
        raise DistributionError(f"a cohort needs at least one validator, got {k}")
    return (2 * k + 2) // 3


def tally(cohort: Sequence[str], replies: Mapping[str, Reply]) -> Tally:
    """Decide as early as the replies allow; nodes of ``cohort`` absent from ``replies`` are
    still pending."""
    members = _members(cohort)
    strangers = sorted(set(replies) - members)
    if strangers:
        raise JobStateError(f"replies from nodes outside the cohort: {', '.join(strangers)}")
    votes = {node: reply for node, reply in replies.items() if reply is not None}
    silent = frozenset(node for node, reply in replies.items() if reply is None)
    pending = members - set(replies)
    counts = Counter(votes.values())
    needed = quorum(len(members))
    leader, most = counts.most_common(1)[0] if counts else (None, 0)
    if leader is not None and most >= needed:
        agreeing = frozenset(node for node, vote in votes.items() if vote == leader)
        dissenting = frozenset(votes) - agreeing
        return Agreed(leader, agreeing, dissenting, silent, pending)
    if most + len(pending) >= needed:
        return Undecided(pending)
    dissenting = frozenset(votes) if len(counts) > 1 else frozenset()
    return NoAgreement(dissenting, silent, pending)


def _members(cohort: Sequence[str]) -> frozenset[str]:
    members = frozenset(cohort)
    if len(members) != len(cohort) or not members:
        raise DistributionError(f"a cohort needs distinct validators, got {list(cohort)}")
    return members
