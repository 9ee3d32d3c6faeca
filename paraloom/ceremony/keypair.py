"""A contribution's secret x and its proof of knowledge, derived as snarkjs derives them.

From one random stream, in this order: x ← Fr, s ← G1 (both ``fromRng``), then s·x, the
transcript T over the history and (s, s·x), r = hashToG2(T) and r·x. The order matters only
for a beacon, whose stream is public: anyone replays it and must find the same x and s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from paraloom.ceremony.hash_to_g2 import hash_to_g2, random_g1
from paraloom.formats.fields import FR

if TYPE_CHECKING:
    from paraloom.ceremony.chacha import ChaChaRng
    from paraloom.ceremony.transcript import Transcript
    from paraloom.math.backend import AnyCurveBackend, G1Affine, G2Affine


@dataclass(frozen=True)
class DeltaKey:
    """The secret x (never stored) and the public proof that its holder knows it."""

    secret: int
    g1_s: G1Affine
    g1_sx: G1Affine
    g2_spx: G2Affine
    transcript: bytes


def draw_secret(backend: AnyCurveBackend, rng: ChaChaRng) -> tuple[int, G1Affine, G1Affine]:
    """(x, s, s·x): the first draws of a contribution's stream."""
    secret = rng.element(FR)
    g1_s = random_g1(rng)
    g1_sx = backend.g1_to_affine(backend.g1_mul(backend.g1_from_affine(g1_s), secret))
    return secret, g1_s, g1_sx


def derive_key(backend: AnyCurveBackend, rng: ChaChaRng, transcript: Transcript) -> DeltaKey:
    """The whole key of the next contribution to ``transcript``."""
    secret, g1_s, g1_sx = draw_secret(backend, rng)
    challenge = transcript.challenge(g1_s, g1_sx)
    r = backend.g2_from_affine(hash_to_g2(challenge))
    g2_spx = backend.g2_to_affine(backend.g2_mul(r, secret))
    return DeltaKey(secret, g1_s, g1_sx, g2_spx, challenge)
