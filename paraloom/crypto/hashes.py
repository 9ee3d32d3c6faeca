"""Byte-oriented hashes from the standard library, and the field-element side every hash shares.

Every hash component hashes both bytes (``digest``) and sequences of Fr elements
(``hash_elements``), so a caller that commits to field elements (a Merkle tree, a nullifier)
works with whichever hash the config selects. A byte hash defines ``hash_elements`` as: each
element as 32 bytes big-endian, concatenated, hashed, and the digest read big-endian mod r.
The reduction is slightly biased (2^256 mod r is not 0) and a 32-byte digest carries about 254
bits after it, which is what fits in one element.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Sequence
from dataclasses import dataclass

from paraloom.errors import InvalidScalarError
from paraloom.math.fields import FR_MODULUS

#: The byte hashes paraloom uses and their digest sizes: SHA-256 for identities and proofs of
#: execution, BLAKE2b-512 for ceremony transcripts (as snarkjs does).
HASHLIB_DIGEST_SIZES: dict[str, int] = {"sha256": 32, "blake2b": 64}

ELEMENT_BYTES = 32
"""Bytes per element when a byte hash hashes field elements."""


@dataclass(frozen=True)
class HashlibHash:
    """A hashlib algorithm with a fixed digest size."""

    algorithm: str
    digest_size: int

    def digest(self, data: bytes) -> bytes:
        return hashlib.new(self.algorithm, data).digest()

    def hash_elements(self, elements: Sequence[int]) -> int:
        """The digest of the elements as 32-byte big-endian words, big-endian mod r."""
        require_elements(elements, "hash input")
        data = b"".join(int(value).to_bytes(ELEMENT_BYTES, "big") for value in elements)
        return int.from_bytes(self.digest(data), "big") % FR_MODULUS


def hashlib_hash(algorithm: str) -> HashlibHash:
    """The hash named ``algorithm`` ("sha256" or "blake2b")."""
    return HashlibHash(algorithm, HASHLIB_DIGEST_SIZES[algorithm])


def require_elements(values: Sequence[object], what: str) -> None:
    """Refuse anything but integers in [0, r): hashes must not reduce, round or coerce inputs.

    Reducing silently would make x and x + r collide; the message names the first bad index.
    """
    for index, value in enumerate(values):
        if isinstance(value, bool) or not hasattr(value, "__index__"):
            raise InvalidScalarError(
                f"{what} at index {index} is {value!r} ({type(value).__name__}), not an integer"
            )
        if not 0 <= operator.index(value) < FR_MODULUS:
            raise InvalidScalarError(f"{what} at index {index} is {value}, not in [0, r)")
