"""Choosing between values by a bit: one constraint each, and what Merkle paths are built of.

A selector bit that is not boolean lets a prover blend the two values, so both gadgets
constrain it unless the caller says it already is (bits from :func:`~paraloom.gadgets.bits.
to_bits` or :func:`~paraloom.gadgets.bits.assert_boolean`), which saves that constraint.
"""

from __future__ import annotations

from paraloom.zk.builder import CircuitBuilder, Operand
from paraloom.zk.expressions import Expr, lift


def select(
    cs: CircuitBuilder,
    bit: Operand,
    if_true: Operand,
    if_false: Operand,
    *,
    assume_boolean: bool = False,
) -> Expr:
    """``if_true`` when bit = 1, ``if_false`` when bit = 0: if_false + bit·(if_true - if_false)."""
    if not assume_boolean:
        cs.assert_bool(bit)
    return cs.mul(bit, lift(cs, if_true) - if_false, plus=if_false)


def conditional_swap(
    cs: CircuitBuilder, bit: Operand, a: Operand, b: Operand, *, assume_boolean: bool = False
) -> tuple[Expr, Expr]:
    """(a, b) when bit = 0, (b, a) when bit = 1, with one product shared by both sides."""
    if not assume_boolean:
        cs.assert_bool(bit)
    first, second = lift(cs, a), lift(cs, b)
    shift = cs.mul(bit, second - first)
    return first + shift, second - shift
