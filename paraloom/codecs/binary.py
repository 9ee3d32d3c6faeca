"""The shape both binary codecs share; they differ only in point encoding and length prefixes.

proof  = A (G1) ‖ B (G2) ‖ C (G1)
key    = alpha (G1) ‖ beta (G2) ‖ gamma (G2) ‖ delta (G2) ‖ count ‖ IC[0..count] (G1 each)
public = [count ‖] scalar[0..n]

``count`` is little-endian, ``IC_COUNT_WIDTH`` bytes for the key and ``PUBLIC_COUNT_WIDTH``
for public inputs (0: no prefix, n is the length divided by the scalar size). Nothing is
optional, so a layout has exactly one length and trailing bytes are an error.
Verifying keys carry no e(alpha, beta): it is derived data, and neither arkworks nor Solana
stores it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

from paraloom.codecs.reader import ByteReader
from paraloom.codecs.validation import require_proof, require_public, require_verification_key
from paraloom.errors import FormatError
from paraloom.zk.keys import Proof, VerificationKey

if TYPE_CHECKING:
    from paraloom.math.backend import G1Affine, G2Affine

SCALAR_SIZE = 32

_T = TypeVar("_T")


@dataclass(frozen=True)
class PointEncoding:
    """How one layout writes G1 and G2 points and scalars (all fixed-size)."""

    g1_size: int
    g2_size: int
    encode_g1: Callable[[G1Affine], bytes]
    decode_g1: Callable[[bytes, str], G1Affine]
    encode_g2: Callable[[G2Affine], bytes]
    decode_g2: Callable[[bytes, str], G2Affine]
    encode_scalar: Callable[[int], bytes]
    decode_scalar: Callable[[bytes, str], int]


class BinaryCodec:
    """A ProofCodec over a :class:`PointEncoding`; subclasses set the class constants."""

    format_id: str
    LAYOUT: ClassVar[str]
    POINTS: ClassVar[PointEncoding]
    IC_COUNT_WIDTH: ClassVar[int]
    PUBLIC_COUNT_WIDTH: ClassVar[int]

    def _reader(self, data: bytes, what: str) -> ByteReader:
        return ByteReader(data, f"{self.LAYOUT} {what}")

    def _read(
        self, reader: ByteReader, size: int, what: str, decode: Callable[[bytes, str], _T]
    ) -> _T:
        return decode(reader.take(size, what), f"{reader.layout}: {what}")

    def _g1(self, reader: ByteReader, what: str) -> G1Affine:
        return self._read(reader, self.POINTS.g1_size, what, self.POINTS.decode_g1)

    def _g2(self, reader: ByteReader, what: str) -> G2Affine:
        return self._read(reader, self.POINTS.g2_size, what, self.POINTS.decode_g2)

    # -- proofs -------------------------------------------------------------------------

    def encode_proof(self, proof: Proof) -> bytes:
        require_proof(proof)
        points = self.POINTS
        return points.encode_g1(proof.a) + points.encode_g2(proof.b) + points.encode_g1(proof.c)

    def decode_proof(self, data: bytes) -> Proof:
        reader = self._reader(data, "proof")
        proof = Proof(self._g1(reader, "A"), self._g2(reader, "B"), self._g1(reader, "C"))
        reader.finish()
        return require_proof(proof, reader.layout)

    # -- verifying keys -----------------------------------------------------------------

    def encode_verification_key(self, key: VerificationKey) -> bytes:
        require_verification_key(key)
        points = self.POINTS
        return b"".join(
            [
                points.encode_g1(key.alpha_1),
                *(points.encode_g2(p) for p in (key.beta_2, key.gamma_2, key.delta_2)),
                self._count(len(key.ic), self.IC_COUNT_WIDTH, "IC"),
                *(points.encode_g1(point) for point in key.ic),
            ]
        )

    def decode_verification_key(self, data: bytes) -> VerificationKey:
        reader = self._reader(data, "verification key")
        alpha = self._g1(reader, "alpha")
        beta, gamma, delta = (self._g2(reader, name) for name in ("beta", "gamma", "delta"))
        count = reader.count(self.IC_COUNT_WIDTH, self.POINTS.g1_size, "IC")
        ic = tuple(self._g1(reader, f"IC[{index}]") for index in range(count))
        reader.finish()
        return require_verification_key(
            VerificationKey(alpha, beta, gamma, delta, ic), reader.layout
        )

    # -- public inputs ------------------------------------------------------------------

    def encode_public(self, values: Sequence[int]) -> bytes:
        checked = require_public(values)
        prefix = self._count(len(checked), self.PUBLIC_COUNT_WIDTH, "public inputs")
        return prefix + b"".join(self.POINTS.encode_scalar(value) for value in checked)

    def decode_public(self, data: bytes) -> tuple[int, ...]:
        reader = self._reader(data, "public inputs")
        if self.PUBLIC_COUNT_WIDTH:
            count = reader.count(self.PUBLIC_COUNT_WIDTH, SCALAR_SIZE, "values")
        elif len(data) % SCALAR_SIZE:
            raise reader.error("length", f"{len(data)} bytes is not a multiple of {SCALAR_SIZE}")
        else:
            count = len(data) // SCALAR_SIZE
        decode = self.POINTS.decode_scalar
        values = tuple(self._read(reader, SCALAR_SIZE, f"[{i}]", decode) for i in range(count))
        reader.finish()
        return values

    def _count(self, count: int, width: int, what: str) -> bytes:
        """The little-endian count prefix; empty in layouts without one (width 0)."""
        if not width:
            return b""
        if count >= 1 << (8 * width):
            raise FormatError(f"{self.LAYOUT}: {what}: {count} entries do not fit its count")
        return count.to_bytes(width, "little")
