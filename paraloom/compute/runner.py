"""The validator's side of a job: from a dispatch to the signed outcome it sends back.

Everything that can be refused is refused before the executor sees a byte: a dispatch that
does not name this node, limits above the network-wide caps, a module that is not the one the
job names, a private job that does not open (tampered, for another job, not addressed to this
node). Those raise a typed error and the node answers nothing: the coordinator counts the node
silent, as it would for any node that could not take the job.

Once the job runs, every end is an outcome: the output (sealed for a private job, so that the
hash honest validators compare is that of identical ciphertexts), a deterministic failure
named by the executor error's class, or a wall-clock timeout, which depends on the node and
is reported apart so agreement can count it as silence. The proof of execution binds the job
id and the verdict (:func:`paraloom.compute.messages.signed_result`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from paraloom.components import Executor
from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.messages import (
    Failed,
    JobDispatch,
    JobOutcome,
    JobSpec,
    PrivateInput,
    Produced,
    TimedOut,
    Verdict,
    signed_result,
)
from paraloom.compute.poe import make_poe
from paraloom.compute.private import OpenedJob, PrivateJob, open_private_job, seal_job_output
from paraloom.compute.scheduling import check_job_limits
from paraloom.config import ComputeSettings
from paraloom.crypto import g1
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import (
    CurveError,
    ExecutionError,
    ExecutionTimeoutError,
    FormatError,
    JobStateError,
    PrivateJobError,
)

#: Resolves a module the job references by SHA-256; None when this node does not hold it.
ModuleSource = Callable[[bytes], bytes | None]


@dataclass(frozen=True)
class _PreparedJob:
    """A job that passed every check: what to run, and the key to seal its output with."""

    wasm: bytes
    job_input: bytes
    limits: ExecutionLimits
    job_key: bytes | None


def run_dispatched_job(
    executor: Executor,
    identity: NodeIdentity,
    dispatch: JobDispatch,
    *,
    settings: ComputeSettings,
    modules: ModuleSource | None = None,
) -> JobOutcome:
    """Check, run and sign one dispatched job; ``modules`` resolves referenced modules.

    :raises ParaloomError: the job was refused before it ran (module docstring); the
        subclass names the check (JobStateError, JobLimitError, FormatError, EnvelopeError).
    """
    job = _prepare(identity, dispatch, settings, modules)
    verdict, fuel, elapsed = _execute(executor, job, dispatch.job_id)
    poe = make_poe(identity, dispatch.job_id, signed_result(verdict))
    return JobOutcome(
        job_id=dispatch.job_id,
        attempt=dispatch.attempt,
        node_id=identity.node_id,
        verdict=verdict,
        fuel_consumed=fuel,
        elapsed=elapsed,
        poe=poe.to_bytes(),
    )


# -- internals ------------------------------------------------------------------------------


def _prepare(
    identity: NodeIdentity,
    dispatch: JobDispatch,
    settings: ComputeSettings,
    modules: ModuleSource | None,
) -> _PreparedJob:
    """Every check that precedes execution, cheapest first; a private job is opened last."""
    if identity.node_id not in dispatch.cohort:
        raise JobStateError(
            f"job {dispatch.job_id.hex()} attempt {dispatch.attempt} was dispatched to a "
            f"cohort without this node ({identity.node_id_hex})"
        )
    spec = dispatch.spec
    limits = spec.limits.execution_limits()
    check_job_limits(limits, settings)
    wasm = _module(spec, modules)
    if isinstance(spec.payload, PrivateInput):
        opened = _open_private(spec, spec.payload, identity)
        return _PreparedJob(wasm, opened.input, limits, opened.job_key)
    return _PreparedJob(wasm, spec.payload.data, limits, None)


def _module(spec: JobSpec, modules: ModuleSource | None) -> bytes:
    """The job's module, inline or resolved, once it hashes to what the job names."""
    wasm = spec.wasm
    if wasm is None:
        wasm = modules(spec.wasm_sha256) if modules is not None else None
        if wasm is None:
            raise FormatError(
                f"job {spec.job_id.hex()} references module {spec.wasm_sha256.hex()}, "
                "which this node does not hold"
            )
    digest = hashlib.sha256(wasm).digest()
    if digest != spec.wasm_sha256:
        raise FormatError(
            f"job {spec.job_id.hex()}: the module's SHA-256 is {digest.hex()}, "
            f"not the {spec.wasm_sha256.hex()} the job names"
        )
    return wasm


def _open_private(spec: JobSpec, payload: PrivateInput, identity: NodeIdentity) -> OpenedJob:
    """The input of a private job for this spec, after every check of the private module."""
    job = PrivateJob.from_bytes(payload.job)
    if job.job_id != spec.job_id:
        raise PrivateJobError(
            f"private job: sealed for job {job.job_id.hex()}, dispatched as {spec.job_id.hex()}"
        )
    try:
        requester = g1.decode_point(spec.requester, "requester key")
    except (CurveError, FormatError) as error:
        raise PrivateJobError(f"private job: {error}") from None
    return open_private_job(job, identity.encryption_key(), requester)


def _execute(executor: Executor, job: _PreparedJob, job_id: bytes) -> tuple[Verdict, int, float]:
    """(verdict, fuel, seconds): whatever the executor raises becomes a verdict."""
    try:
        result = executor.execute(job.wasm, job.job_input, job.limits)
    except ExecutionTimeoutError as error:
        return TimedOut(), error.fuel_consumed, error.elapsed
    except ExecutionError as error:
        return Failed(type(error).__name__), error.fuel_consumed, error.elapsed
    output = result.output
    if job.job_key is not None:
        output = seal_job_output(job.job_key, output, job_id)
    verdict = Produced(hashlib.sha256(output).digest(), output)
    return verdict, result.fuel_consumed, result.elapsed
