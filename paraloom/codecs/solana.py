"""``solana``: the layout Solana's alt_bn128 syscalls and the groth16-solana crate take.

Points as in :mod:`paraloom.codecs.altbn128`: big-endian coordinates, G1 = x ‖ y (64 bytes),
G2 = x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0 (128 bytes, imaginary part first), infinity all zero.

proof  (256 bytes)      A (64) ‖ B (128) ‖ C (64); A as the prover made it, NOT negated
                        (groth16-solana's caller negates A before the pairing check)
key    (452 + 64·n)     alpha (64) ‖ beta (128) ‖ gamma (128) ‖ delta (128)
                        ‖ n as u32 little-endian (4) ‖ IC[0..n] (64 each)
public (32·m)           m scalars, 32 bytes big-endian each, < r; m is the length / 32

A key has at least one IC point (n ≥ 1); e(alpha, beta) is not stored.
"""

from __future__ import annotations

from paraloom.codecs import altbn128
from paraloom.codecs.binary import BinaryCodec, PointEncoding

FORMAT_ID = "solana-alt_bn128-groth16"

POINTS = PointEncoding(
    g1_size=altbn128.G1_SIZE,
    g2_size=altbn128.G2_SIZE,
    encode_g1=altbn128.encode_g1,
    decode_g1=altbn128.decode_g1,
    encode_g2=altbn128.encode_g2,
    decode_g2=altbn128.decode_g2,
    encode_scalar=altbn128.encode_scalar,
    decode_scalar=altbn128.decode_scalar,
)


class SolanaCodec(BinaryCodec):
    """What an on-chain verifier reads without conversion."""

    format_id = FORMAT_ID
    LAYOUT = "solana"
    POINTS = POINTS
    IC_COUNT_WIDTH = 4
    PUBLIC_COUNT_WIDTH = 0
