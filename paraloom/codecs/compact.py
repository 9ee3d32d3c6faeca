"""``compact``: arkworks' compressed serialization of ark-groth16's types over ark-bn254.

Byte-compatible with ``CanonicalSerialize::serialize_compressed`` of ``Proof<Bn254>``,
``VerifyingKey<Bn254>`` and ``Vec<Fr>``, so the arkworks plugin and Rust programs read these
bytes directly. Points as in :mod:`paraloom.codecs.compressed` (G1 32 bytes, G2 64 bytes,
little-endian x with the y-sign and infinity flags in the top bits of the last byte).

proof  (128 bytes)      A (32) ‖ B (64) ‖ C (32)
key    (232 + 32·n)     alpha_g1 (32) ‖ beta_g2 (64) ‖ gamma_g2 (64) ‖ delta_g2 (64)
                        ‖ n as u64 little-endian (8) ‖ gamma_abc_g1 = IC[0..n] (32 each)
public (8 + 32·m)       m as u64 little-endian (8) ‖ m scalars, 32 bytes little-endian, < r

A key has at least one IC point (n ≥ 1); e(alpha, beta) is not stored.
"""

from __future__ import annotations

from paraloom.codecs import compressed
from paraloom.codecs.binary import BinaryCodec, PointEncoding

FORMAT_ID = "ark-groth16-bn254-compressed"

POINTS = PointEncoding(
    g1_size=compressed.G1_SIZE,
    g2_size=compressed.G2_SIZE,
    encode_g1=compressed.encode_g1,
    decode_g1=compressed.decode_g1,
    encode_g2=compressed.encode_g2,
    decode_g2=compressed.decode_g2,
    encode_scalar=compressed.encode_scalar,
    decode_scalar=compressed.decode_scalar,
)


class CompactCodec(BinaryCodec):
    """Compressed points: the smallest layout, and arkworks' own."""

    format_id = FORMAT_ID
    LAYOUT = "compact"
    POINTS = POINTS
    IC_COUNT_WIDTH = 8
    PUBLIC_COUNT_WIDTH = 8
