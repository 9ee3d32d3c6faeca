"""The hashes of a phase-2 transcript, in snarkjs' (and phase2-bn254's) exact layout.

All are BLAKE2b-512 over points in bellman's uncompressed encoding ("U"):

- the *public key* of a contribution is U(deltaAfter) ‖ U(s) ‖ U(s·x) ‖ U(r·x) ‖ T (384 bytes);
- its *transcript* T = H(csHash ‖ public keys of all earlier contributions ‖ U(s) ‖ U(s·x)),
  which binds the proof of knowledge to everything before it, so a contribution cannot be
  replayed onto another circuit or another history;
- its *contribution hash* = H(public key): what a participant publishes and later looks for.

snarkjs prints hashes as 16 big-endian 32-bit words in hex, four lines of four, each line
indented by two tabs (:func:`format_hash`); coordinators scrape that block from logs, so it is
reproduced exactly.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from paraloom.formats.points import g1_uncompressed, g2_uncompressed

if TYPE_CHECKING:
    from collections.abc import Iterable

    from paraloom.formats.zkey import ZkeyContribution
    from paraloom.math.backend import G1Affine

HASH_SIZE = 64
#: The layout above (snarkjs 0.7's); a ceremony scheme spec announces it.
TRANSCRIPT_VERSION = 1
_WORDS_PER_LINE = 4
_WORD_BYTES = 4


def public_key_bytes(contribution: ZkeyContribution) -> bytes:
    """What snarkjs' ``hashPubKey`` feeds a hasher for one contribution."""
    return b"".join(
        (
            g1_uncompressed(contribution.delta_after),
            g1_uncompressed(contribution.g1_s),
            g1_uncompressed(contribution.g1_sx),
            g2_uncompressed(contribution.g2_spx),
            contribution.transcript,
        )
    )


def contribution_hash(contribution: ZkeyContribution) -> bytes:
    return hashlib.blake2b(public_key_bytes(contribution), digest_size=HASH_SIZE).digest()


class Transcript:
    """The running hash over the circuit hash and every contribution accepted so far."""

    def __init__(self, cs_hash: bytes, contributions: Iterable[ZkeyContribution] = ()) -> None:
        self._hasher = hashlib.blake2b(cs_hash, digest_size=HASH_SIZE)
        for contribution in contributions:
            self.append(contribution)

    def append(self, contribution: ZkeyContribution) -> None:
        self._hasher.update(public_key_bytes(contribution))

    def challenge(self, g1_s: G1Affine, g1_sx: G1Affine) -> bytes:
        """T for the next contribution, whose proof of knowledge is (s, s·x)."""
        hasher = self._hasher.copy()
        hasher.update(g1_uncompressed(g1_s) + g1_uncompressed(g1_sx))
        return hasher.digest()


def format_hash(digest: bytes, title: str | None = None) -> str:
    """snarkjs' ``formatHash``: four lines of four big-endian words, each line after two tabs."""
    line_bytes = _WORDS_PER_LINE * _WORD_BYTES
    lines = [
        "\t\t"
        + " ".join(
            digest[start : start + _WORD_BYTES].hex()
            for start in range(offset, offset + line_bytes, _WORD_BYTES)
        )
        for offset in range(0, len(digest), line_bytes)
    ]
    return "\n".join(lines if title is None else [title, *lines])
