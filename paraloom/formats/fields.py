"""Fixed-width little-endian field encodings as circom and snarkjs store them.

.r1cs and .wtns hold field elements in standard form; .zkey and .ptau hold them in Montgomery
form (value · 2^(8·n8) mod p), so that the prover can feed them to Montgomery multiplication
without converting. Both encodings refuse values that are not reduced: a stored value ≥ p is
never silently reduced, because that would make two byte strings mean the same element.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from paraloom.errors import FormatError, InvalidScalarError
from paraloom.math.fields import FQ_MODULUS, FR_MODULUS


@dataclass(frozen=True)
class PrimeField:
    """A prime field as a file declares it: the modulus and the byte width of one element."""

    modulus: int
    n8: int

    def __post_init__(self) -> None:
        if self.n8 <= 0 or not 2 < self.modulus < 1 << (8 * self.n8):
            raise FormatError(f"modulus {self.modulus} does not fit {self.n8}-byte elements")
        if self.modulus % 2 == 0:
            raise FormatError(f"modulus {self.modulus} is even (Montgomery form needs an odd one)")

    @cached_property
    def montgomery_r(self) -> int:
        """R = 2^(8·n8) mod p, the Montgomery radix snarkjs uses for this width."""
        return (1 << (8 * self.n8)) % self.modulus

    @cached_property
    def montgomery_r_inverse(self) -> int:
        return pow(self.montgomery_r, -1, self.modulus)

    def check(self, value: int) -> int:
        """Return ``value`` if it is a canonical element, else raise InvalidScalarError."""
        if not 0 <= value < self.modulus:
            raise InvalidScalarError(f"{value} is not a field element below {self.modulus}")
        return value

    def to_montgomery(self, value: int) -> int:
        return self.check(value) * self.montgomery_r % self.modulus

    def from_montgomery(self, value: int) -> int:
        return self.check(value) * self.montgomery_r_inverse % self.modulus

    def encode(self, value: int, *, montgomery: bool = False) -> bytes:
        """Little-endian bytes of ``value``, in Montgomery form when ``montgomery`` is set."""
        stored = self.to_montgomery(value) if montgomery else self.check(value)
        return stored.to_bytes(self.n8, "little")

    def decode(self, data: bytes, *, montgomery: bool = False) -> int:
        """Inverse of :meth:`encode`; a stored value ≥ p raises InvalidScalarError."""
        if len(data) != self.n8:
            raise FormatError(f"expected {self.n8} bytes, got {len(data)}")
        stored = int.from_bytes(data, "little")
        return self.from_montgomery(stored) if montgomery else self.check(stored)


#: The BN254 base field with snarkjs' 32-byte elements.
FQ = PrimeField(FQ_MODULUS, 32)
#: The BN254 scalar field with snarkjs' 32-byte elements.
FR = PrimeField(FR_MODULUS, 32)
