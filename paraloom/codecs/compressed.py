"""Points and scalars in arkworks' canonical compressed serialization for BN254.

This is what ark-serialize writes for ark-bn254's ``G1Affine``, ``G2Affine`` and ``Fr`` with
``Compress::Yes`` (ark-ec's short Weierstrass ``serialize_with_mode`` with ``SWFlags``):

- A base-field element is 32 bytes, little-endian, canonical (below q). q has 254 bits, so the
  top two bits of the last byte are free and carry the point's flags.
- G1 (32 bytes): x, with the flags in byte 31. G2 (64 bytes): x.c0 (32 bytes) then x.c1
  (32 bytes) with the flags in byte 63, the last byte of x.c1.
- Flags: bit 7 (0x80) set means y is the larger of the two roots ("YIsNegative"), bit 6
  (0x40) set means the point at infinity, and both set is invalid. "Larger" is arkworks'
  order: integers for Fq, and for Fq2 lexicographic with c1 compared first, then c0. A root
  is never its own negative here: neither group has a point of order two.
- Infinity is all-zero bytes apart from the 0x40 flag. arkworks ignores x when the infinity
  flag is set; this reader refuses a nonzero x, so that each point has exactly one encoding.
- Fr (32 bytes): the scalar little-endian, below r, no flags.

The decoders return points on the curve with canonical coordinates; the subgroup check for
G2 is :mod:`paraloom.codecs.validation`'s, applied to the decoded object as a whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paraloom.codecs.validation import require_coordinate
from paraloom.errors import FormatError, InvalidPointError
from paraloom.math.curve import G1_B, G2_B
from paraloom.math.fields import (
    FQ_MODULUS,
    fq2,
    fq2_add,
    fq2_mul,
    fq2_neg,
    fq2_sqr,
    fq2_sqrt,
    fq_sqrt,
    require_fr,
)

if TYPE_CHECKING:
    from paraloom.math.backend import G1Affine, G2Affine
    from paraloom.math.fields import Fq2

ELEMENT_SIZE = 32
G1_SIZE = ELEMENT_SIZE
G2_SIZE = 2 * ELEMENT_SIZE

Y_IS_NEGATIVE = 0x80
INFINITY = 0x40
_FLAG_BITS = Y_IS_NEGATIVE | INFINITY
_FLAG_SHIFT = 8 * (ELEMENT_SIZE - 1)


def _with_flags(value: int, flags: int) -> bytes:
    return (value | flags << _FLAG_SHIFT).to_bytes(ELEMENT_SIZE, "little")


def _without_flags(data: bytes, what: str) -> tuple[int, int]:
    """(coordinate, flags) of an element whose last byte carries the flags."""
    flags = data[-1] & _FLAG_BITS
    if flags == _FLAG_BITS:
        raise FormatError(f"{what}: both the infinity and the negative-y flag are set")
    value = int.from_bytes(data, "little") & ~(_FLAG_BITS << _FLAG_SHIFT)
    return require_coordinate(value, what), flags


def _is_larger_fq(y: int) -> bool:
    return y > (FQ_MODULUS - y) % FQ_MODULUS


def _is_larger_fq2(y: Fq2) -> bool:
    negative = fq2_neg(y)
    return (y[1], y[0]) > (negative[1], negative[0])


def _root_flag(larger: bool) -> int:
    return Y_IS_NEGATIVE if larger else 0


def _infinity(x_is_zero: bool, what: str) -> None:
    if not x_is_zero:
        raise FormatError(f"{what}: the infinity flag is set but x is not zero")


def encode_g1(point: G1Affine) -> bytes:
    """x with its flags; ``point`` must already be a valid curve point."""
    if point is None:
        return _with_flags(0, INFINITY)
    x, y = point
    return _with_flags(x, _root_flag(_is_larger_fq(y)))


def decode_g1(data: bytes, what: str) -> G1Affine:
    x, flags = _without_flags(data, f"{what}: x")
    if flags == INFINITY:
        _infinity(x == 0, what)
        return None
    root = fq_sqrt((x * x * x + G1_B) % FQ_MODULUS)
    if root is None:
        raise InvalidPointError(f"{what}: no point of y² = x³ + 3 has x = {x}")
    if _is_larger_fq(root) != (flags == Y_IS_NEGATIVE):
        root = FQ_MODULUS - root
    return x, int(root)


def encode_g2(point: G2Affine) -> bytes:
    """x.c0, then x.c1 with the flags; ``point`` must already be a valid twist point."""
    if point is None:
        return bytes(ELEMENT_SIZE) + _with_flags(0, INFINITY)
    (x0, x1), y = point
    return x0.to_bytes(ELEMENT_SIZE, "little") + _with_flags(x1, _root_flag(_is_larger_fq2(y)))


def decode_g2(data: bytes, what: str) -> G2Affine:
    x0 = require_coordinate(int.from_bytes(data[:ELEMENT_SIZE], "little"), f"{what}: x.c0")
    x1, flags = _without_flags(data[ELEMENT_SIZE:], f"{what}: x.c1")
    if flags == INFINITY:
        _infinity(x0 == x1 == 0, what)
        return None
    x = fq2(x0, x1)
    root = fq2_sqrt(fq2_add(fq2_mul(fq2_sqr(x), x), fq2(*G2_B)))
    if root is None:
        raise InvalidPointError(f"{what}: no point of y² = x³ + 3/(9 + u) has x = ({x0}, {x1})")
    if _is_larger_fq2(root) != (flags == Y_IS_NEGATIVE):
        root = fq2_neg(root)
    return (x0, x1), (int(root[0]), int(root[1]))


def encode_scalar(value: int) -> bytes:
    return value.to_bytes(ELEMENT_SIZE, "little")


def decode_scalar(data: bytes, what: str) -> int:
    return require_fr(int.from_bytes(data, "little"), what)
