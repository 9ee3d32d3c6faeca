"""Booleans, binary decomposition and packing: where range checks and comparators start.

A decomposition into ``n`` bits is unique only while 2^n < r, so ``n`` is at most 253; a
254-bit decomposition would also accept x + r for small x.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from paraloom.errors import CircuitError
from paraloom.math.fields import FR_MODULUS, fr_inv
from paraloom.zk.builder import CircuitBuilder, Operand
from paraloom.zk.expressions import Expr, lift

MAX_BITS = FR_MODULUS.bit_length() - 1
"""253: the widest decomposition that is unique in Fr."""


def assert_boolean(cs: CircuitBuilder, x: Operand) -> None:
    """x·(x - 1) = 0: one constraint; only 0 and 1 satisfy it."""
    cs.assert_bool(x)


def to_bits(cs: CircuitBuilder, x: Operand, n: int) -> list[Expr]:
    """The ``n`` bits of ``x``, least significant first, constrained to be its decomposition.

    Costs ``n`` constraints and ``n - 1`` wires: the top bit is not a wire but what is left of
    ``x`` once the others are subtracted, scaled by 2^-(n-1), and its boolean constraint also
    proves the decomposition (so ``x < 2^n``). A constant ``x`` costs nothing.
    """
    require_bit_count(n, MAX_BITS)
    value = lift(cs, x)
    if value.is_constant():
        return _constant_bits(cs, value.constant_value(), n)
    low = [cs.allocate(partial(_bit, cs, value, i)) for i in range(n - 1)]
    for bit in low:
        cs.assert_bool(bit)
    top = (value - from_bits(cs, low)).scaled(fr_inv(1 << (n - 1)))
    cs.assert_bool(top)
    return [*low, top]


def from_bits(cs: CircuitBuilder, bits: Sequence[Operand]) -> Expr:
    """Σ 2^i·bits[i]: free (linear). It does not check that the bits are boolean."""
    total = cs.constant(0)
    for i, bit in enumerate(bits):
        total += lift(cs, bit).scaled(1 << i)
    return total


def require_bit_count(n: int, limit: int) -> None:
    """Refuse bit counts outside 1..limit when the circuit is defined."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= limit:
        raise CircuitError(f"bit count {n!r} is not an integer in 1..{limit}")


def _bit(cs: CircuitBuilder, value: Expr, index: int) -> int:
    return cs.value(value) >> index & 1


def _constant_bits(cs: CircuitBuilder, constant: int, n: int) -> list[Expr]:
    if constant >> n:
        raise CircuitError(f"the constant {constant} does not fit in {n} bits")
    return [cs.constant(constant >> i & 1) for i in range(n)]
