"""The AES-256-GCM envelope: round trips, the documented layout, and tampering anywhere."""

from __future__ import annotations

import os

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from paraloom.crypto.envelope import (
    Envelope,
    new_job_key,
    open_envelope,
    open_output,
    seal,
    seal_output,
)
from paraloom.errors import EnvelopeError

KEYS = [X25519PrivateKey.from_private_bytes(bytes([i]) * 32) for i in range(1, 5)]
PUBLIC = [key.public_key().public_bytes_raw() for key in KEYS]
STRANGER = X25519PrivateKey.from_private_bytes(bytes([99]) * 32)

payloads = st.binary(max_size=300)


def hkdf(secret: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


@settings(max_examples=25)
@given(payloads, st.binary(max_size=50), st.integers(1, 4))
def test_every_recipient_opens_what_was_sealed(plaintext: bytes, ad: bytes, count: int) -> None:
    envelope = seal(plaintext, PUBLIC[:count], ad)
    openings = [open_envelope(envelope, key) for key in KEYS[:count]]
    assert {(o.plaintext, o.associated_data) for o in openings} == {(plaintext, ad)}
    assert len({o.job_key for o in openings}) == 1


def test_a_given_job_key_is_the_one_recipients_get() -> None:
    job_key = new_job_key()
    assert open_envelope(seal(b"x", PUBLIC[:2], job_key=job_key), KEYS[1]).job_key == job_key


def test_sealing_is_randomised() -> None:
    assert seal(b"same", PUBLIC[:1]) != seal(b"same", PUBLIC[:1])


def test_the_layout_is_the_documented_one() -> None:
    """Open an envelope by hand from the module docstring, without paraloom's opener."""
    data = seal(b"the input", PUBLIC[:2], b"job-42")
    assert data[:5] == b"PLEV\x01"
    ephemeral = data[5:37]
    assert int.from_bytes(data[37:39], "big") == 2
    slots = [data[39 + 80 * i : 39 + 80 * (i + 1)] for i in range(2)]
    assert [slot[:32] for slot in slots] == PUBLIC[:2]
    offset = 39 + 160
    ad_length = int.from_bytes(data[offset : offset + 4], "big")
    assert data[offset + 4 : offset + 4 + ad_length] == b"job-42"
    nonce_end = offset + 4 + ad_length + 12
    shared = KEYS[1].exchange(X25519PublicKey.from_public_bytes(ephemeral))
    kek = hkdf(shared, b"paraloom/envelope/v1/wrap", ephemeral + PUBLIC[1])
    job_key = AESGCM(kek).decrypt(bytes(12), slots[1][32:], None)
    input_key = hkdf(job_key, b"paraloom/envelope/v1/input")
    nonce = data[nonce_end - 12 : nonce_end]
    assert AESGCM(input_key).decrypt(nonce, data[nonce_end:], data[:nonce_end]) == b"the input"


def test_a_stranger_cannot_open() -> None:
    with pytest.raises(EnvelopeError, match="not addressed"):
        open_envelope(seal(b"secret", PUBLIC[:3]), STRANGER)


def test_flipping_any_bit_of_any_byte_is_detected_by_every_recipient() -> None:
    envelope = seal(b"private job input", PUBLIC[:2], b"job-1")
    for index in range(len(envelope)):
        for bit in (0x01, 0x80):
            damaged = bytearray(envelope)
            damaged[index] ^= bit
            for key in KEYS[:2]:
                with pytest.raises(EnvelopeError):
                    open_envelope(bytes(damaged), key)


def test_every_truncation_and_any_extension_is_detected() -> None:
    envelope = seal(b"private job input", PUBLIC[:1], b"ad")
    for length in range(len(envelope)):
        with pytest.raises(EnvelopeError):
            open_envelope(envelope[:length], KEYS[0])
    with pytest.raises(EnvelopeError):
        open_envelope(envelope + b"\x00", KEYS[0])


@settings(max_examples=25)
@given(payloads, st.data())
def test_random_tampering_is_detected(plaintext: bytes, data: st.DataObject) -> None:
    envelope = bytearray(seal(plaintext, PUBLIC[:2]))
    index = data.draw(st.integers(0, len(envelope) - 1))
    envelope[index] ^= data.draw(st.integers(1, 255))
    with pytest.raises(EnvelopeError):
        open_envelope(bytes(envelope), KEYS[0])


def test_swapping_in_another_recipients_slot_is_detected() -> None:
    """A slot re-encrypted by an attacker who knows the job key still breaks the header tag."""
    envelope = Envelope.from_bytes(seal(b"x", PUBLIC[:2]))
    reordered = Envelope(
        envelope.ephemeral_public_key,
        envelope.recipients[::-1],
        envelope.associated_data,
        envelope.nonce,
        envelope.ciphertext,
    )
    with pytest.raises(EnvelopeError, match="data failed authentication"):
        open_envelope(reordered.to_bytes(), KEYS[0])


def test_parsing_names_what_is_wrong() -> None:
    envelope = seal(b"x", PUBLIC[:2])
    with pytest.raises(EnvelopeError, match="magic"):
        Envelope.from_bytes(b"XXXX" + envelope[4:])
    with pytest.raises(EnvelopeError, match="version: 2 is not the supported version 1"):
        Envelope.from_bytes(envelope[:4] + b"\x02" + envelope[5:])
    with pytest.raises(EnvelopeError, match="zero recipients"):
        Envelope.from_bytes(envelope[:37] + b"\x00\x00" + envelope[39:])
    duplicated = envelope[:119] + envelope[39:119] + envelope[199:]
    with pytest.raises(EnvelopeError, match="listed twice"):
        Envelope.from_bytes(duplicated)
    with pytest.raises(EnvelopeError, match="shorter than the tag"):
        Envelope.from_bytes(envelope[: len(envelope) - 17])
    assert Envelope.from_bytes(envelope).to_bytes() == envelope


@pytest.mark.parametrize(
    ("recipients", "message"),
    [
        ([], "1 to 65535 recipients"),
        ([PUBLIC[0], PUBLIC[0]], "listed twice"),
        ([PUBLIC[0][:31]], "recipient 0 public key is 31 bytes"),
        ([PUBLIC[0], bytes(32)], "low-order public key"),
    ],
)
def test_bad_recipients_are_refused(recipients: list[bytes], message: str) -> None:
    with pytest.raises(EnvelopeError, match=message):
        seal(b"x", recipients)


def test_bad_job_keys_are_refused() -> None:
    with pytest.raises(EnvelopeError, match="job key is 16 bytes"):
        seal(b"x", PUBLIC[:1], job_key=bytes(16))
    with pytest.raises(EnvelopeError, match="job key is 0 bytes"):
        seal_output(b"", b"out")


# -- outputs ---------------------------------------------------------------------------------


@settings(max_examples=25)
@given(payloads, st.binary(max_size=40))
def test_sealed_outputs_round_trip_and_are_deterministic(output: bytes, ad: bytes) -> None:
    job_key = bytes(range(32))
    sealed = seal_output(job_key, output, ad)
    assert sealed == seal_output(job_key, output, ad)
    assert open_output(job_key, sealed, ad) == output


@given(payloads, payloads)
def test_different_outputs_get_different_nonces(first: bytes, second: bytes) -> None:
    assume(first != second)
    job_key = bytes(range(32))
    assert seal_output(job_key, first)[5:17] != seal_output(job_key, second)[5:17]


def test_outputs_and_inputs_use_separate_keys() -> None:
    job_key = new_job_key()
    sealed = seal_output(job_key, b"out")
    input_key = hkdf(job_key, b"paraloom/envelope/v1/input")
    with pytest.raises(InvalidTag):
        AESGCM(input_key).decrypt(sealed[5:17], sealed[17:], b"")
    output_key = hkdf(job_key, b"paraloom/envelope/v1/output")
    assert AESGCM(output_key).decrypt(sealed[5:17], sealed[17:], b"") == b"out"


def test_tampered_outputs_are_refused() -> None:
    job_key = new_job_key()
    sealed = seal_output(job_key, b"the result", b"job-1")
    for index in range(len(sealed)):
        damaged = bytearray(sealed)
        damaged[index] ^= 0x01
        with pytest.raises(EnvelopeError):
            open_output(job_key, bytes(damaged), b"job-1")
    with pytest.raises(EnvelopeError, match="failed authentication"):
        open_output(job_key, sealed, b"job-2")
    with pytest.raises(EnvelopeError, match="failed authentication"):
        open_output(new_job_key(), sealed, b"job-1")
    with pytest.raises(EnvelopeError, match="truncated"):
        open_output(job_key, sealed[:32], b"job-1")


def test_outputs_with_a_nonce_not_derived_from_them_are_refused() -> None:
    job_key = new_job_key()
    output_key = hkdf(job_key, b"paraloom/envelope/v1/output")
    nonce = os.urandom(12)
    forged = b"PLEO\x01" + nonce + AESGCM(output_key).encrypt(nonce, b"the result", b"")
    with pytest.raises(EnvelopeError, match="nonce was not derived"):
        open_output(job_key, forged)
