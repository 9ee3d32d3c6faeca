"""Linear combinations of a circuit builder's wires, written with Python operators.

Sums and scalar multiples of wires cost no constraint in R1CS: they fold into the A, B, C rows
of whichever constraint uses them. So they are plain immutable values here, and only the
builder's ``mul``, ``enforce`` and friends add constraints. A product of two expressions is
refused with a pointer to ``mul`` rather than quietly allocating anything.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from types import MappingProxyType
from typing import SupportsIndex

from paraloom.errors import CircuitError
from paraloom.math.fields import FR_MODULUS

#: Wire 0 carries the constant 1, so a constant c is the term {0: c}.
ONE_WIRE = 0


class Expr:
    """A linear combination of one builder's wires with coefficients in (0, r).

    Zero coefficients are dropped as they arise, so ``x - x`` has no terms and an expression
    is constant exactly when it mentions no wire but ONE.
    """

    __slots__ = ("_owner", "_terms")

    def __init__(self, owner: object, terms: dict[int, int]) -> None:
        self._owner = owner
        self._terms = terms

    @property
    def owner(self) -> object:
        """The builder whose wire numbers the terms use."""
        return self._owner

    @property
    def terms(self) -> Mapping[int, int]:
        """Builder-local wire id → coefficient (read-only)."""
        return MappingProxyType(self._terms)

    def is_constant(self) -> bool:
        return self._terms.keys() <= {ONE_WIRE}

    def constant_value(self) -> int:
        """The coefficient of ONE; the whole value when :meth:`is_constant`."""
        return self._terms.get(ONE_WIRE, 0)

    def scaled(self, factor: int) -> Expr:
        k = scalar(factor)
        if k == 0:
            return Expr(self._owner, {})
        return Expr(self._owner, {wire: c * k % FR_MODULUS for wire, c in self._terms.items()})

    def __add__(self, other: Expr | int) -> Expr:
        return self._combine(other, 1)

    def __radd__(self, other: int) -> Expr:
        return self._combine(other, 1)

    def __sub__(self, other: Expr | int) -> Expr:
        return self._combine(other, -1)

    def __rsub__(self, other: int) -> Expr:
        return self.scaled(-1)._combine(other, 1)

    def __neg__(self) -> Expr:
        return self.scaled(-1)

    def __mul__(self, factor: int) -> Expr:
        return self.scaled(factor)

    def __rmul__(self, factor: int) -> Expr:
        return self.scaled(factor)

    def __repr__(self) -> str:
        terms = " + ".join(f"{c}·w{wire}" for wire, c in self._terms.items()) or "0"
        return f"Expr({terms})"

    def _combine(self, other: Expr | int, sign: int) -> Expr:
        terms = dict(self._terms)
        for wire, coefficient in lift(self._owner, other)._terms.items():
            total = (terms.get(wire, 0) + sign * coefficient) % FR_MODULUS
            if total:
                terms[wire] = total
            else:
                terms.pop(wire, None)
        return Expr(self._owner, terms)


class Wire(Expr):
    """A single wire with coefficient one: what inputs, products and hints allocate."""

    __slots__ = ()

    def __init__(self, owner: object, index: int) -> None:
        super().__init__(owner, {index: 1})

    @property
    def index(self) -> int:
        """The builder-local id (the final circom number is fixed only when the build ends)."""
        return next(iter(self._terms))


def lift(owner: object, operand: Expr | int) -> Expr:
    """``operand`` as an expression of ``owner``; an int becomes a constant reduced mod r."""
    if isinstance(operand, Expr):
        if operand.owner is not owner:
            raise CircuitError("an expression of another circuit builder was used here")
        return operand
    constant = scalar(operand)
    return Expr(owner, {ONE_WIRE: constant} if constant else {})


def scalar(value: object) -> int:
    """A circuit constant or coefficient, reduced mod r (negative numbers are welcome)."""
    if isinstance(value, Expr):
        raise CircuitError("a product of two expressions needs a constraint: use mul(a, b)")
    if isinstance(value, bool):
        raise CircuitError(f"{value!r} is a bool, not a field constant")
    if not isinstance(value, SupportsIndex):
        raise CircuitError(f"{value!r} ({type(value).__name__}) is not a field constant")
    return operator.index(value) % FR_MODULUS
