"""The requester's side of a job: the spec it submits, and the output of a private job.

A requester picks its own job id, because a private job's ownership proof and envelope bind
it before anything is submitted. The coordinator names the cohort and standby validators
whose X25519 keys a private job is sealed to (DESIGN §5); this module takes them as given.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.messages import (
    JobLimits,
    JobOutcome,
    JobSpec,
    PrivateInput,
    Produced,
    PublicInput,
)
from paraloom.compute.poe import REQUEST_ID_SIZE
from paraloom.compute.private import JobSecrets, build_private_job, open_job_output
from paraloom.crypto import g1, schnorr
from paraloom.errors import JobStateError

if TYPE_CHECKING:
    from paraloom.math.backend import G1Affine


def new_job_id() -> bytes:
    """32 random bytes: unique without asking anyone."""
    return os.urandom(REQUEST_ID_SIZE)


def public_job_spec(
    job_id: bytes,
    wasm: bytes,
    job_input: bytes,
    limits: ExecutionLimits,
    requester: G1Affine,
    *,
    replication: int,
    inline_wasm: bool = True,
) -> JobSpec:
    """A job whose input every node on the path may read, by the holder of the Schnorr public
    key ``requester``; without ``inline_wasm`` the spec references the module by its SHA-256
    (validators must already hold it)."""
    payload = PublicInput(job_input)
    return _spec(
        job_id,
        wasm,
        payload,
        requester,
        limits=limits,
        replication=replication,
        inline_wasm=inline_wasm,
    )


def private_job_spec(
    job_id: bytes,
    wasm: bytes,
    data: bytes,
    limits: ExecutionLimits,
    requester: schnorr.KeyPair,
    *,
    cohort: Sequence[bytes],
    standby: Sequence[bytes] = (),
    replication: int,
    inline_wasm: bool = True,
) -> tuple[JobSpec, JobSecrets]:
    """A job whose input only the cohort and standby X25519 keys can open; keep the secrets
    to open the output (:func:`open_private_result`)."""
    job, secrets = build_private_job(data, requester, job_id, cohort, standby)
    payload = PrivateInput(job.to_bytes())
    spec = _spec(
        job_id,
        wasm,
        payload,
        requester.public,
        limits=limits,
        replication=replication,
        inline_wasm=inline_wasm,
    )
    return spec, secrets


def open_private_result(outcome: JobOutcome, secrets: JobSecrets) -> bytes:
    """The plaintext output of a completed private job.

    :raises JobStateError: the outcome is a failure or a timeout, so there is nothing to open.
    :raises EnvelopeError: the sealed output is not this job's, or was tampered with.
    """
    verdict = outcome.verdict
    if not isinstance(verdict, Produced):
        raise JobStateError(
            f"job {outcome.job_id.hex()} produced no output on node {outcome.node_id.hex()}: "
            f"{type(verdict).__name__}"
        )
    return open_job_output(secrets.job_key, verdict.output, outcome.job_id)


def _spec(
    job_id: bytes,
    wasm: bytes,
    payload: PublicInput | PrivateInput,
    requester: G1Affine,
    *,
    limits: ExecutionLimits,
    replication: int,
    inline_wasm: bool,
) -> JobSpec:
    return JobSpec(
        job_id=job_id,
        wasm_sha256=hashlib.sha256(wasm).digest(),
        wasm=wasm if inline_wasm else None,
        limits=JobLimits.of(limits),
        replication=replication,
        payload=payload,
        requester=g1.encode_point(requester),
    )
