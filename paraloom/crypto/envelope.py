"""The envelope of private jobs: AES-256-GCM under a job key wrapped to X25519 recipients.

Protocol, version 1 (others reimplement it, so every choice is fixed here; integers are
big-endian, HKDF is HKDF-SHA256 of RFC 5869, AES-GCM has 12-byte nonces and 16-byte tags):

Job key and subkeys. A job key is 32 random bytes. From it, HKDF with no salt derives
  input key  = HKDF(job key, info = b"paraloom/envelope/v1/input"),
  output key = HKDF(job key, info = b"paraloom/envelope/v1/output"),
  output MAC key = HKDF(job key, info = b"paraloom/envelope/v1/output-nonce"),
each 32 bytes, so the input and the output never share a key.

Envelope (:func:`seal`, :func:`open_envelope`)::

    magic b"PLEV" (4) ‖ version 0x01 (1) ‖ ephemeral X25519 public key (32)
    ‖ recipient count n (2, 1 ≤ n ≤ 65535)
    ‖ n times (recipient X25519 public key (32) ‖ wrapped job key (48))
    ‖ associated data length (4) ‖ associated data ‖ nonce (12)
    ‖ ciphertext ‖ tag (16)

- The sender makes a fresh ephemeral X25519 key per envelope. For recipient i,
  KEK_i = HKDF(X25519(ephemeral, recipient_i), salt = ephemeral public ‖ recipient_i public,
  info = b"paraloom/envelope/v1/wrap") and wrapped_i = AES-GCM(KEK_i, nonce = 12 zero bytes,
  job key, no associated data). A KEK is used exactly once, so the fixed nonce is safe.
  Recipients are listed in the clear: the coordinator names the cohort anyway, and a recipient
  finds its slot without trial decryption. Duplicate recipients are refused.
- The content is AES-GCM(input key, random nonce, plaintext, associated data = the header),
  the header being every byte before the ciphertext. Since the header includes the
  ephemeral key, every recipient slot, the associated data and the nonce, changing any byte
  of the envelope makes opening fail for every recipient.
- The associated data (a job id, say) travels in the clear and is authenticated; opening
  returns it, and the caller checks it against what it expected.

Output (:func:`seal_output`, :func:`open_output`): honest validators running the same job
must produce identical ciphertexts, so the nonce is derived SIV-style rather than drawn:
  nonce = HMAC-SHA256(output MAC key, len(ad) (8) ‖ ad ‖ output)[:12],
  sealed = b"PLEO" ‖ 0x01 ‖ nonce ‖ AES-GCM(output key, nonce, output, ad).
Two different outputs get different nonces (up to a 96-bit collision), and opening also
recomputes the nonce from the decrypted output, refusing ciphertexts that did not follow the
rule.

Failures are :class:`~paraloom.errors.EnvelopeError`, with no partial plaintext: AES-GCM
checks the tag before releasing anything.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from paraloom.codecs.reader import ByteReader
from paraloom.errors import EnvelopeError, FormatError

VERSION = 1
MAGIC = b"PLEV"
OUTPUT_MAGIC = b"PLEO"
KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
WRAPPED_KEY_SIZE = KEY_SIZE + TAG_SIZE
MAX_RECIPIENTS = 0xFFFF

_INFO = b"paraloom/envelope/v1/"
_WRAP_NONCE = bytes(NONCE_SIZE)


def new_job_key() -> bytes:
    """32 random bytes; a requester who wants to read the output keeps it and passes it on."""
    return os.urandom(KEY_SIZE)


@dataclass(frozen=True)
class RecipientSlot:
    """One recipient's public key and the job key wrapped to it."""

    public_key: bytes
    wrapped_key: bytes


@dataclass(frozen=True)
class Envelope:
    """A parsed envelope (module docstring for the layout); parsing authenticates nothing."""

    ephemeral_public_key: bytes
    recipients: tuple[RecipientSlot, ...]
    associated_data: bytes
    nonce: bytes
    ciphertext: bytes

    def header(self) -> bytes:
        """Every byte before the ciphertext: the content's associated data."""
        slots = b"".join(slot.public_key + slot.wrapped_key for slot in self.recipients)
        return b"".join(
            (
                MAGIC,
                bytes([VERSION]),
                self.ephemeral_public_key,
                len(self.recipients).to_bytes(2, "big"),
                slots,
                len(self.associated_data).to_bytes(4, "big"),
                self.associated_data,
                self.nonce,
            )
        )

    def to_bytes(self) -> bytes:
        return self.header() + self.ciphertext

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        """The strict parser: magic, version, counts and lengths must all agree."""
        try:
            return _parse_envelope(ByteReader(data, "envelope"))
        except FormatError as error:
            raise EnvelopeError(str(error)) from None


@dataclass(frozen=True)
class OpenedEnvelope:
    """What a recipient gets: the plaintext, the authenticated associated data, the job key."""

    plaintext: bytes
    associated_data: bytes
    job_key: bytes


def seal(
    plaintext: bytes,
    recipients: Sequence[bytes],
    associated_data: bytes = b"",
    *,
    job_key: bytes | None = None,
) -> bytes:
    """Encrypt ``plaintext`` so that each raw 32-byte X25519 public key in ``recipients`` opens it.

    ``job_key`` defaults to a fresh one; pass your own (see :func:`new_job_key`) to read the
    output the recipients seal with :func:`seal_output`.
    """
    key = new_job_key() if job_key is None else _require_key(job_key, "job key")
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    slots = tuple(
        RecipientSlot(public, _wrap(ephemeral, ephemeral_public, public, key))
        for public in _require_recipients(recipients)
    )
    if len(associated_data) >= 1 << 32:
        raise EnvelopeError("associated data longer than 2^32 - 1 bytes")
    unsealed = Envelope(ephemeral_public, slots, associated_data, os.urandom(NONCE_SIZE), b"")
    ciphertext = AESGCM(_subkey(key, b"input")).encrypt(
        unsealed.nonce, plaintext, unsealed.header()
    )
    return unsealed.header() + ciphertext


def open_envelope(data: bytes, private_key: X25519PrivateKey) -> OpenedEnvelope:
    """Authenticate and decrypt ``data`` with a recipient's key; any failure is EnvelopeError."""
    envelope = Envelope.from_bytes(data)
    public = private_key.public_key().public_bytes_raw()
    slot = next((s for s in envelope.recipients if s.public_key == public), None)
    if slot is None:
        raise EnvelopeError("this envelope is not addressed to the given private key")
    shared = _exchange(private_key, envelope.ephemeral_public_key)
    kek = _kek(shared, envelope.ephemeral_public_key, public)
    job_key = _decrypt(kek, _WRAP_NONCE, slot.wrapped_key, b"", "the wrapped job key")
    plaintext = _decrypt(
        _subkey(job_key, b"input"), envelope.nonce, envelope.ciphertext, envelope.header(), "data"
    )
    return OpenedEnvelope(plaintext, envelope.associated_data, job_key)


def seal_output(job_key: bytes, output: bytes, associated_data: bytes = b"") -> bytes:
    """Deterministic encryption of a job's output (module docstring): same input, same bytes."""
    key = _require_key(job_key, "job key")
    nonce = _output_nonce(key, output, associated_data)
    ciphertext = AESGCM(_subkey(key, b"output")).encrypt(nonce, output, associated_data)
    return OUTPUT_MAGIC + bytes([VERSION]) + nonce + ciphertext


def open_output(job_key: bytes, sealed: bytes, associated_data: bytes = b"") -> bytes:
    """The output sealed by :func:`seal_output`, after checking its tag and derived nonce."""
    key = _require_key(job_key, "job key")
    prefix = OUTPUT_MAGIC + bytes([VERSION])
    if len(sealed) < len(prefix) + NONCE_SIZE + TAG_SIZE or not sealed.startswith(prefix):
        raise EnvelopeError("sealed output: not a version-1 sealed output or truncated")
    body = sealed[len(prefix) :]
    nonce, ciphertext = body[:NONCE_SIZE], body[NONCE_SIZE:]
    output = _decrypt(_subkey(key, b"output"), nonce, ciphertext, associated_data, "output")
    if not hmac.compare_digest(nonce, _output_nonce(key, output, associated_data)):
        raise EnvelopeError("sealed output: the nonce was not derived from the output")
    return output


# -- internals ------------------------------------------------------------------------------


def _hkdf(secret: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=salt, info=info).derive(secret)


def _subkey(job_key: bytes, purpose: bytes) -> bytes:
    return _hkdf(job_key, _INFO + purpose)


def _exchange(private: X25519PrivateKey, peer: bytes) -> bytes:
    try:
        return private.exchange(X25519PublicKey.from_public_bytes(peer))
    except ValueError:
        raise EnvelopeError("X25519 key agreement failed: a low-order public key") from None


def _kek(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    """The key that wraps the job key for one recipient; both sides derive it alike."""
    return _hkdf(shared, _INFO + b"wrap", salt=ephemeral_public + recipient_public)


def _wrap(
    ephemeral: X25519PrivateKey, ephemeral_public: bytes, recipient: bytes, job_key: bytes
) -> bytes:
    kek = _kek(_exchange(ephemeral, recipient), ephemeral_public, recipient)
    return AESGCM(kek).encrypt(_WRAP_NONCE, job_key, None)


def _decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes, what: str) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise EnvelopeError(f"envelope: {what} failed authentication (tampered?)") from None


def _output_nonce(key: bytes, output: bytes, associated_data: bytes) -> bytes:
    framed = len(associated_data).to_bytes(8, "big") + associated_data + output
    return hmac.new(_subkey(key, b"output-nonce"), framed, hashlib.sha256).digest()[:NONCE_SIZE]


def _require_key(key: bytes, what: str) -> bytes:
    if len(key) != KEY_SIZE:
        raise EnvelopeError(f"{what} is {len(key)} bytes, not {KEY_SIZE}")
    return bytes(key)


def _require_recipients(recipients: Sequence[bytes]) -> list[bytes]:
    if not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise EnvelopeError(f"an envelope needs 1 to {MAX_RECIPIENTS} recipients")
    keys = [_require_key(key, f"recipient {i} public key") for i, key in enumerate(recipients)]
    if len(set(keys)) != len(keys):
        raise EnvelopeError("a recipient public key is listed twice")
    return keys


def _parse_envelope(reader: ByteReader) -> Envelope:
    reader.expect_header(MAGIC, VERSION)
    ephemeral = reader.take(KEY_SIZE, "ephemeral public key")
    count = int.from_bytes(reader.take(2, "recipient count"), "big")
    if count == 0:
        raise reader.error("recipient count", "zero recipients")
    slots = tuple(
        RecipientSlot(
            reader.take(KEY_SIZE, f"recipient {i} public key"),
            reader.take(WRAPPED_KEY_SIZE, f"recipient {i} wrapped key"),
        )
        for i in range(count)
    )
    if len({slot.public_key for slot in slots}) != count:
        raise reader.error("recipients", "a recipient public key is listed twice")
    ad_length = int.from_bytes(reader.take(4, "associated data length"), "big")
    associated_data = reader.take(ad_length, "associated data")
    nonce = reader.take(NONCE_SIZE, "nonce")
    if reader.remaining < TAG_SIZE:
        raise reader.error("ciphertext", f"{reader.remaining} bytes, shorter than the tag")
    ciphertext = reader.take(reader.remaining, "ciphertext")
    return Envelope(ephemeral, slots, associated_data, nonce, ciphertext)
