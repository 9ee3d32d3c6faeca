"""Sampled re-dispatch of non-replicated jobs (the honesty half of proof of execution).

A PoE binds a result to a node but cannot show it was computed honestly; running a sample of
single-node jobs on a second node can. The choice is a pure function of the job id and a seed
the coordinator keeps secret, so it is reproducible for an audit yet unpredictable to the node
that runs the job. A sampled job runs on two nodes at once (both must agree: the quorum of 2 is
2); when they disagree the retry escalates to full replication, and both nodes are judged
against the verdict of that cohort.
"""

from __future__ import annotations

import hashlib

from paraloom.config import ComputeSettings

_DOMAIN = b"paraloom/poe-sample/v1"
#: Bits of the digest used for the draw: a double represents every such fraction exactly, so
#: the draw is never rounded up to 1.0 and a rate of 1.0 samples every job.
_DRAW_BITS = 53


def is_sampled(job_id: str, seed: bytes, settings: ComputeSettings) -> bool:
    """Whether this job is re-run on a second node: a uniform draw in [0, 1) from
    SHA-256(domain ‖ seed ‖ job id) compared against ``poe_sample_rate``."""
    digest = hashlib.sha256(_DOMAIN + len(seed).to_bytes(4, "big") + seed + job_id.encode())
    draw = (int.from_bytes(digest.digest(), "big") >> (256 - _DRAW_BITS)) / 2.0**_DRAW_BITS
    return draw < settings.poe_sample_rate


def first_replication(job_id: str, requested: int, seed: bytes, settings: ComputeSettings) -> int:
    """The cohort size of a job's first attempt: a non-replicated job runs on two nodes when
    sampled; a replicated one as requested."""
    if requested == 1 and is_sampled(job_id, seed, settings):
        return 2
    return requested


def retry_replication(size: int, mismatch: bool, settings: ComputeSettings) -> int:
    """The cohort size of a retry: a mismatch escalates to full replication; silence alone
    only asks for other nodes."""
    return max(size, settings.replication) if mismatch else size
