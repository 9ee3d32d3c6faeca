"""The ``CurveBackend`` protocol every BN254 backend implements.

Batch operations come first because crossing into a backend per point is what makes Python slow:
callers hand over whole vectors (MSM, batch multiplication, multi-pairing, NTT) and convert
points only at the boundary.

Points are opaque, backend-specific objects (``P1`` for G1, ``P2`` for G2); the way in and
out is the uncompressed affine integer form:

- ``G1Affine``: ``(x, y)`` with ``0 <= x, y < q``, or ``None`` for the point at infinity;
- ``G2Affine``: ``((x0, x1), (y0, y1))`` meaning x = x0 + x1·u, y = y0 + y1·u over
  Fq2 = Fq[u]/(u² + 1), or ``None`` for the point at infinity.

Points from key files also come in the form files store them (``*_batch_from_lem``, see
:mod:`paraloom.math.lem`). Entry points that take affine or stored points validate them
(coordinates below q, on the curve, and for G2 in the order-r subgroup) and raise
:class:`~paraloom.errors.InvalidPointError`; entry points that take scalars refuse anything
outside [0, r) with :class:`~paraloom.errors.InvalidScalarError`, since silently reducing an
untrusted scalar hides encoding bugs. Opaque points that a backend produced are trusted as
they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Sequence

G1Affine = tuple[int, int] | None
G2Affine = tuple[tuple[int, int], tuple[int, int]] | None

P1 = TypeVar("P1")
P2 = TypeVar("P2")


@runtime_checkable
class CurveBackend(Protocol[P1, P2]):
    """BN254 (alt_bn128) arithmetic: groups G1, G2, the pairing check and NTTs over Fr."""

    name: str

    # -- constants ---------------------------------------------------------------------

    def g1_identity(self) -> P1: ...

    def g1_generator(self) -> P1:
        """The generator (1, 2)."""
        ...

    def g2_identity(self) -> P2: ...

    def g2_generator(self) -> P2:
        """The generator of the Ethereum precompiles, circom and snarkjs."""
        ...

    # -- boundary: validation and (de)serialisation ------------------------------------

    def g1_is_on_curve(self, point: G1Affine) -> bool:
        """y² = x³ + 3 with canonical coordinates; G1 has cofactor 1, so this is membership."""
        ...

    def g2_is_on_curve(self, point: G2Affine) -> bool:
        """y² = x³ + 3/(9 + u) with canonical coordinates."""
        ...

    def g2_is_in_subgroup(self, point: G2Affine) -> bool:
        """Whether an on-curve twist point has order dividing r (the twist has a cofactor)."""
        ...

    def g1_from_affine(self, point: G1Affine) -> P1: ...

    def g1_to_affine(self, point: P1) -> G1Affine: ...

    def g2_from_affine(self, point: G2Affine) -> P2: ...

    def g2_to_affine(self, point: P2) -> G2Affine: ...

    def g1_batch_from_affine(self, points: Sequence[G1Affine]) -> list[P1]: ...

    def g1_batch_to_affine(self, points: Sequence[P1]) -> list[G1Affine]: ...

    def g2_batch_from_affine(self, points: Sequence[G2Affine]) -> list[P2]: ...

    def g2_batch_to_affine(self, points: Sequence[P2]) -> list[G2Affine]: ...

    def g1_batch_from_lem(self, data: bytes, *, first: int = 0) -> list[P1]:
        """Points as .zkey and .ptau files store them (:mod:`paraloom.math.lem`), validated.

        Keys hold up to millions of points: decoding a block straight into backend points
        skips building a Python int per coordinate. ``first`` is where the block starts in its
        section, so that an error names the point's position there.
        """
        ...

    def g2_batch_from_lem(self, data: bytes, *, first: int = 0) -> list[P2]: ...

    # -- group law ---------------------------------------------------------------------

    def g1_add(self, a: P1, b: P1) -> P1: ...

    def g1_neg(self, a: P1) -> P1: ...

    def g1_mul(self, point: P1, scalar: int) -> P1: ...

    def g1_eq(self, a: P1, b: P1) -> bool: ...

    def g2_add(self, a: P2, b: P2) -> P2: ...

    def g2_neg(self, a: P2) -> P2: ...

    def g2_mul(self, point: P2, scalar: int) -> P2: ...

    def g2_eq(self, a: P2, b: P2) -> bool: ...

    # -- batch operations --------------------------------------------------------------

    def g1_msm(self, points: Sequence[P1], scalars: Sequence[int]) -> P1:
        """Σ scalars[i]·points[i]; the sequences must have equal lengths."""
        ...

    def g2_msm(self, points: Sequence[P2], scalars: Sequence[int]) -> P2: ...

    def g1_batch_mul(self, points: Sequence[P1], scalar: int) -> list[P1]:
        """One scalar times many points (a ceremony contribution multiplies a whole section)."""
        ...

    def g2_batch_mul(self, points: Sequence[P2], scalar: int) -> list[P2]: ...

    def g1_fixed_base_mul(self, base: P1, scalars: Sequence[int]) -> list[P1]:
        """Many scalars times one point (key generation from toxic waste)."""
        ...

    def g2_fixed_base_mul(self, base: P2, scalars: Sequence[int]) -> list[P2]: ...

    def multi_pairing_check(self, pairs: Sequence[tuple[P1, P2]]) -> bool:
        """Whether Π e(P_i, Q_i) = 1, with one final exponentiation for the whole product."""
        ...

    # -- NTT over Fr (domain: the 2-adic subgroup generated by fields.fr_root_of_unity) ---

    def ntt(self, coefficients: Sequence[int]) -> list[int]:
        """Evaluations at ω^0 .. ω^(n-1) of the polynomial; n a power of two."""
        ...

    def intt(self, evaluations: Sequence[int]) -> list[int]: ...

    def coset_ntt(self, coefficients: Sequence[int], shift: int) -> list[int]:
        """Evaluations at shift·ω^i: the QAP quotient is computed off the vanishing domain."""
        ...

    def coset_intt(self, evaluations: Sequence[int], shift: int) -> list[int]: ...


AnyCurveBackend = CurveBackend[Any, Any]
"""What code that does not care about a backend's point types accepts."""
