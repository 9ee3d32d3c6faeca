"""Private jobs: who can open them, what is checked before running, deterministic outputs."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.compute.private import (
    OWNERSHIP_DOMAIN,
    PrivateJob,
    build_private_job,
    open_job_output,
    open_private_job,
    seal_job_output,
)
from paraloom.crypto import schnorr
from paraloom.crypto.envelope import new_job_key, seal
from paraloom.crypto.identity import NodeIdentity
from paraloom.crypto.pedersen import Pedersen, value_of_bytes
from paraloom.errors import EnvelopeError, PrivateJobError
from paraloom.math.fields import FR_MODULUS

REQUESTER = schnorr.KeyPair.from_secret(123456789)
INTRUDER = schnorr.KeyPair.from_secret(987654321)
VALIDATORS = [NodeIdentity.from_seed(bytes([i]) * 32).encryption_key() for i in range(1, 5)]
PUBLIC = [key.public_key().public_bytes_raw() for key in VALIDATORS]
COHORT, STANDBY = PUBLIC[:2], PUBLIC[2:3]
STRANGER = VALIDATORS[3]
JOB_ID = bytes(range(32))
OTHER_JOB_ID = bytes(range(1, 33))
INPUT = b'{"values": [3, 1, 4, 1, 5]}'

JOB, SECRETS = build_private_job(INPUT, REQUESTER, JOB_ID, COHORT, STANDBY)
ENCODED = JOB.to_bytes()

job_ids = st.binary(min_size=32, max_size=32)
inputs = st.binary(max_size=200)


def flip(data: bytes, index: int, mask: int = 1) -> bytes:
    return data[:index] + bytes([data[index] ^ mask]) + data[index + 1 :]


def signed_job(
    plaintext: bytes,
    commitment_value: int,
    *,
    job_id: bytes = JOB_ID,
    associated_data: bytes = JOB_ID,
    blinding: int = 5,
) -> PrivateJob:
    """A job assembled by hand with a valid ownership proof, for checks after the proof."""
    commitment = Pedersen().commit(commitment_value, blinding)
    envelope = seal(plaintext, COHORT, associated_data)
    bound = (job_id, commitment.to_bytes(), hashlib.sha256(envelope).digest())
    proof = schnorr.prove(REQUESTER.secret, domain=OWNERSHIP_DOMAIN, bound=bound)
    return PrivateJob(job_id, commitment, proof, envelope)


# -- the honest path ----------------------------------------------------------------------------


def test_every_cohort_and_standby_validator_opens_the_input() -> None:
    for key in VALIDATORS[:3]:
        opened = open_private_job(PrivateJob.from_bytes(ENCODED), key, REQUESTER.public)
        assert (opened.input, opened.job_key) == (INPUT, SECRETS.job_key)


def test_a_validator_outside_cohort_and_standby_cannot_open_it() -> None:
    with pytest.raises(EnvelopeError, match="not addressed"):
        open_private_job(JOB, STRANGER, REQUESTER.public)


def test_the_commitment_opens_to_the_hash_of_the_input() -> None:
    assert SECRETS.opening.value == value_of_bytes(INPUT)
    assert Pedersen().verify_opening(JOB.commitment, SECRETS.opening)


def test_the_proof_binds_the_documented_statement() -> None:
    bound = (JOB_ID, JOB.commitment.to_bytes(), hashlib.sha256(JOB.envelope).digest())
    assert schnorr.verify(REQUESTER.public, JOB.proof, domain=OWNERSHIP_DOMAIN, bound=bound)


def test_the_input_is_not_in_the_clear() -> None:
    assert INPUT not in ENCODED


@settings(max_examples=10)
@given(inputs, job_ids)
def test_the_encoding_round_trips_in_the_documented_layout(data: bytes, job_id: bytes) -> None:
    job, _ = build_private_job(data, REQUESTER, job_id, COHORT)
    encoded = job.to_bytes()
    assert encoded[:5] == b"PLPJ\x01"
    assert encoded[5:37] == job_id
    assert encoded[37:101] == job.commitment.to_bytes()
    assert encoded[101:197] == job.proof.to_bytes()
    assert int.from_bytes(encoded[197:201], "big") == len(job.envelope)
    assert encoded[201:] == job.envelope
    decoded = PrivateJob.from_bytes(encoded)
    assert decoded == job
    assert open_private_job(decoded, VALIDATORS[1], REQUESTER.public).input == data


# -- tampering: rejected before anything runs ------------------------------------------------


def envelope_regions() -> dict[str, int]:
    """Byte offsets in ENCODED of each part of the envelope (layout of crypto/envelope.py)."""
    start = 201
    slots = start + 4 + 1 + 32 + 2
    ad = slots + 3 * 80 + 4
    return {
        "envelope magic": start,
        "envelope version": start + 4,
        "ephemeral key": start + 5,
        "recipient count": start + 37,
        "recipient public key": slots,
        "wrapped key": slots + 32,
        "standby wrapped key": slots + 2 * 80 + 40,
        "associated data length": ad - 4,
        "associated job id": ad,
        "nonce": ad + 32,
        "ciphertext": ad + 32 + 12,
        "tag": len(ENCODED) - 1,
    }


REGIONS = {
    "magic": 0,
    "version": 4,
    "job id": 5,
    "job id end": 36,
    "commitment x": 37,
    "commitment y": 100,
    "proof R": 101,
    "proof s": 196,
    "envelope length": 197,
    "envelope length low byte": 200,
} | envelope_regions()


@pytest.mark.parametrize("index", REGIONS.values(), ids=REGIONS.keys())
def test_a_changed_byte_in_any_field_is_rejected_before_decryption(index: int) -> None:
    """PrivateJobError (not a plain EnvelopeError): the decoder or the proof stops it."""
    with pytest.raises(PrivateJobError):
        open_private_job(
            PrivateJob.from_bytes(flip(ENCODED, index)), VALIDATORS[0], REQUESTER.public
        )


@settings(max_examples=40)
@given(st.data())
def test_any_changed_byte_is_rejected_before_decryption(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(ENCODED) - 1))
    mask = data.draw(st.integers(1, 255))
    with pytest.raises(PrivateJobError):
        open_private_job(
            PrivateJob.from_bytes(flip(ENCODED, index, mask)), VALIDATORS[0], REQUESTER.public
        )


@settings(max_examples=20)
@given(st.data())
def test_a_truncated_or_extended_encoding_is_refused(data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(ENCODED) - 1))
    with pytest.raises(PrivateJobError, match="truncated"):
        PrivateJob.from_bytes(ENCODED[:cut])
    with pytest.raises(PrivateJobError, match="trailing bytes"):
        PrivateJob.from_bytes(ENCODED + data.draw(st.binary(min_size=1, max_size=20)))


def test_a_valid_job_moved_to_another_job_id_is_refused() -> None:
    with pytest.raises(PrivateJobError, match="ownership proof does not bind"):
        open_private_job(
            dataclasses.replace(JOB, job_id=OTHER_JOB_ID), VALIDATORS[0], REQUESTER.public
        )


def test_a_swapped_commitment_is_refused() -> None:
    commitment = Pedersen().commit(value_of_bytes(b"something else"), 1)
    job = dataclasses.replace(JOB, commitment=commitment)
    with pytest.raises(PrivateJobError, match="ownership proof does not bind"):
        open_private_job(job, VALIDATORS[0], REQUESTER.public)


def test_a_swapped_envelope_is_refused() -> None:
    envelope = seal(b"\x00" * 32 + b"other input", COHORT, JOB_ID)
    with pytest.raises(PrivateJobError, match="ownership proof does not bind"):
        open_private_job(
            dataclasses.replace(JOB, envelope=envelope), VALIDATORS[0], REQUESTER.public
        )


def test_a_job_re_signed_by_someone_else_is_not_the_requesters() -> None:
    intruders_job, _ = build_private_job(INPUT, INTRUDER, JOB_ID, COHORT)
    with pytest.raises(PrivateJobError, match="ownership proof does not bind"):
        open_private_job(intruders_job, VALIDATORS[0], REQUESTER.public)
    proof = dataclasses.replace(JOB, proof=intruders_job.proof)
    with pytest.raises(PrivateJobError, match="ownership proof does not bind"):
        open_private_job(proof, VALIDATORS[0], REQUESTER.public)


def test_a_requester_at_infinity_is_refused() -> None:
    with pytest.raises(PrivateJobError, match="ownership proof: schnorr public key"):
        open_private_job(JOB, VALIDATORS[0], None)


# -- a requester who lies: caught after the proof, still before running ----------------------


def test_an_input_that_does_not_open_the_commitment_is_refused() -> None:
    job = signed_job(bytes(31) + b"\x05" + INPUT, value_of_bytes(b"not the input"))
    with pytest.raises(PrivateJobError, match="does not open the input commitment"):
        open_private_job(job, VALIDATORS[0], REQUESTER.public)


def test_the_blinding_is_the_one_in_the_envelope() -> None:
    job = signed_job(bytes(31) + b"\x06" + INPUT, value_of_bytes(INPUT), blinding=5)
    with pytest.raises(PrivateJobError, match="does not open the input commitment"):
        open_private_job(job, VALIDATORS[0], REQUESTER.public)
    honest = signed_job(bytes(31) + b"\x05" + INPUT, value_of_bytes(INPUT), blinding=5)
    assert open_private_job(honest, VALIDATORS[0], REQUESTER.public).input == INPUT


def test_an_envelope_sealed_for_another_job_id_is_refused() -> None:
    job = signed_job(bytes(32) + INPUT, value_of_bytes(INPUT), associated_data=OTHER_JOB_ID)
    with pytest.raises(PrivateJobError, match="sealed for another job id"):
        open_private_job(job, VALIDATORS[0], REQUESTER.public)


@pytest.mark.parametrize(
    ("plaintext", "problem"),
    [(bytes(31), "blinding: truncated"), (FR_MODULUS.to_bytes(32, "big"), "blinding")],
)
def test_an_envelope_without_a_valid_blinding_is_refused(plaintext: bytes, problem: str) -> None:
    job = signed_job(plaintext, 0)
    with pytest.raises(PrivateJobError, match=problem):
        open_private_job(job, VALIDATORS[0], REQUESTER.public)


# -- bad arguments --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 31, 33])
def test_a_job_id_of_the_wrong_length_is_refused(size: int) -> None:
    message = f"job id is {size} bytes, not 32"
    with pytest.raises(PrivateJobError, match=message):
        build_private_job(INPUT, REQUESTER, bytes(size), COHORT)
    with pytest.raises(PrivateJobError, match=message):
        dataclasses.replace(JOB, job_id=bytes(size))
    with pytest.raises(PrivateJobError, match=message):
        seal_job_output(SECRETS.job_key, b"out", bytes(size))
    with pytest.raises(PrivateJobError, match=message):
        open_job_output(SECRETS.job_key, b"out", bytes(size))


def test_a_job_needs_a_cohort() -> None:
    with pytest.raises(PrivateJobError, match="cohort names no validator"):
        build_private_job(INPUT, REQUESTER, JOB_ID, [], STANDBY)


def test_a_validator_in_both_cohort_and_standby_is_refused() -> None:
    with pytest.raises(EnvelopeError, match="listed twice"):
        build_private_job(INPUT, REQUESTER, JOB_ID, COHORT, COHORT[:1])


# -- the output -------------------------------------------------------------------------------


def test_two_validators_seal_identical_outputs_that_the_requester_opens() -> None:
    sealed = {
        seal_job_output(open_private_job(JOB, key, REQUESTER.public).job_key, b"14", JOB_ID)
        for key in VALIDATORS[:3]
    }
    assert len(sealed) == 1
    assert open_job_output(SECRETS.job_key, sealed.pop(), JOB_ID) == b"14"


@settings(max_examples=30)
@given(st.lists(st.binary(max_size=64), min_size=2, max_size=6, unique=True))
def test_different_outputs_never_share_a_nonce(outputs: list[bytes]) -> None:
    nonces = {seal_job_output(SECRETS.job_key, output, JOB_ID)[5:17] for output in outputs}
    assert len(nonces) == len(outputs)


@settings(max_examples=20)
@given(st.binary(max_size=100))
def test_the_output_round_trips(output: bytes) -> None:
    assert (
        open_job_output(SECRETS.job_key, seal_job_output(SECRETS.job_key, output, JOB_ID), JOB_ID)
        == output
    )


def test_an_output_opens_only_for_its_job_and_key() -> None:
    sealed = seal_job_output(SECRETS.job_key, b"14", JOB_ID)
    with pytest.raises(EnvelopeError, match="failed authentication"):
        open_job_output(SECRETS.job_key, sealed, OTHER_JOB_ID)
    with pytest.raises(EnvelopeError, match="failed authentication"):
        open_job_output(new_job_key(), sealed, JOB_ID)


@settings(max_examples=30)
@given(st.data())
def test_a_changed_output_byte_is_refused(data: st.DataObject) -> None:
    sealed = seal_job_output(SECRETS.job_key, b"the output", JOB_ID)
    index = data.draw(st.integers(0, len(sealed) - 1))
    with pytest.raises(EnvelopeError):
        open_job_output(
            SECRETS.job_key, flip(sealed, index, data.draw(st.integers(1, 255))), JOB_ID
        )
