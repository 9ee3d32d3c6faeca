"""Pedersen commitments on BN254 G1: C = v·G + b·H.

Protocol (others reimplement it, so every choice is fixed here):

- G is the standard generator (1, 2). H = hash_to_g1(b"paraloom/pedersen/bn254-g1/H/v1"),
  the try-and-increment procedure of :mod:`paraloom.crypto.g1`. Nobody knows log_G(H), which
  is what makes the commitment binding; hiding is perfect since b is uniform in Fr.
- Values and blindings are Fr scalars, ints in [0, r); anything else is refused
  (InvalidScalarError), never reduced. Bytes are committed through :func:`value_of_bytes`,
  SHA-256 of the bytes read big-endian and reduced mod r.
- Vector commitments: C = Σ v_i·G_i + b·H with G_0 = G and, for i ≥ 1,
  G_i = hash_to_g1(b"paraloom/pedersen/bn254-g1/G/v1" ‖ i as 4 bytes big-endian), so a
  one-element vector commitment equals the scalar commitment.
- A commitment travels as 64 bytes, x ‖ y big-endian (Solana's alt_bn128 layout); the
  commitment to (0, 0) is the point at infinity, all zero bytes.
- Homomorphism: commit(v1, b1) + commit(v2, b2) = commit(v1 + v2, b1 + b2) with sums mod r;
  :class:`Opening` adds and subtracts the same way.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from paraloom.crypto import g1
from paraloom.errors import LengthMismatchError
from paraloom.math.curve import G1_GENERATOR
from paraloom.math.fields import FR_MODULUS

if TYPE_CHECKING:
    from paraloom.math.backend import AnyCurveBackend, G1Affine

H_TAG = b"paraloom/pedersen/bn254-g1/H/v1"
VECTOR_TAG = b"paraloom/pedersen/bn254-g1/G/v1"

#: Bytes of a serialised commitment.
COMMITMENT_SIZE = g1.POINT_SIZE


def blinding_generator() -> G1Affine:
    """H, derived from :data:`H_TAG`."""
    return g1.hash_to_g1(H_TAG)


def vector_generators(count: int) -> list[G1Affine]:
    """G_0 .. G_{count-1} of vector commitments: G, then points derived from the index."""
    derived = (g1.hash_to_g1(VECTOR_TAG + i.to_bytes(4, "big")) for i in range(1, count))
    return [G1_GENERATOR, *derived][:count]


def value_of_bytes(data: bytes) -> int:
    """The scalar a commitment to ``data`` commits to: SHA-256(data) mod r."""
    return int.from_bytes(hashlib.sha256(data).digest(), "big") % FR_MODULUS


def random_scalar() -> int:
    """A uniform blinding in [0, r) from the OS generator."""
    return secrets.randbelow(FR_MODULUS)


@dataclass(frozen=True)
class Opening:
    """What reveals a commitment: the value and the blinding, both checked to be in Fr."""

    value: int
    blinding: int

    def __post_init__(self) -> None:
        g1.require_scalar(self.value, "committed value")
        g1.require_scalar(self.blinding, "blinding")

    def __add__(self, other: Opening) -> Opening:
        return Opening(
            (self.value + other.value) % FR_MODULUS, (self.blinding + other.blinding) % FR_MODULUS
        )

    def __sub__(self, other: Opening) -> Opening:
        return Opening(
            (self.value - other.value) % FR_MODULUS, (self.blinding - other.blinding) % FR_MODULUS
        )


@dataclass(frozen=True)
class Commitment:
    """A commitment as an affine G1 point; validated when it is used or parsed, not built."""

    point: G1Affine

    def to_bytes(self) -> bytes:
        return g1.encode_point(self.point)

    @classmethod
    def from_bytes(cls, data: bytes) -> Commitment:
        """Exactly 64 bytes of a point on the curve (FormatError / InvalidPointError otherwise)."""
        return cls(g1.decode_point(data, "pedersen commitment"))


class Pedersen:
    """The scheme over one curve backend, with its generators converted once."""

    def __init__(self, backend: AnyCurveBackend | None = None) -> None:
        self.backend = backend or g1.default_backend()
        self._g = self.backend.g1_generator()
        self._h = self.backend.g1_from_affine(blinding_generator())
        self._vector: list[Any] = [self._g]

    def commit(self, value: int, blinding: int) -> Commitment:
        """v·G + b·H for ``value`` and ``blinding`` in Fr."""
        return self.commit_opening(Opening(value, blinding))

    def commit_opening(self, opening: Opening) -> Commitment:
        return Commitment(self.backend.g1_to_affine(self._msm_point(opening)))

    def commit_random(self, value: int) -> tuple[Commitment, Opening]:
        """Commit with a fresh uniform blinding; keep the opening to reveal or prove later."""
        opening = Opening(value, random_scalar())
        return self.commit_opening(opening), opening

    def verify_opening(self, commitment: Commitment, opening: Opening) -> bool:
        """Whether ``opening`` opens ``commitment`` (InvalidPointError if it is off the curve)."""
        point = g1.to_backend(self.backend, commitment.point, "pedersen commitment")
        return self.backend.g1_eq(point, self._msm_point(opening))

    def add(self, a: Commitment, b: Commitment) -> Commitment:
        """A commitment to the sum of the openings of ``a`` and ``b``."""
        pa, pb = self._points(a, b)
        return Commitment(self.backend.g1_to_affine(self.backend.g1_add(pa, pb)))

    def sub(self, a: Commitment, b: Commitment) -> Commitment:
        """A commitment to the difference of the openings of ``a`` and ``b``."""
        pa, pb = self._points(a, b)
        difference = self.backend.g1_add(pa, self.backend.g1_neg(pb))
        return Commitment(self.backend.g1_to_affine(difference))

    def commit_vector(self, values: Sequence[int], blinding: int) -> Commitment:
        """Σ values[i]·G_i + blinding·H (module docstring for the G_i).

        Binding holds for vectors of one agreed length: the point does not record the length, so
        appending zeros to ``values`` gives the same commitment. Protocols fix the length.
        """
        return Commitment(self.backend.g1_to_affine(self._vector_point(values, blinding)))

    def verify_vector_opening(
        self, commitment: Commitment, values: Sequence[int], blinding: int
    ) -> bool:
        point = g1.to_backend(self.backend, commitment.point, "pedersen commitment")
        return self.backend.g1_eq(point, self._vector_point(values, blinding))

    def _msm_point(self, opening: Opening) -> Any:
        return self.backend.g1_msm([self._g, self._h], [opening.value, opening.blinding])

    def _vector_point(self, values: Sequence[int], blinding: int) -> Any:
        if not values:
            raise LengthMismatchError("a vector commitment needs at least one value")
        scalars = [g1.require_scalar(v, f"committed value {i}") for i, v in enumerate(values)]
        scalars.append(g1.require_scalar(blinding, "blinding"))
        return self.backend.g1_msm([*self._generators(len(values)), self._h], scalars)

    def _generators(self, count: int) -> list[Any]:
        if count > len(self._vector):
            self._vector = self.backend.g1_batch_from_affine(vector_generators(count))
        return self._vector[:count]

    def _points(self, a: Commitment, b: Commitment) -> tuple[Any, Any]:
        return (
            g1.to_backend(self.backend, a.point, "first commitment"),
            g1.to_backend(self.backend, b.point, "second commitment"),
        )
