"""Schnorr proofs of knowledge of x with P = x·G on BN254 G1, made non-interactive by Fiat-Shamir.

Protocol (others reimplement it, so every choice is fixed here):

- Keys: a secret x in [1, r), the public key P = x·G with G = (1, 2).
- Proof (R, s): R = k·G for a nonce k, s = k + c·x mod r. Verification accepts when
  s·G = R + c·P. The (R, s) form is kept over (c, s) because the check is then a single
  group equation that an on-chain program can run with alt_bn128 syscalls.
- Challenge: c = SHA-256(transcript) read big-endian, reduced mod r, where
  transcript = frame(domain) ‖ G ‖ P ‖ R ‖ n ‖ frame(bound_1) ‖ ... ‖ frame(bound_n),
  frame(x) = len(x) as 8 bytes big-endian ‖ x, points as 64-byte x ‖ y big-endian, and n the
  number of bound items as 4 bytes big-endian. The framing makes every transcript parse one
  way, so no two (domain, bound data) choices share a challenge. SHA-256 rather than Poseidon:
  the verifiers are native code (nodes, the coordinator, a Solana program with a SHA-256
  syscall), where SHA-256 is fast and standard, and no circuit needs to recompute c. 2^256 mod
  r leaves c slightly biased; its min-entropy stays above 251 bits, far more than soundness
  needs (unlike a nonce, a challenge only has to be unpredictable).
- Nonce: hedged. k = SHA-512(b"paraloom/schnorr/v1/nonce" ‖ x as 32 bytes ‖ the transcript
  without R ‖ 32 fresh random bytes) mod r, retried if zero; the 512-bit reduction keeps k
  unbiased, and a broken RNG alone cannot make two different statements share k. (Only the
  prover sees k, so this is not protocol: any uniform secret k gives valid proofs.)
- Serialised proof: 96 bytes, R (64 bytes, x ‖ y big-endian) ‖ s (32 bytes big-endian). The
  parser takes exactly 96 bytes, coordinates below q, R on the curve and not at infinity, s < r.
- Verification refuses (InvalidPointError) a public key or R that is off the curve or at
  infinity, and (InvalidScalarError) s ≥ r; a well-formed proof that fails the equation is
  simply False.
- Ownership: :func:`sign` is a proof under the domain :data:`OWNERSHIP_DOMAIN` that binds one
  message, so a signature cannot be replayed as a bare proof of knowledge or vice versa.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paraloom.codecs.reader import ByteReader
from paraloom.crypto import g1
from paraloom.errors import InvalidPointError
from paraloom.math.curve import G1_GENERATOR
from paraloom.math.fields import FR_MODULUS

if TYPE_CHECKING:
    from paraloom.math.backend import AnyCurveBackend, G1Affine

#: The default domain of bare proofs of knowledge.
KNOWLEDGE_DOMAIN = b"paraloom/schnorr/v1/knowledge"
#: The domain of ownership signatures over a message.
OWNERSHIP_DOMAIN = b"paraloom/schnorr/v1/ownership"

_NONCE_TAG = b"paraloom/schnorr/v1/nonce"

#: Bytes of a serialised proof: R then s.
PROOF_SIZE = g1.POINT_SIZE + g1.SCALAR_SIZE


@dataclass(frozen=True)
class SchnorrProof:
    """(R, s); ``response`` is checked to be in [0, r) when the proof is built."""

    nonce_point: G1Affine
    response: int

    def __post_init__(self) -> None:
        g1.require_scalar(self.response, "schnorr proof: s")

    def to_bytes(self) -> bytes:
        return g1.encode_point(self.nonce_point) + g1.encode_scalar(self.response)

    @classmethod
    def from_bytes(cls, data: bytes) -> SchnorrProof:
        reader = ByteReader(data, "schnorr proof")
        nonce_point = g1.read_point(reader, "R")
        if nonce_point is None:
            raise InvalidPointError("schnorr proof: R is the point at infinity")
        response = g1.read_scalar(reader, "s")
        reader.finish()
        return cls(nonce_point, response)


@dataclass(frozen=True)
class KeyPair:
    """A secret scalar and its public key x·G."""

    secret: int
    public: G1Affine

    @classmethod
    def from_secret(cls, secret: int, backend: AnyCurveBackend | None = None) -> KeyPair:
        curve = backend or g1.default_backend()
        x = g1.require_nonzero_scalar(secret, "schnorr secret key")
        return cls(x, curve.g1_to_affine(curve.g1_mul(curve.g1_generator(), x)))

    @classmethod
    def generate(cls, backend: AnyCurveBackend | None = None) -> KeyPair:
        """A uniform secret in [1, r) from 64 OS random bytes (the reduction leaves no bias)."""
        secret = 1 + int.from_bytes(os.urandom(64), "big") % (FR_MODULUS - 1)
        return cls.from_secret(secret, backend)


def challenge(
    domain: bytes, public: G1Affine, nonce_point: G1Affine, bound: Sequence[bytes] = ()
) -> int:
    """The Fiat-Shamir challenge c (module docstring for the transcript)."""
    transcript = _statement(domain, public, bound)
    digest = hashlib.sha256(transcript.prefix + g1.encode_point(nonce_point) + transcript.suffix)
    return int.from_bytes(digest.digest(), "big") % FR_MODULUS


def prove(
    secret: int,
    *,
    domain: bytes = KNOWLEDGE_DOMAIN,
    bound: Sequence[bytes] = (),
    backend: AnyCurveBackend | None = None,
) -> SchnorrProof:
    """A proof of knowledge of ``secret`` that binds ``domain`` and every item of ``bound``."""
    curve = backend or g1.default_backend()
    keys = KeyPair.from_secret(secret, curve)
    k = _nonce(keys, _statement(domain, keys.public, bound))
    nonce_point = curve.g1_to_affine(curve.g1_mul(curve.g1_generator(), k))
    c = challenge(domain, keys.public, nonce_point, bound)
    return SchnorrProof(nonce_point, (k + c * keys.secret) % FR_MODULUS)


def verify(
    public: G1Affine,
    proof: SchnorrProof,
    *,
    domain: bytes = KNOWLEDGE_DOMAIN,
    bound: Sequence[bytes] = (),
    backend: AnyCurveBackend | None = None,
) -> bool:
    """Whether s·G - c·P = R; malformed points or scalars raise instead (module docstring)."""
    curve = backend or g1.default_backend()
    p = g1.to_finite_backend(curve, public, "schnorr public key")
    r = g1.to_finite_backend(curve, proof.nonce_point, "schnorr proof: R")
    c = challenge(domain, public, proof.nonce_point, bound)
    combined = curve.g1_msm([curve.g1_generator(), p], [proof.response, (-c) % FR_MODULUS])
    return bool(curve.g1_eq(combined, r))


def sign(secret: int, message: bytes, backend: AnyCurveBackend | None = None) -> SchnorrProof:
    """An ownership signature: proof of knowledge of ``secret`` bound to ``message``."""
    return prove(secret, domain=OWNERSHIP_DOMAIN, bound=(message,), backend=backend)


def verify_signature(
    public: G1Affine, message: bytes, proof: SchnorrProof, backend: AnyCurveBackend | None = None
) -> bool:
    return verify(public, proof, domain=OWNERSHIP_DOMAIN, bound=(message,), backend=backend)


@dataclass(frozen=True)
class _Statement:
    """The transcript around R: everything before it and everything after it."""

    prefix: bytes
    suffix: bytes


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def _statement(domain: bytes, public: G1Affine, bound: Sequence[bytes]) -> _Statement:
    prefix = _frame(domain) + g1.encode_point(G1_GENERATOR) + g1.encode_point(public)
    suffix = len(bound).to_bytes(4, "big") + b"".join(_frame(item) for item in bound)
    return _Statement(prefix, suffix)


def _nonce(keys: KeyPair, statement: _Statement) -> int:
    while True:
        material = _NONCE_TAG + g1.encode_scalar(keys.secret) + statement.prefix
        digest = hashlib.sha512(material + statement.suffix + os.urandom(32)).digest()
        k = int.from_bytes(digest, "big") % FR_MODULUS
        if k:
            return k
