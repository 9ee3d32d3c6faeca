"""Curve points drawn from a ChaCha stream: snarkjs' ``G.fromRng`` and hashToG2.

A phase-2 proof of knowledge pairs the contributor's secret with r = hashToG2(transcript), a
G2 point nobody knows the discrete log of. Verifiers recompute r, so the sampling must be
bit-exact with snarkjs and phase2-bn254 (ffjavascript ``WasmCurve.fromRng``):

1. x ← the field's ``fromRng`` (Fq, or Fq2 as c0 then c1), then one word decides the sign
   ("greatest"); repeat while x³ + b is not a square;
2. y = a square root, negated when ``greatest`` differs from y being "negative" (its last
   non-zero coordinate above (q - 1)/2), so the sign does not depend on the root algorithm;
3. G2 only: multiply by the twist's cofactor 2q - r to land in the order-r subgroup.

The same G1 sampling gives a contribution's s (and makes a beacon's key reproducible).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paraloom.ceremony.chacha import ChaChaRng
from paraloom.formats.fields import FQ
from paraloom.math import msm
from paraloom.math.curve import G1_B, G2_B
from paraloom.math.fields import (
    FQ_MODULUS,
    FR_MODULUS,
    fq2_add,
    fq2_mul,
    fq2_sqr,
    fq2_sqrt,
    fq_sqrt,
)
from paraloom.math.groups import G2Group

if TYPE_CHECKING:
    from paraloom.math.backend import G1Affine, G2Affine
    from paraloom.math.fields import Fq2

#: |E'(Fq2)| / r: clears the twist points outside the order-r subgroup.
G2_COFACTOR = 2 * FQ_MODULUS - FR_MODULUS
_HALF_Q = (FQ_MODULUS - 1) // 2


def random_g1(rng: ChaChaRng) -> G1Affine:
    """A G1 point as ffjavascript draws one (G1 has cofactor 1: any curve point will do)."""
    while True:
        x = rng.element(FQ)
        greatest = rng.next_bool()
        root = fq_sqrt((x * x * x + G1_B) % FQ_MODULUS)
        if root is not None:
            y = int(root)
            if greatest != (y > _HALF_Q):
                y = (FQ_MODULUS - y) % FQ_MODULUS
            return x, y


def random_g2(rng: ChaChaRng) -> G2Affine:
    """A point of the order-r subgroup of G2 as ffjavascript draws one."""
    while True:
        x: Fq2 = (rng.element(FQ), rng.element(FQ))
        greatest = rng.next_bool()
        y = fq2_sqrt(fq2_add(fq2_mul(fq2_sqr(x), x), G2_B))
        if y is not None:
            if greatest != _is_negative(y):
                y = (-y[0] % FQ_MODULUS, -y[1] % FQ_MODULUS)
            return _clear_cofactor((x, (int(y[0]), int(y[1]))))


def hash_to_g2(digest: bytes) -> G2Affine:
    """snarkjs' hashToG2: ChaCha seeded with the first 32 bytes of ``digest``."""
    return random_g2(ChaChaRng(digest))


def _is_negative(value: Fq2) -> bool:
    c0, c1 = value
    return (c1 if c1 else c0) > _HALF_Q


def _clear_cofactor(point: G2Affine) -> G2Affine:
    """[2q - r]·point on the twist; the backends only take subgroup points, hence math.msm."""
    (cleared,) = msm.batch_mul(G2Group(), [point], G2_COFACTOR)
    if cleared is None:
        return None
    (x0, x1), (y0, y1) = cleared
    return (int(x0), int(x1)), (int(y0), int(y1))
