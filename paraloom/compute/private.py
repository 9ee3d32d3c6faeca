"""Private jobs: an input only the cohort can read, bound to its requester, checked before it runs.

Protocol, version 1 (on :mod:`paraloom.crypto.envelope`, :mod:`~paraloom.crypto.pedersen` and
:mod:`~paraloom.crypto.schnorr`; others reimplement it, so every choice is fixed here):

- Job id: 32 bytes, the job's request id (the one its proofs of execution bind).
- Commitment: Pedersen C = value_of_bytes(input)·G + b·H with a fresh blinding b. It is the
  public handle on the input: the network, the coordinator and storage see C, never the input.
- Envelope: ``seal(b (32 bytes big-endian) ‖ input, cohort + standby, associated data = job id)``
  under a fresh job key, so every validator named at submission, standbys included, can open
  it. The blinding travels encrypted beside the input so that a validator can check C itself.
- Ownership proof: a Schnorr proof by the requester's key under the domain
  b"paraloom/compute/private-job/v1/ownership", binding (job id, C as 64 bytes,
  SHA-256(envelope)). It covers every byte of the job, so nobody can move the input to another
  job or requester, or swap the envelope, without the requester's secret.
- Encoding: magic b"PLPJ" (4) ‖ version 0x01 (1) ‖ job id (32) ‖ C (64) ‖ proof (96)
  ‖ envelope length (4, big-endian) ‖ envelope (itself strictly parsed). The length makes a
  job self-delimiting, so trailing bytes are refused when it is decoded.
- A validator checks, in this order and before anything executes: the proof under the
  requester's public key; that the envelope opens with its key and names this job id; that the
  decrypted blinding and input open C. A requester whose commitment does not match what it
  encrypted is caught by the last check.
- Output: ``seal_output(job key, output, associated data = job id)``: the output subkey and the
  SIV-style nonce of the envelope module, so honest validators produce identical bytes (and
  agree on their hash) while two different outputs never share a nonce. The requester, who
  kept the job key, opens it; the coordinator and the network cannot.

Every failure is a :class:`~paraloom.errors.PrivateJobError` or, from the envelope itself, an
:class:`~paraloom.errors.EnvelopeError` (its base class).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paraloom.codecs.reader import ByteReader
from paraloom.compute.poe import REQUEST_ID_SIZE
from paraloom.crypto import g1, schnorr
from paraloom.crypto.envelope import (
    Envelope,
    new_job_key,
    open_envelope,
    open_output,
    seal,
    seal_output,
)
from paraloom.crypto.pedersen import Commitment, Opening, Pedersen, random_scalar, value_of_bytes
from paraloom.errors import CurveError, EnvelopeError, FormatError, PrivateJobError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from paraloom.math.backend import G1Affine

VERSION = 1
MAGIC = b"PLPJ"
OWNERSHIP_DOMAIN = b"paraloom/compute/private-job/v1/ownership"
JOB_ID_SIZE = REQUEST_ID_SIZE


@dataclass(frozen=True)
class PrivateJob:
    """What the requester submits and validators receive (module docstring for the layout)."""

    job_id: bytes
    commitment: Commitment
    proof: schnorr.SchnorrProof
    envelope: bytes

    def __post_init__(self) -> None:
        _require_job_id(self.job_id)

    def to_bytes(self) -> bytes:
        return b"".join(
            (
                MAGIC,
                bytes([VERSION]),
                self.job_id,
                self.commitment.to_bytes(),
                self.proof.to_bytes(),
                len(self.envelope).to_bytes(4, "big"),
                self.envelope,
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> PrivateJob:
        """The strict parser: valid points and scalars, and an envelope that parses strictly."""
        try:
            return _parse_job(ByteReader(data, "private job"))
        except (FormatError, CurveError, EnvelopeError) as error:
            raise PrivateJobError(str(error)) from None


@dataclass(frozen=True)
class JobSecrets:
    """What the requester keeps: the job key opens the output, the opening reveals C."""

    job_key: bytes
    opening: Opening


@dataclass(frozen=True)
class OpenedJob:
    """What a validator gets once every check passed: the input to run, the key for the output."""

    input: bytes
    job_key: bytes


def build_private_job(
    data: bytes,
    requester: schnorr.KeyPair,
    job_id: bytes,
    cohort: Sequence[bytes],
    standby: Sequence[bytes] = (),
) -> tuple[PrivateJob, JobSecrets]:
    """Commit to, encrypt and sign ``data`` for the X25519 keys of the cohort and standbys."""
    _require_job_id(job_id)
    if not cohort:
        raise PrivateJobError("private job: the cohort names no validator")
    opening = Opening(value_of_bytes(data), random_scalar())
    commitment = _pedersen().commit_opening(opening)
    job_key = new_job_key()
    plaintext = g1.encode_scalar(opening.blinding) + data
    envelope = seal(plaintext, [*cohort, *standby], job_id, job_key=job_key)
    proof = schnorr.prove(
        requester.secret, domain=OWNERSHIP_DOMAIN, bound=_bound(job_id, commitment, envelope)
    )
    return PrivateJob(job_id, commitment, proof, envelope), JobSecrets(job_key, opening)


def open_private_job(
    job: PrivateJob, private_key: X25519PrivateKey, requester: G1Affine
) -> OpenedJob:
    """The job's input, after the ownership proof, the envelope and the commitment all hold."""
    _check_ownership(job, requester)
    opened = open_envelope(job.envelope, private_key)
    if opened.associated_data != job.job_id:
        raise PrivateJobError("private job: the envelope was sealed for another job id")
    blinding, data = _split_plaintext(opened.plaintext)
    if not _pedersen().verify_opening(job.commitment, Opening(value_of_bytes(data), blinding)):
        raise PrivateJobError("private job: the input does not open the input commitment")
    return OpenedJob(data, opened.job_key)


def seal_job_output(job_key: bytes, output: bytes, job_id: bytes) -> bytes:
    """The output encrypted for the requester; the same bytes from every honest validator."""
    _require_job_id(job_id)
    return seal_output(job_key, output, job_id)


def open_job_output(job_key: bytes, sealed: bytes, job_id: bytes) -> bytes:
    """The requester's side of :func:`seal_job_output`."""
    _require_job_id(job_id)
    return open_output(job_key, sealed, job_id)


# -- internals ------------------------------------------------------------------------------


@functools.cache
def _pedersen() -> Pedersen:
    """One scheme object: deriving H and converting the generators is done once per process."""
    return Pedersen()


def _bound(job_id: bytes, commitment: Commitment, envelope: bytes) -> tuple[bytes, ...]:
    return (job_id, commitment.to_bytes(), hashlib.sha256(envelope).digest())


def _check_ownership(job: PrivateJob, requester: G1Affine) -> None:
    bound = _bound(job.job_id, job.commitment, job.envelope)
    try:
        valid = schnorr.verify(requester, job.proof, domain=OWNERSHIP_DOMAIN, bound=bound)
    except CurveError as error:
        raise PrivateJobError(f"private job: ownership proof: {error}") from None
    if not valid:
        raise PrivateJobError(
            "private job: the ownership proof does not bind this job to this requester"
        )


def _split_plaintext(plaintext: bytes) -> tuple[int, bytes]:
    reader = ByteReader(plaintext, "private job input")
    try:
        blinding = g1.read_scalar(reader, "blinding")
    except (FormatError, CurveError) as error:
        raise PrivateJobError(str(error)) from None
    return blinding, reader.take(reader.remaining, "input")


def _require_job_id(job_id: bytes) -> None:
    if len(job_id) != JOB_ID_SIZE:
        raise PrivateJobError(f"private job: the job id is {len(job_id)} bytes, not {JOB_ID_SIZE}")


def _parse_job(reader: ByteReader) -> PrivateJob:
    reader.expect_header(MAGIC, VERSION)
    job_id = reader.take(JOB_ID_SIZE, "job id")
    commitment = Commitment(g1.read_point(reader, "input commitment"))
    proof = schnorr.SchnorrProof.from_bytes(reader.take(schnorr.PROOF_SIZE, "ownership proof"))
    envelope = reader.take(int.from_bytes(reader.take(4, "envelope length"), "big"), "envelope")
    reader.finish()
    Envelope.from_bytes(envelope)
    return PrivateJob(job_id, commitment, proof, envelope)
