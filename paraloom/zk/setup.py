"""Groth16 key generation from known toxic waste: FOR TESTS AND BENCHMARKS ONLY.

Whoever knows τ, alpha, beta or delta can forge proofs for the key, and here they are plain
integers in this process. Real keys come from a powers-of-tau ceremony
(:mod:`paraloom.formats.zkey_new`) followed by phase-2 contributions. What this module offers
is speed and a known layout: every query is a scalar evaluated directly at τ (Lagrange bases in
O(n) with one batch inversion) and then multiplied onto the generator in one fixed-base batch,
so 2^14 constraints take seconds. The key has exactly the layout of a snarkjs .zkey, with
gamma = 1 as in snarkjs' initial key.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from paraloom.errors import InvalidScalarError
from paraloom.math.fields import FR_MODULUS, fr_inv
from paraloom.zk.keys import ProvingKey
from paraloom.zk.qap import (
    Column,
    domain_size,
    lagrange_basis,
    qap_columns,
    snarkjs_coefficients,
)

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

    from paraloom.math.backend import AnyCurveBackend
    from paraloom.zk.constraints import ConstraintSystem

_T = TypeVar("_T")


@dataclass(frozen=True)
class ToxicWaste:
    """The secrets of a Groth16 setup (gamma is fixed to 1; delta = 1 is an uncontributed key)."""

    tau: int
    alpha: int
    beta: int
    delta: int = 1


def toxic_setup(
    backend: AnyCurveBackend,
    cs: ConstraintSystem,
    *,
    rng: random.Random | None = None,
    contributed: bool = True,
) -> ProvingKey:
    """A key from fresh random secrets, for tests and benchmarks only (see the module doc).

    ``contributed`` draws a random delta, as a key after phase 2 has; otherwise delta = 1 like the
    output of ``snarkjs groth16 setup``, whose proofs anyone can forge.
    """
    source = rng if rng is not None else secrets.SystemRandom()
    size = domain_size(cs)
    tau = _sample(source)
    while pow(tau, 2 * size, FR_MODULUS) == 1:
        tau = _sample(source)
    waste = ToxicWaste(tau, _sample(source), _sample(source), _sample(source) if contributed else 1)
    return proving_key_from_waste(backend, cs, waste)


def proving_key_from_waste(
    backend: AnyCurveBackend, cs: ConstraintSystem, waste: ToxicWaste
) -> ProvingKey:
    """The key these secrets define; for tests and benchmarks only (see the module doc).

    τ must lie outside the doubled domain, since H uses its Lagrange basis.
    """
    for name in ("alpha", "beta", "delta"):
        if not 0 < getattr(waste, name) < FR_MODULUS:
            raise InvalidScalarError(f"toxic waste {name} must be in [1, r)")
    size = domain_size(cs)
    a, b, ic, private, h = _query_scalars(cs, waste, size)
    g1_scalars = [waste.alpha, waste.beta, waste.delta, *a, *b, *ic, *private, *h]
    g1 = backend.g1_batch_to_affine(backend.g1_fixed_base_mul(backend.g1_generator(), g1_scalars))
    g2 = backend.g2_batch_to_affine(
        backend.g2_fixed_base_mul(backend.g2_generator(), [waste.beta, 1, waste.delta, *b])
    )
    queries = _cut(g1[3:], [len(a), len(b), len(ic), len(private), len(h)])
    return ProvingKey(
        n_vars=cs.n_wires,
        n_public=cs.n_public,
        domain_size=size,
        alpha_1=g1[0],
        beta_1=g1[1],
        beta_2=g2[0],
        gamma_2=g2[1],
        delta_1=g1[2],
        delta_2=g2[2],
        ic=queries[2],
        coefficients=snarkjs_coefficients(cs),
        a=queries[0],
        b1=queries[1],
        b2=tuple(g2[3:]),
        c=queries[3],
        h=queries[4],
    )


def _query_scalars(cs: ConstraintSystem, waste: ToxicWaste, size: int) -> list[list[int]]:
    """The discrete logs of the A, B, IC, C and H queries: a_i(τ), b_i(τ), ..., L_odd(τ)/delta."""
    columns = qap_columns(cs)
    basis = lagrange_basis(size, waste.tau)
    a, b, c = (_evaluate(matrix, basis) for matrix in (columns.a, columns.b, columns.c))
    combined = [
        (waste.beta * ai + waste.alpha * bi + ci) % FR_MODULUS
        for ai, bi, ci in zip(a, b, c, strict=True)
    ]
    delta_inverse = fr_inv(waste.delta)
    split = cs.n_public + 1
    private = [value * delta_inverse % FR_MODULUS for value in combined[split:]]
    odd = lagrange_basis(2 * size, waste.tau)[1::2]
    return [a, b, combined[:split], private, [v * delta_inverse % FR_MODULUS for v in odd]]


def _sample(rng: random.Random) -> int:
    return rng.randrange(1, FR_MODULUS)


def _evaluate(matrix: Sequence[Column], basis: Sequence[int]) -> list[int]:
    """Each wire's polynomial at τ: Σ coefficient·L_row(τ) over its column."""
    return [sum(value * basis[row] for row, value in column) % FR_MODULUS for column in matrix]


def _cut(values: Sequence[_T], sizes: Sequence[int]) -> list[tuple[_T, ...]]:
    """Consecutive slices of ``values`` with the given lengths (one batch, several queries)."""
    parts: list[tuple[_T, ...]] = []
    start = 0
    for size in sizes:
        parts.append(tuple(values[start : start + size]))
        start += size
    return parts
