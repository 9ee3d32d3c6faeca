"""The demo's jobs: every shipped guest, once in the clear and once private, submitted to a
running localnet, followed until agreed, and their results opened and decoded.

Replication is below the number of validators so that the coordinator has to choose a cohort
for each job, and the jobs are submitted a few heartbeats apart, long hash chains first, so
that it chooses knowing which validators are busy: the cohorts it names in ``GET /jobs/{id}``
show the load balancing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.guests import (
    decode_aggregate,
    decode_inference,
    encode_features,
    encode_hash_chain_input,
    encode_records,
    guest_wasm,
)
from paraloom.compute.jobs import JobState
from paraloom.demo.network import EXECUTOR_FUEL, HEARTBEAT_SECONDS
from paraloom.errors import DistributionError
from paraloom.node.client import JobRequest, NodeClient, decrypt_result

#: Validators per job: fewer than the localnet has, so cohorts differ.
REPLICATION = 2
LIMITS = ExecutionLimits(memory_limit=16 * 2**20, fuel=EXECUTOR_FUEL, timeout=20.0)
#: Iterations of the hash chain: about a second of work, long enough to show as load.
CHAIN_ITERATIONS = 1_000_000
#: Time between submissions: the validators report their load in between.
SPACING_SECONDS = 3 * HEARTBEAT_SECONDS
FINISHED = frozenset({JobState.COMPLETED.value, JobState.FAILED.value, JobState.REJECTED.value})
POLL_SECONDS = 0.1
_DIGEST = re.compile(r"\b[0-9a-f]{64}\b")


@dataclass(frozen=True)
class DemoJob:
    """One job of the demo: a shipped guest, its input and how to show its output."""

    guest: str
    data: bytes
    describe: Callable[[bytes], str]


@dataclass(frozen=True)
class JobOutcome:
    """A finished job as the coordinator reports it, with its opened output."""

    job: DemoJob
    private: bool
    job_id: str
    state: str
    cohort: tuple[str, ...]
    agreement: str
    result: str


def demo_jobs() -> list[DemoJob]:
    """Four guests with inputs whose results a reader can check by eye."""
    return [
        DemoJob(
            "hash_chain",
            encode_hash_chain_input(CHAIN_ITERATIONS, b"paraloom"),
            lambda output: f"{output.hex()[:16]}…",
        ),
        DemoJob("reverse", b"paraloom demo", repr),
        DemoJob("aggregate", encode_records([3, -1, 4, 1, 5]), _show_aggregate),
        DemoJob("inference", encode_features([1, 2, 3, 4, 5, 6, 7, 8]), _show_inference),
    ]


def run_jobs(client: NodeClient, keys_dir: Path, timeout: float) -> list[JobOutcome]:
    """Submit every demo job in the clear and private, then wait for all of them."""
    submitted = []
    for job in demo_jobs():
        for private in (False, True):
            submitted.append((job, private, client.submit(_request(job, private), keys_dir)))
            time.sleep(SPACING_SECONDS)
    deadline = time.monotonic() + timeout
    return [
        _outcome(client, keys_dir, job, private, _wait(client, job_id, deadline))
        for job, private, job_id in submitted
    ]


def _request(job: DemoJob, private: bool) -> JobRequest:
    return JobRequest(guest_wasm(job.guest), job.data, LIMITS, REPLICATION, private=private)


def _wait(client: NodeClient, job_id: str, deadline: float) -> dict[str, Any]:
    status = client.status(job_id)
    while status["state"] not in FINISHED:
        if time.monotonic() > deadline:
            raise DistributionError(f"job {job_id} is still {status['state']} at the deadline")
        time.sleep(POLL_SECONDS)
        status = client.status(job_id)
    return status


def _outcome(
    client: NodeClient,
    keys_dir: Path,
    job: DemoJob,
    private: bool,
    status: dict[str, Any],
) -> JobOutcome:
    job_id, state = str(status["job_id"]), str(status["state"])
    result = "-"
    if state == JobState.COMPLETED.value:
        output = client.result(job_id)
        if private:
            output = decrypt_result(keys_dir, job_id, output)
        result = job.describe(output)
    return JobOutcome(
        job, private, job_id, state, tuple(status["cohort"]), _agreement(status), result
    )


def _agreement(status: dict[str, Any]) -> str:
    """Why the job ended, as its audit log's last entry says ("2 of 2 agree on 1f2e…"),
    digests shortened to fit a table."""
    history = status.get("history") or []
    reason = str(history[-1]["reason"]) if history else "-"
    return _DIGEST.sub(lambda match: f"{match.group()[:12]}…", reason)


def _show_aggregate(output: bytes) -> str:
    stats = decode_aggregate(output)
    return f"count {stats.count}, sum {stats.total}, min {stats.minimum}, max {stats.maximum}"


def _show_inference(output: bytes) -> str:
    inference = decode_inference(output)
    return f"logits {inference.logits}, class {inference.label}"
