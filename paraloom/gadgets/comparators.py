"""Comparisons with circomlib's semantics (comparators.circom): LessThan(n), LessEqThan(n),
IsZero, IsEqual. Each returns an expression that is 0 or 1.

As in circomlib, ``less_than`` and ``less_or_equal`` are correct only when both operands are
known to be below 2^n: range-check them first (:mod:`paraloom.gadgets.range`) unless they come
from somewhere that bounds them already. A prover may otherwise pick an operand ≥ 2^n (such as
r - 1, i.e. -1) for which the answer is wrong.
"""

from __future__ import annotations

from functools import partial

from paraloom.gadgets.bits import require_bit_count, to_bits
from paraloom.math.fields import fr_inv
from paraloom.zk.builder import CircuitBuilder, Operand
from paraloom.zk.expressions import Expr, lift

MAX_COMPARE_BITS = 252
"""circomlib's bound for LessThan(n): a + 2^n - b needs n + 1 ≤ 253 bits."""


def less_than(cs: CircuitBuilder, a: Operand, b: Operand, n: int) -> Expr:
    """1 if a < b else 0, for a, b < 2^n: the top bit of a + 2^n - b. n + 1 constraints."""
    require_bit_count(n, MAX_COMPARE_BITS)
    bits = to_bits(cs, lift(cs, a) + (1 << n) - b, n + 1)
    return 1 - bits[n]


def less_or_equal(cs: CircuitBuilder, a: Operand, b: Operand, n: int) -> Expr:
    """1 if a ≤ b else 0, for a, b < 2^n (circomlib's LessEqThan: a < b + 1)."""
    return less_than(cs, a, lift(cs, b) + 1, n)


def is_zero(cs: CircuitBuilder, x: Operand) -> Expr:
    """1 if x = 0 else 0: two constraints, out = 1 - x·inv and x·out = 0.

    The hint ``inv`` is 1/x (0 for x = 0); whatever a prover puts there, x ≠ 0 forces out = 0
    through the second constraint and x = 0 forces out = 1 through the first.
    """
    value = lift(cs, x)
    if value.is_constant():
        return cs.constant(int(value.constant_value() == 0))
    inverse = cs.allocate(partial(_inverse_or_zero, cs, value))
    out = cs.mul(-value, inverse, plus=1)
    cs.enforce(value, out, 0)
    return out


def is_equal(cs: CircuitBuilder, a: Operand, b: Operand) -> Expr:
    """1 if a = b else 0 (is_zero of the difference)."""
    return is_zero(cs, lift(cs, a) - b)


def _inverse_or_zero(cs: CircuitBuilder, value: Expr) -> int:
    solved = cs.value(value)
    return fr_inv(solved) if solved else 0
