"""Building one-gadget circuits and tampering with their witnesses, for the gadget tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import Assignment, CircuitBuilder
from paraloom.zk.expressions import Expr
from paraloom.zk.satisfiability import check_satisfied

Gadget = Callable[[CircuitBuilder, list[Expr]], object]


def solve(gadget: Gadget, values: Mapping[str, int]) -> tuple[CircuitBuilder, object, Assignment]:
    """Run ``gadget`` on private inputs named as ``values`` (in order) in witness mode."""
    cs = CircuitBuilder(values)
    inputs: list[Expr] = [cs.private_input(name) for name in values]
    result = gadget(cs, inputs)
    return cs, result, cs.assignment()


def holds(assignment: Assignment, witness: tuple[int, ...] | list[int] | None = None) -> bool:
    system = assignment.shape.system
    return check_satisfied(system, assignment.witness if witness is None else witness).ok


def tampered(assignment: Assignment, wire: int, delta: int) -> list[int]:
    """The witness with ``delta`` added to one wire."""
    witness = list(assignment.witness)
    witness[wire] = (witness[wire] + delta) % FR_MODULUS
    return witness


def n_constraints(assignment: Assignment) -> int:
    return len(assignment.shape.system.constraints)
