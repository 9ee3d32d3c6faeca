"""``snarkjs groth16 setup`` (``zkey new``): the initial .zkey from an .r1cs and a prepared .ptau.

Byte for byte what snarkjs 0.7.6 writes (with ``write_zkey(..., order="new")``). With L_c(τ)
the Lagrange basis of the circuit's domain (prepared ptau sections 12-15 at level n):

- A_i = Σ a_ci·L_c(τ)·G1, B1_i and B2_i the same over B in G1 and G2;
- IC (public wires, ONE included) and C (private wires):
  Σ (a_ci·beta·L_c + b_ci·alpha·L_c + c_ci·L_c), as gamma = delta = 1 in a fresh key;
- H: the odd-index points of the level-2n Lagrange section;
- the A/B coefficients and the public-input rows of :mod:`paraloom.zk.qap`.

The circuit hash is BLAKE2b-512 of bellman's ``Parameters::write`` serialisation of this key
(so phase2-bn254 computes the same one): the six header points, then IC, H, C, A, B1, B2, each
as a big-endian u32 count and its points in bellman's uncompressed encoding; bellman's H is
τ^i·Z(τ)·G1 = (τ^(n+i) - τ^i)·G1 for i < n - 1, taken from the ptau's monomial section 2.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from paraloom.errors import SetupError
from paraloom.formats.fields import FQ, FR
from paraloom.formats.points import g1_uncompressed, g2_uncompressed
from paraloom.formats.ptau import (
    ALPHA_TAU_G1,
    BETA_TAU_G1,
    LAGRANGE_ALPHA_TAU_G1,
    LAGRANGE_BETA_TAU_G1,
    LAGRANGE_TAU_G1,
    LAGRANGE_TAU_G2,
    TAU_G1,
    Ptau,
    PtauReader,
)
from paraloom.formats.zkey import Groth16Header, Zkey
from paraloom.math.curve import G1_GENERATOR, G2_GENERATOR
from paraloom.math.python_backend import create_backend
from paraloom.progress import SILENT
from paraloom.zk.qap import domain_size, qap_columns, snarkjs_coefficients

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from paraloom.formats.ptau import PtauHeader
    from paraloom.formats.r1cs import R1cs
    from paraloom.math.backend import AnyCurveBackend, G1Affine, G2Affine
    from paraloom.progress import Advance, Progress
    from paraloom.zk.qap import Column, QapColumns

_T = TypeVar("_T")
_U32_BE = struct.Struct(">I")


@dataclass(frozen=True)
class _Powers:
    """What zkey new reads from a ptau for a domain of n points."""

    lagrange_g1: tuple[G1Affine, ...]
    lagrange_g2: tuple[G2Affine, ...]
    alpha_lagrange_g1: tuple[G1Affine, ...]
    beta_lagrange_g1: tuple[G1Affine, ...]
    odd_lagrange_g1: tuple[G1Affine, ...]
    tau_g1: tuple[G1Affine, ...]
    alpha_1: G1Affine
    beta_1: G1Affine
    beta_2: G2Affine


@dataclass(frozen=True)
class _Queries:
    ic: tuple[G1Affine, ...]
    c: tuple[G1Affine, ...]
    a: tuple[G1Affine, ...]
    b1: tuple[G1Affine, ...]
    b2: tuple[G2Affine, ...]


def new_zkey(
    r1cs: R1cs,
    ptau: Ptau | PtauReader,
    *,
    backend: AnyCurveBackend | None = None,
    progress: Progress = SILENT,
) -> Zkey:
    """The initial (uncontributed, forgeable until phase 2) key of ``r1cs``; see the module doc.

    A ptau too small for the circuit, not prepared for phase 2 or over another curve raises
    SetupError; an r1cs over another field than BN254's Fr, FormatError.
    """
    curve = backend if backend is not None else create_backend()
    cs = r1cs.constraint_system()
    size = domain_size(cs)
    reading = progress.task("reading the powers of tau", None)
    powers = _read_powers(ptau, size)
    reading(1)
    header = Groth16Header(
        FQ,
        FR,
        cs.n_wires,
        cs.n_public,
        size,
        powers.alpha_1,
        powers.beta_1,
        powers.beta_2,
        gamma_2=G2_GENERATOR,
        delta_1=G1_GENERATOR,
        delta_2=G2_GENERATOR,
    )
    advance = progress.task("computing the query points of each wire", 4 * cs.n_wires)
    q = _queries(curve, qap_columns(cs), powers, cs.n_public, advance)
    hashing = progress.task("hashing the circuit", None)
    bellman_h = _bellman_h(curve, powers.tau_g1, size)
    cs_hash = circuit_hash(header, ic=q.ic, bellman_h=bellman_h, c=q.c, a=q.a, b1=q.b1, b2=q.b2)
    coefficients = snarkjs_coefficients(cs)
    hashing(1)
    return Zkey(
        header, q.ic, coefficients, q.a, q.b1, q.b2, q.c, powers.odd_lagrange_g1, cs_hash, ()
    )


def circuit_hash(
    header: Groth16Header,
    *,
    ic: Sequence[G1Affine],
    bellman_h: Sequence[G1Affine],
    c: Sequence[G1Affine],
    a: Sequence[G1Affine],
    b1: Sequence[G1Affine],
    b2: Sequence[G2Affine],
) -> bytes:
    """snarkjs' csHash of an initial key (delta = 1), with bellman's H (see the module doc)."""
    hasher = hashlib.blake2b(digest_size=64)
    hasher.update(g1_uncompressed(header.alpha_1) + g1_uncompressed(header.beta_1))
    hasher.update(g2_uncompressed(header.beta_2) + g2_uncompressed(header.gamma_2))
    hasher.update(g1_uncompressed(header.delta_1) + g2_uncompressed(header.delta_2))
    for g1_points in (ic, bellman_h, c, a, b1):
        hasher.update(_U32_BE.pack(len(g1_points)))
        hasher.update(b"".join(g1_uncompressed(point) for point in g1_points))
    hasher.update(_U32_BE.pack(len(b2)))
    hasher.update(b"".join(g2_uncompressed(point) for point in b2))
    return hasher.digest()


def _read_powers(ptau: Ptau | PtauReader, size: int) -> _Powers:
    """Slice what the circuit needs out of a whole or streamed ptau, after checking it fits."""
    _check_ptau(ptau.header, size)
    g1_section: Callable[[int], Iterable[G1Affine]]
    lagrange_g2: Iterable[G2Affine]
    if isinstance(ptau, Ptau):
        if ptau.lagrange is None:
            raise _unprepared()
        g1_section = {
            TAU_G1: ptau.tau_g1,
            ALPHA_TAU_G1: ptau.alpha_tau_g1,
            BETA_TAU_G1: ptau.beta_tau_g1,
            LAGRANGE_TAU_G1: ptau.lagrange.tau_g1,
            LAGRANGE_ALPHA_TAU_G1: ptau.lagrange.alpha_tau_g1,
            LAGRANGE_BETA_TAU_G1: ptau.lagrange.beta_tau_g1,
        }.__getitem__
        lagrange_g2, beta_2 = ptau.lagrange.tau_g2, ptau.beta_g2
    else:
        if not ptau.prepared:
            raise _unprepared()
        g1_section = ptau.g1_points
        lagrange_g2, beta_2 = ptau.g2_points(LAGRANGE_TAU_G2), ptau.beta_g2()
    level = size - 1
    return _Powers(
        lagrange_g1=_slice(g1_section(LAGRANGE_TAU_G1), level, size),
        lagrange_g2=_slice(lagrange_g2, level, size),
        alpha_lagrange_g1=_slice(g1_section(LAGRANGE_ALPHA_TAU_G1), level, size),
        beta_lagrange_g1=_slice(g1_section(LAGRANGE_BETA_TAU_G1), level, size),
        odd_lagrange_g1=_slice(g1_section(LAGRANGE_TAU_G1), 2 * size - 1, 2 * size)[1::2],
        tau_g1=_slice(g1_section(TAU_G1), 0, 2 * size - 1),
        alpha_1=_slice(g1_section(ALPHA_TAU_G1), 0, 1)[0],
        beta_1=_slice(g1_section(BETA_TAU_G1), 0, 1)[0],
        beta_2=beta_2,
    )


def _check_ptau(header: PtauHeader, size: int) -> None:
    power = size.bit_length() - 1
    if header.q != FQ:
        raise SetupError(f"the ptau is over q = {header.q.modulus}, not BN254's")
    if header.power < power:
        raise SetupError(
            f"the circuit needs a domain of 2^{power} points: use a ptau of power {power} or "
            f"more (this one has power {header.power})"
        )


def _unprepared() -> SetupError:
    return SetupError(
        "the ptau is not prepared for phase 2 (run `snarkjs powersoftau prepare phase2`)"
    )


def _slice(points: Iterable[_T], start: int, count: int) -> tuple[_T, ...]:
    return tuple(islice(points, start, start + count))


def _terms(matrix: Sequence[Column], bases: Sequence[_T]) -> list[list[tuple[_T, int]]]:
    """Per wire, the (Lagrange point, coefficient) pairs of its column."""
    return [[(bases[row], value) for row, value in column] for column in matrix]


def _queries(
    curve: AnyCurveBackend, columns: QapColumns, powers: _Powers, n_public: int, advance: Advance
) -> _Queries:
    """The A, B1, B2, IC and C points as per-wire sums over the ptau's Lagrange points."""
    lagrange = curve.g1_batch_from_affine(powers.lagrange_g1)
    alpha_lagrange = curve.g1_batch_from_affine(powers.alpha_lagrange_g1)
    beta_lagrange = curve.g1_batch_from_affine(powers.beta_lagrange_g1)
    lagrange_g2 = curve.g2_batch_from_affine(powers.lagrange_g2)

    def g1(terms: Sequence[Sequence[tuple[Any, int]]]) -> tuple[G1Affine, ...]:
        return tuple(curve.g1_batch_to_affine(_compose(curve.g1_msm, terms, advance)))

    combined = [
        [*a, *b, *c]
        for a, b, c in zip(
            _terms(columns.a, beta_lagrange),
            _terms(columns.b, alpha_lagrange),
            _terms(columns.c, lagrange),
            strict=True,
        )
    ]
    ic_and_c = g1(combined)
    b2 = curve.g2_batch_to_affine(_compose(curve.g2_msm, _terms(columns.b, lagrange_g2), advance))
    return _Queries(
        ic=ic_and_c[: n_public + 1],
        c=ic_and_c[n_public + 1 :],
        a=g1(_terms(columns.a, lagrange)),
        b1=g1(_terms(columns.b, lagrange)),
        b2=tuple(b2),
    )


def _compose(
    msm: Callable[[Sequence[_T], Sequence[int]], _T],
    terms: Sequence[Sequence[tuple[_T, int]]],
    advance: Advance,
) -> list[_T]:
    """One small multi-exponentiation per wire (an empty one is the identity)."""
    points = []
    for pairs in terms:
        points.append(msm([point for point, _ in pairs], [value for _, value in pairs]))
        advance(1)
    return points


def _bellman_h(curve: AnyCurveBackend, tau_g1: Sequence[G1Affine], size: int) -> list[G1Affine]:
    powers = curve.g1_batch_from_affine(tau_g1)
    return curve.g1_batch_to_affine(
        [curve.g1_add(powers[size + i], curve.g1_neg(powers[i])) for i in range(size - 1)]
    )
