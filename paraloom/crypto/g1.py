"""G1 helpers shared by the Pedersen and Schnorr modules: scalars, points, bytes, hash-to-curve.

Both schemes take untrusted scalars and points from the network, so the checks live here once:
a scalar must be an ``int`` in [0, r) (a bool or a reduced-looking big number is refused, never
reduced), and a point must pass the backend's own boundary validation. Points travel as the
64-byte big-endian ``x ‖ y`` of Solana's alt_bn128 syscalls and EIP-196
(:mod:`paraloom.codecs.altbn128`), so that an on-chain program can check them with syscalls.

hash-to-G1 (:func:`hash_to_g1`) is try-and-increment; the exact procedure is protocol, since
anyone must be able to rederive the generators it yields and see that nobody knows their
discrete logarithms:

1. for counter = 0, 1, 2, ... (4 bytes, big-endian):
   digest = SHA-256(tag ‖ counter); x = int(digest, big-endian) mod q;
2. if x³ + 3 is a square in Fq, take y = its square root with y ≤ (q - 1)/2 (the smaller of
   the two roots as integers in [0, q)) and return (x, y); otherwise try the next counter.

G1 has cofactor 1, so every curve point is in the group and no cofactor clearing is needed.
The reduction mod q biases x negligibly towards small values; that does not matter for a
generator, whose only requirement is an unknown discrete logarithm. About half of all x are
on the curve, so a counter past a few dozen never happens in practice.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from paraloom.codecs import altbn128
from paraloom.codecs.reader import ByteReader
from paraloom.errors import InvalidPointError, InvalidScalarError
from paraloom.math.curve import G1_B
from paraloom.math.fields import FQ_MODULUS, fq_sqrt, require_fr

if TYPE_CHECKING:
    from paraloom.math.backend import AnyCurveBackend, G1Affine

#: Bytes of an encoded point (x ‖ y, big-endian) and of an encoded scalar (big-endian).
POINT_SIZE = altbn128.G1_SIZE
SCALAR_SIZE = altbn128.ELEMENT_SIZE


def default_backend() -> AnyCurveBackend:
    """The fast pure-Python backend, created on first use and shared (it holds no state)."""
    from paraloom.math.python_backend import shared_backend

    return shared_backend()


def require_scalar(value: object, what: str) -> int:
    """An Fr element from a caller: an ``int`` (not a bool) in [0, r)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidScalarError(f"{what} is {value!r:.80}, not an integer")
    return require_fr(int(value), what)


def require_nonzero_scalar(value: object, what: str) -> int:
    """A secret key or nonce: zero would make the public point the point at infinity."""
    scalar = require_scalar(value, what)
    if scalar == 0:
        raise InvalidScalarError(f"{what} is zero")
    return scalar


def to_backend(backend: AnyCurveBackend, point: G1Affine, what: str) -> Any:
    """``point`` as a backend point, after the backend's curve checks, or InvalidPointError."""
    try:
        return backend.g1_from_affine(point)
    except InvalidPointError as error:
        raise InvalidPointError(f"{what}: {error}") from None


def to_finite_backend(backend: AnyCurveBackend, point: G1Affine, what: str) -> Any:
    """Like :func:`to_backend`, refusing infinity: a key or nonce point there is degenerate."""
    if point is None:
        raise InvalidPointError(f"{what} is the point at infinity")
    return to_backend(backend, point, what)


def encode_point(point: G1Affine) -> bytes:
    """64 bytes, x ‖ y big-endian; infinity is all zeros."""
    return altbn128.encode_g1(point)


def read_point(reader: ByteReader, what: str) -> G1Affine:
    """Read 64 bytes as a G1 point with canonical coordinates on the curve."""
    where = f"{reader.layout}: {what}"
    point = altbn128.decode_g1(reader.take(POINT_SIZE, what), where)
    to_backend(default_backend(), point, where)
    return point


def decode_point(data: bytes, layout: str) -> G1Affine:
    """Exactly 64 bytes holding one valid G1 point (infinity allowed)."""
    reader = ByteReader(data, layout)
    point = read_point(reader, "point")
    reader.finish()
    return point


def encode_scalar(value: int) -> bytes:
    return altbn128.encode_scalar(value)


def read_scalar(reader: ByteReader, what: str) -> int:
    """Read 32 big-endian bytes as an Fr element; values ≥ r are refused, not reduced."""
    return altbn128.decode_scalar(reader.take(SCALAR_SIZE, what), f"{reader.layout}: {what}")


def hash_to_g1(tag: bytes) -> G1Affine:
    """The G1 point that try-and-increment derives from ``tag`` (module docstring)."""
    counter = 0
    while True:
        digest = hashlib.sha256(tag + counter.to_bytes(4, "big")).digest()
        x = int.from_bytes(digest, "big") % FQ_MODULUS
        root = fq_sqrt((x * x * x + G1_B) % FQ_MODULUS)
        if root is not None:
            return x, min(int(root), FQ_MODULUS - int(root))
        counter += 1
