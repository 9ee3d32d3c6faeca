"""Points and scalars as Solana's alt_bn128 syscalls (and EIP-196/197) take them.

- A base-field element is 32 bytes, big-endian, canonical (below q).
- G1 (64 bytes): x ‖ y. G2 (128 bytes): x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0, the imaginary part first
  (EIP-197's order, which groth16-solana's key generator also writes).
- The point at infinity is all-zero bytes; (0, 0) is on neither curve, so this is unambiguous.
- A scalar is 32 bytes, big-endian, below r.

The decoders check lengths and ranges only; curve and subgroup membership are checked on the
decoded object as a whole by :mod:`paraloom.codecs.validation`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paraloom.codecs.validation import require_coordinate
from paraloom.math.fields import require_fr

if TYPE_CHECKING:
    from paraloom.math.backend import G1Affine, G2Affine

ELEMENT_SIZE = 32
G1_SIZE = 2 * ELEMENT_SIZE
G2_SIZE = 4 * ELEMENT_SIZE

#: Coordinate names in storage order, for error messages.
_G1_ORDER = ("x", "y")
_G2_ORDER = ("x.c1", "x.c0", "y.c1", "y.c0")


def _elements(data: bytes, names: tuple[str, ...], what: str) -> list[int]:
    return [
        require_coordinate(
            int.from_bytes(data[i * ELEMENT_SIZE : (i + 1) * ELEMENT_SIZE], "big"),
            f"{what}: {name}",
        )
        for i, name in enumerate(names)
    ]


def _pack(values: tuple[int, ...]) -> bytes:
    return b"".join(value.to_bytes(ELEMENT_SIZE, "big") for value in values)


def encode_g1(point: G1Affine) -> bytes:
    return bytes(G1_SIZE) if point is None else _pack(point)


def decode_g1(data: bytes, what: str) -> G1Affine:
    x, y = _elements(data, _G1_ORDER, what)
    return None if x == y == 0 else (x, y)


def encode_g2(point: G2Affine) -> bytes:
    if point is None:
        return bytes(G2_SIZE)
    (x0, x1), (y0, y1) = point
    return _pack((x1, x0, y1, y0))


def decode_g2(data: bytes, what: str) -> G2Affine:
    x1, x0, y1, y0 = _elements(data, _G2_ORDER, what)
    return None if x0 == x1 == y0 == y1 == 0 else ((x0, x1), (y0, y1))


def encode_scalar(value: int) -> bytes:
    return value.to_bytes(ELEMENT_SIZE, "big")


def decode_scalar(data: bytes, what: str) -> int:
    return require_fr(int.from_bytes(data, "big"), what)
