"""Affine G1 and G2 arithmetic for the pure-Python backend.

Points are affine tuples of ``gmpy2.mpz`` coordinates, ``None`` at infinity. Affine beats
Jacobian here: with gmpy2 one inversion costs about four multiplications, and shared across a
batch by Montgomery's trick it costs less than one, so a batched affine addition (about six
multiplications) is cheaper than any projective formula. The single hot primitive is
``batch_add``; every scalar multiplication and MSM in :mod:`paraloom.math.msm` is a sequence of
batched additions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar

import gmpy2

from paraloom.math.curve import G1_B, G2_B
from paraloom.math.fields import (
    FQ_MODULUS,
    Fq2,
    batch_inverse,
    fq2,
    fq2_add,
    fq2_mul,
    fq2_sqr,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

G1Point = tuple[int, int] | None
G2Point = tuple[Fq2, Fq2] | None

Pt = TypeVar("Pt")

_Q: int = gmpy2.mpz(FQ_MODULUS)
_G2_B = fq2(*G2_B)


class AffineGroup(Protocol[Pt]):
    """What the generic scalar-multiplication and MSM algorithms need from a group."""

    def batch_add(self, ps: Sequence[Pt | None], qs: Sequence[Pt | None]) -> list[Pt | None]:
        """Pairwise sums ps[i] + qs[i] (doubling when equal) with one shared inversion."""
        ...

    def neg(self, p: Pt | None) -> Pt | None: ...


class G1Group:
    """G1 over Fq: y² = x³ + 3."""

    def neg(self, p: G1Point) -> G1Point:
        return None if p is None else (p[0], -p[1] % _Q)

    def is_on_curve(self, p: G1Point) -> bool:
        if p is None:
            return True
        x, y = p
        return (y * y - x * x * x - G1_B) % _Q == 0

    def batch_add(self, ps: Sequence[G1Point], qs: Sequence[G1Point]) -> list[G1Point]:
        out: list[G1Point] = list(ps)
        todo: list[int] = []
        dens: list[int] = []
        for i, (p, q) in enumerate(zip(ps, qs, strict=True)):
            if q is None:
                continue
            if p is None:
                out[i] = q
            elif p[0] != q[0]:
                todo.append(i)
                dens.append(q[0] - p[0])
            elif p[1] == q[1]:
                todo.append(i)
                dens.append(p[1] + p[1])
            else:
                out[i] = None
        for i, inv in zip(todo, batch_inverse(dens, _Q), strict=True):
            p, q = ps[i], qs[i]
            assert p is not None
            assert q is not None
            px, py = p
            qx = q[0]
            slope = (3 * px * px * inv if px == qx else (q[1] - py) * inv) % _Q
            x = (slope * slope - px - qx) % _Q
            out[i] = (x, (slope * (px - x) - py) % _Q)
        return out


class G2Group:
    """G2 over Fq2: the twist y² = x³ + 3/(9 + u)."""

    def neg(self, p: G2Point) -> G2Point:
        return None if p is None else (p[0], (-p[1][0] % _Q, -p[1][1] % _Q))

    def is_on_curve(self, p: G2Point) -> bool:
        if p is None:
            return True
        x, y = p
        return fq2_sqr(y) == fq2_add(fq2_mul(fq2_sqr(x), x), _G2_B)

    def batch_add(self, ps: Sequence[G2Point], qs: Sequence[G2Point]) -> list[G2Point]:
        out: list[G2Point] = list(ps)
        todo: list[int] = []
        dens: list[Fq2] = []
        for i, (p, q) in enumerate(zip(ps, qs, strict=True)):
            if q is None:
                continue
            if p is None:
                out[i] = q
            elif p[0] != q[0]:
                todo.append(i)
                dens.append((q[0][0] - p[0][0], q[0][1] - p[0][1]))
            elif p[1] == q[1]:
                todo.append(i)
                dens.append((2 * p[1][0], 2 * p[1][1]))
            else:
                out[i] = None
        norms = batch_inverse([d0 * d0 + d1 * d1 for d0, d1 in dens], _Q)
        for i, (d0, d1), norm_inv in zip(todo, dens, norms, strict=True):
            p, q = ps[i], qs[i]
            assert p is not None
            assert q is not None
            (px0, px1), (py0, py1) = p
            (qx0, qx1), (qy0, qy1) = q
            inv0, inv1 = d0 * norm_inv, -d1 * norm_inv
            if px0 == qx0 and px1 == qx1:
                t0 = (px0 + px1) * (px0 - px1) * 3
                t1 = 6 * px0 * px1
            else:
                t0, t1 = qy0 - py0, qy1 - py1
            s0 = (t0 * inv0 - t1 * inv1) % _Q
            s1 = (t0 * inv1 + t1 * inv0) % _Q
            x0 = ((s0 + s1) * (s0 - s1) - px0 - qx0) % _Q
            x1 = (2 * s0 * s1 - px1 - qx1) % _Q
            dx0, dx1 = px0 - x0, px1 - x1
            y0 = (s0 * dx0 - s1 * dx1 - py0) % _Q
            y1 = (s0 * dx1 + s1 * dx0 - py1) % _Q
            out[i] = ((x0, x1), (y0, y1))
        return out
