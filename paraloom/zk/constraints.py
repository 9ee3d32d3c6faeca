"""Rank-1 constraint systems in circom's wire layout.

Wire 0 is the constant ONE, wires 1..n_public are the public signals (outputs first, then public
inputs: the order of snarkjs' public.json), the rest are private. A constraint states
(A·w)(B·w) = C·w over Fr, where each of A, B, C is a sparse linear combination of wires.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

#: A sparse linear combination of wires: wire id → coefficient in [0, r).
LinearCombination = Mapping[int, int]


@dataclass(frozen=True)
class Constraint:
    """One constraint A·B = C; the maps are read-only and keep their term order."""

    a: LinearCombination
    b: LinearCombination
    c: LinearCombination

    def __post_init__(self) -> None:
        for name in ("a", "b", "c"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __hash__(self) -> int:
        return hash(tuple(tuple(lc.items()) for lc in (self.a, self.b, self.c)))


@dataclass(frozen=True)
class ConstraintSystem:
    """What Groth16 needs of a circuit: its wires, its public count and its constraints."""

    n_wires: int
    n_public: int
    constraints: tuple[Constraint, ...]

    @property
    def n_private(self) -> int:
        """Wires that are neither ONE nor public."""
        return self.n_wires - self.n_public - 1
