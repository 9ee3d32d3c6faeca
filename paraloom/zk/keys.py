"""Groth16 keys and proofs as affine points, independent of any file format.

Points use :mod:`paraloom.math.backend`'s affine integer form (``None`` is infinity). The proving
key keeps snarkjs' layout, so a .zkey maps onto it field for field: the A and B matrices as sparse
coefficients, the A/B1/B2 queries over all wires, C over the private wires and H as the odd-index
Lagrange points of the doubled domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paraloom.math.backend import G1Affine, G2Affine
    from paraloom.math.fields import Fq12


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof (A, B, C)."""

    a: G1Affine
    b: G2Affine
    c: G1Affine


@dataclass(frozen=True)
class VerificationKey:
    """A Groth16 verifying key; ``alphabeta_12`` = e(alpha, beta) is optional (snarkjs adds it)."""

    alpha_1: G1Affine
    beta_2: G2Affine
    gamma_2: G2Affine
    delta_2: G2Affine
    ic: tuple[G1Affine, ...]
    alphabeta_12: Fq12 | None = None

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1


@dataclass(frozen=True)
class Coefficient:
    """One nonzero entry of the A (matrix 0) or B (matrix 1) QAP matrix."""

    matrix: int
    constraint: int
    signal: int
    value: int


@dataclass(frozen=True)
class ProvingKey:
    """A Groth16 proving key in snarkjs' layout (the body of a .zkey without its transcript).

    ``a``, ``b1``, ``b2`` have one point per wire, ``ic`` one per public wire plus ONE, ``c`` one
    per private wire (the first ``n_public + 1`` wires have none), and ``h`` one per point of the
    domain: the odd-index Lagrange points of the domain of size ``2 * domain_size``.
    """

    n_vars: int
    n_public: int
    domain_size: int
    alpha_1: G1Affine
    beta_1: G1Affine
    beta_2: G2Affine
    gamma_2: G2Affine
    delta_1: G1Affine
    delta_2: G2Affine
    ic: tuple[G1Affine, ...]
    coefficients: tuple[Coefficient, ...]
    a: tuple[G1Affine, ...]
    b1: tuple[G1Affine, ...]
    b2: tuple[G2Affine, ...]
    c: tuple[G1Affine, ...]
    h: tuple[G1Affine, ...]

    def verification_key(self) -> VerificationKey:
        """The public half, as snarkjs exports it (without the optional e(alpha, beta))."""
        return VerificationKey(self.alpha_1, self.beta_2, self.gamma_2, self.delta_2, self.ic)
