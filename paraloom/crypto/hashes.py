"""Byte-oriented hashes from the standard library, behind the HashFunction contract."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

#: The byte hashes paraloom uses and their digest sizes: SHA-256 for identities and proofs of
#: execution, BLAKE2b-512 for ceremony transcripts (as snarkjs does).
HASHLIB_DIGEST_SIZES: dict[str, int] = {"sha256": 32, "blake2b": 64}


@dataclass(frozen=True)
class HashlibHash:
    """A hashlib algorithm with a fixed digest size."""

    algorithm: str
    digest_size: int

    def digest(self, data: bytes) -> bytes:
        return hashlib.new(self.algorithm, data).digest()


def hashlib_hash(algorithm: str) -> HashlibHash:
    """The hash named ``algorithm`` ("sha256" or "blake2b")."""
    return HashlibHash(algorithm, HASHLIB_DIGEST_SIZES[algorithm])
