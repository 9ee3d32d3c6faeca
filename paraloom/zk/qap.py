"""The QAP of a circuit in snarkjs' layout: domain, matrix columns, Lagrange bases and H.

Row c of the QAP matrices is constraint c. After the m constraints snarkjs appends one row per
public wire s = 0..n_public (ONE included) whose only entry is ``A[m + s][s] = 1``: with
B = C = 0 there it constrains nothing, but it makes the IC points linearly independent, so a
proof for one public input cannot be reused for another. The domain is the smallest power of
two holding all these rows (at least 2, as snarkjs computes it).

H is never divided by the vanishing polynomial: the prover evaluates p = A·B - C on the odd
points of the doubled domain, where Z does not vanish, and the key's H query holds the matching
odd-index Lagrange points of that domain. Since p has degree ≤ 2n - 2 and vanishes on the even
points, Σ p(ω_2n^(2i+1))·H_i = p(τ)/delta = h(τ)·Z(τ)/delta.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from paraloom.errors import CircuitError, InvalidScalarError, LengthMismatchError
from paraloom.math.fields import (
    FR_MODULUS,
    batch_inverse,
    fr_inv,
    fr_root_of_unity,
    require_fr,
)
from paraloom.zk.keys import Coefficient

if TYPE_CHECKING:
    from collections.abc import Sequence

    from paraloom.math.backend import AnyCurveBackend
    from paraloom.zk.constraints import ConstraintSystem

#: One wire's entries in a matrix: (row, coefficient) pairs.
Column = tuple[tuple[int, int], ...]

_A, _B = 0, 1


@dataclass(frozen=True)
class QapColumns:
    """The A, B and C matrices by wire, extra public rows included: what key generation sums."""

    a: tuple[Column, ...]
    b: tuple[Column, ...]
    c: tuple[Column, ...]


def domain_size(cs: ConstraintSystem) -> int:
    """2^k for the least k ≥ 1 with 2^k ≥ constraints + public signals + 1 (snarkjs' cirPower)."""
    return 1 << max(1, (len(cs.constraints) + cs.n_public).bit_length())


def qap_columns(cs: ConstraintSystem) -> QapColumns:
    """Transpose the constraints into per-wire columns and add the public-input rows."""
    _check_system(cs)
    columns: tuple[list[list[tuple[int, int]]], ...] = tuple(
        [[] for _ in range(cs.n_wires)] for _ in range(3)
    )
    for row, constraint in enumerate(cs.constraints):
        for matrix, lc in zip(columns, (constraint.a, constraint.b, constraint.c), strict=True):
            for wire, value in lc.items():
                matrix[wire].append((row, value))
    for wire in range(cs.n_public + 1):
        columns[_A][wire].append((len(cs.constraints) + wire, 1))
    a, b, c = (tuple(tuple(column) for column in matrix) for matrix in columns)
    return QapColumns(a, b, c)


def snarkjs_coefficients(cs: ConstraintSystem) -> tuple[Coefficient, ...]:
    """The A and B entries in the order of a .zkey's section 4 (C is left to the prover's A·B).

    Constraint by constraint, A terms then B terms in the order the linear combinations list
    them, then the public-input rows.
    """
    _check_system(cs)
    coefficients: list[Coefficient] = []
    for row, constraint in enumerate(cs.constraints):
        for matrix, lc in ((_A, constraint.a), (_B, constraint.b)):
            coefficients.extend(Coefficient(matrix, row, wire, value) for wire, value in lc.items())
    first = len(cs.constraints)
    coefficients.extend(Coefficient(_A, first + wire, wire, 1) for wire in range(cs.n_public + 1))
    return tuple(coefficients)


def lagrange_basis(size: int, tau: int) -> list[int]:
    """L_i(τ) for every point ω^i of the domain of ``size``: ω^i·(τ^n - 1) / (n·(τ - ω^i)).

    The closed form needs one batch inversion instead of the O(n²) products of the textbook
    formula; it requires τ outside the domain (else τ - ω^i vanishes for one i).
    """
    vanishing = (pow(tau, size, FR_MODULUS) - 1) % FR_MODULUS
    if vanishing == 0:
        raise InvalidScalarError(f"τ lies in the domain of size {size}: its Lagrange basis is 0/1")
    root = fr_root_of_unity(size)
    points = [1] * size
    for index in range(1, size):
        points[index] = points[index - 1] * root % FR_MODULUS
    inverses = batch_inverse([(tau - point) % FR_MODULUS for point in points], FR_MODULUS)
    scale = vanishing * fr_inv(size) % FR_MODULUS
    return [
        int(scale * point * inverse % FR_MODULUS)
        for point, inverse in zip(points, inverses, strict=True)
    ]


def h_evaluations(
    backend: AnyCurveBackend,
    coefficients: Sequence[Coefficient],
    size: int,
    witness: Sequence[int],
) -> list[int]:
    """(A·B - C) at ω_2n^(2i+1), i < n: the scalars of the prover's H multi-exponentiation.

    As snarkjs does, C on the domain is taken as the product A·B rather than from the C matrix
    (a key carries no C coefficients): for a satisfying witness the two agree, and for any other
    witness the proof fails at the C/IC queries instead. ``witness`` must be canonical.
    """
    a_rows, b_rows = _matrix_rows(coefficients, size, witness)
    c_rows = [a * b % FR_MODULUS for a, b in zip(a_rows, b_rows, strict=True)]
    shift = fr_root_of_unity(2 * size)
    a_odd, b_odd, c_odd = (
        backend.coset_ntt(backend.intt(rows), shift) for rows in (a_rows, b_rows, c_rows)
    )
    return [(a * b - c) % FR_MODULUS for a, b, c in zip(a_odd, b_odd, c_odd, strict=True)]


def _matrix_rows(
    coefficients: Sequence[Coefficient], size: int, witness: Sequence[int]
) -> tuple[list[int], list[int]]:
    """A·w and B·w on every row of the domain."""
    rows = ([0] * size, [0] * size)
    n_vars = len(witness)
    for coefficient in coefficients:
        matrix, row, signal = coefficient.matrix, coefficient.constraint, coefficient.signal
        if matrix not in (_A, _B) or not (0 <= row < size and 0 <= signal < n_vars):
            raise LengthMismatchError(
                f"coefficient {coefficient} does not fit matrices A/B of {size} rows "
                f"and {n_vars} wires"
            )
        rows[matrix][row] += coefficient.value * witness[signal]
    return [v % FR_MODULUS for v in rows[_A]], [v % FR_MODULUS for v in rows[_B]]


def _check_system(cs: ConstraintSystem) -> None:
    if not 0 <= cs.n_public < cs.n_wires:
        raise CircuitError(
            f"{cs.n_public} public signals do not fit beside ONE in {cs.n_wires} wires"
        )
    for index, constraint in enumerate(cs.constraints):
        for lc in (constraint.a, constraint.b, constraint.c):
            for wire, value in lc.items():
                if not 0 <= wire < cs.n_wires:
                    raise CircuitError(
                        f"constraint {index} uses wire {wire}, but the system has {cs.n_wires}"
                    )
                require_fr(value, f"constraint {index}: coefficient of wire {wire}")
