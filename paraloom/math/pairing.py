"""The optimal ate pairing on BN254, shaped for multi-pairing checks.

All pairs share one Miller loop accumulator (one Fq12 squaring per step however many pairs
there are) and one final exponentiation. Twist points stay affine: with gmpy2 an Fq2 inversion
costs about one Fq2 multiplication, and affine lines are the sparsest.

Each line l(P) = y_P - λ·x_P·w + (λ·x_T - y_T)·v·w is divided by y_P so that its constant term
is 1; factors in a proper subfield (y_P ∈ Fq, vertical lines in Fq6) vanish in the final
exponentiation, which is why dropping them is sound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import gmpy2

from paraloom.math.fields import (
    BN_U,
    FQ12_ONE,
    FQ_MODULUS,
    FROBENIUS_GAMMA,
    Fq2,
    Fq12,
    fq2_conj,
    fq2_inv,
    fq2_mul,
    fq2_neg,
    fq2_scale,
    fq2_sqr,
    fq2_sub,
    fq12_conj,
    fq12_frobenius,
    fq12_inv,
    fq12_mul,
    fq12_mul_by_line,
    fq12_sqr,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from paraloom.math.groups import G1Point, G2Point

_Q: int = gmpy2.mpz(FQ_MODULUS)
_Twist = tuple[Fq2, Fq2]


def _naf(value: int) -> list[int]:
    """Non-adjacent form, most significant digit first."""
    digits: list[int] = []
    while value:
        digit = 0
        if value & 1:
            digit = 2 - (value & 3)
            value -= digit
        digits.append(digit)
        value >>= 1
    return digits[::-1]


_ATE_LOOP_NAF = _naf(6 * BN_U + 2)
_U_NAF = _naf(BN_U)


class _PairState:
    """One pair's running point T and the y_P-normalised coordinates of P."""

    __slots__ = ("neg_q", "q", "t", "x_over_y", "y_inv")

    def __init__(self, p: tuple[int, int], q: _Twist) -> None:
        self.y_inv: int = gmpy2.invert(p[1], _Q)
        self.x_over_y: int = -p[0] * self.y_inv % _Q
        self.q = q
        self.neg_q = (q[0], fq2_neg(q[1]))
        self.t = q

    def step(self, f: Fq12, other: _Twist | None) -> Fq12:
        """Double T (``other`` None) or add ``other`` to it, multiplying f by the line."""
        (tx, ty) = self.t
        if other is None:
            slope = fq2_mul(fq2_scale(fq2_sqr(tx), 3), fq2_inv((2 * ty[0], 2 * ty[1])))
            x = fq2_sub(fq2_sqr(slope), (2 * tx[0], 2 * tx[1]))
        else:
            ox, oy = other
            slope = fq2_mul(fq2_sub(oy, ty), fq2_inv(fq2_sub(ox, tx)))
            x = fq2_sub(fq2_sub(fq2_sqr(slope), tx), ox)
        self.t = (x, fq2_sub(fq2_mul(slope, fq2_sub(tx, x)), ty))
        b0 = fq2_scale(slope, self.x_over_y)
        b1 = fq2_scale(fq2_sub(fq2_mul(slope, tx), ty), self.y_inv)
        return fq12_mul_by_line(f, b0, b1)


def _twist_frobenius(q: _Twist) -> _Twist:
    """π(Q) on the twist: conjugate, then scale by ξ^((q-1)/3) and ξ^((q-1)/2)."""
    gamma = FROBENIUS_GAMMA[1]
    return (fq2_mul(fq2_conj(q[0]), gamma[2]), fq2_mul(fq2_conj(q[1]), gamma[3]))


def _neg_twist_frobenius2(q: _Twist) -> _Twist:
    """-π²(Q): ξ^((q²-1)/2) = -1 cancels the negation of y."""
    return (fq2_mul(q[0], FROBENIUS_GAMMA[2][2]), q[1])


def miller_loop(pairs: Sequence[tuple[G1Point, G2Point]]) -> Fq12:
    """Π f_(6u+2, Q_i)(P_i) with the two Frobenius lines; pairs with infinity contribute 1."""
    states = [_PairState(p, q) for p, q in pairs if p is not None and q is not None]
    f = FQ12_ONE
    for index, digit in enumerate(_ATE_LOOP_NAF[1:]):
        if index:
            f = fq12_sqr(f)
        for state in states:
            f = state.step(f, None)
            if digit:
                f = state.step(f, state.q if digit > 0 else state.neg_q)
    for state in states:
        f = state.step(f, _twist_frobenius(state.q))
        f = state.step(f, _neg_twist_frobenius2(state.q))
    return f


def _exp_by_u(f: Fq12) -> Fq12:
    """f^u for f in the cyclotomic subgroup, where the inverse is the conjugate."""
    inverse = fq12_conj(f)
    result = f
    for digit in _U_NAF[1:]:
        result = fq12_sqr(result)
        if digit:
            result = fq12_mul(result, f if digit > 0 else inverse)
    return result


def final_exponentiation(f: Fq12) -> Fq12:
    """f^((q¹²-1)/r): the easy part (q⁶-1)(q²+1), then the hard part (q⁴-q²+1)/r.

    The hard part uses the addition chain of Scott et al. (2009) over f^u, f^u², f^u³ and
    Frobenius maps; its exponent equals (q⁴-q²+1)/r exactly (checked in the tests).
    """
    f = fq12_mul(fq12_conj(f), fq12_inv(f))
    f = fq12_mul(fq12_frobenius(f, 2), f)
    fu = _exp_by_u(f)
    fu2 = _exp_by_u(fu)
    fu3 = _exp_by_u(fu2)
    y0 = fq12_mul(fq12_mul(fq12_frobenius(f, 1), fq12_frobenius(f, 2)), fq12_frobenius(f, 3))
    y1 = fq12_conj(f)
    y2 = fq12_frobenius(fu2, 2)
    y3 = fq12_conj(fq12_frobenius(fu, 1))
    y4 = fq12_conj(fq12_mul(fu, fq12_frobenius(fu2, 1)))
    y5 = fq12_conj(fu2)
    y6 = fq12_conj(fq12_mul(fu3, fq12_frobenius(fu3, 1)))
    t0 = fq12_mul(fq12_mul(fq12_sqr(y6), y4), y5)
    t1 = fq12_mul(fq12_mul(y3, y5), t0)
    t0 = fq12_mul(t0, y2)
    t1 = fq12_sqr(fq12_mul(fq12_sqr(t1), t0))
    t0 = fq12_mul(t1, y1)
    t1 = fq12_mul(t1, y0)
    return fq12_mul(fq12_sqr(t0), t1)


def pairing_check(pairs: Sequence[tuple[G1Point, G2Point]]) -> bool:
    """Whether Π e(P_i, Q_i) = 1."""
    return final_exponentiation(miller_loop(pairs)) == FQ12_ONE
