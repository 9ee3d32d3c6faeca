"""n-bit range checks: what keeps amounts from wrapping around r."""

from __future__ import annotations

from paraloom.gadgets.bits import to_bits
from paraloom.zk.builder import CircuitBuilder, Operand


def assert_in_range(cs: CircuitBuilder, x: Operand, n: int) -> None:
    """0 ≤ x < 2^n (1 ≤ n ≤ 253): ``n`` constraints, as circomlib's Num2Bits(n) after --O2."""
    to_bits(cs, x, n)
