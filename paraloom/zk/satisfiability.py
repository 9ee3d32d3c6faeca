"""Does a witness satisfy a constraint system, and if not, where does it first go wrong?

A prover fed an unsatisfying witness produces a proof that merely fails to verify, which says
nothing about the cause. Checking first, and naming the first failing constraint with its three
evaluated sides and the signals it touches, turns that into a message one can act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from paraloom.errors import CircuitError, UnsatisfiedConstraintError
from paraloom.math.fields import FR_MODULUS, require_frs
from paraloom.zk.constraints import Constraint, ConstraintSystem, LinearCombination

Names = Sequence[str | None]


@dataclass(frozen=True)
class ConstraintFailure:
    """One constraint A·B = C that does not hold, with its sides evaluated on the witness."""

    index: int
    a: int
    b: int
    c: int
    wires: tuple[int, ...]
    names: tuple[str | None, ...]

    def __str__(self) -> str:
        signals = ", ".join(
            f"wire {wire}" if name is None else f"wire {wire} ({name})"
            for wire, name in zip(self.wires, self.names, strict=True)
        )
        return (
            f"constraint {self.index} does not hold: A = {self.a}, B = {self.b}, "
            f"C = {self.c}, but A·B = {self.a * self.b % FR_MODULUS}; signals: {signals}"
        )


@dataclass(frozen=True)
class SatisfactionReport:
    """The outcome of :func:`check_satisfied`.

    ``witness_problem`` covers what is wrong with the witness as a whole (length, wire 0);
    ``failing`` lists every failing constraint, ``first_failure`` details the first of them.
    """

    n_constraints: int
    witness_problem: str | None
    failing: tuple[int, ...]
    first_failure: ConstraintFailure | None

    @property
    def ok(self) -> bool:
        return self.witness_problem is None and not self.failing

    def __str__(self) -> str:
        if self.ok:
            return f"all {self.n_constraints} constraints hold"
        lines = [] if self.witness_problem is None else [self.witness_problem]
        if self.first_failure is not None:
            lines.append(f"{len(self.failing)} of {self.n_constraints} constraints fail")
            lines.append(str(self.first_failure))
        return "; ".join(lines)


def check_satisfied(
    system: ConstraintSystem, witness: Sequence[int], names: Names | None = None
) -> SatisfactionReport:
    """Evaluate every constraint on ``witness``; ``names`` (one per wire) label the report.

    Values outside [0, r) raise InvalidScalarError: they are not a witness at all.
    """
    require_frs(witness, "witness value")
    if names is not None and len(names) != system.n_wires:
        raise CircuitError(f"{len(names)} names given for {system.n_wires} wires")
    n_constraints = len(system.constraints)
    if len(witness) != system.n_wires:
        wrong_length = f"the witness has {len(witness)} values for {system.n_wires} wires"
        return SatisfactionReport(n_constraints, wrong_length, (), None)
    problem = None if witness[0] == 1 else f"wire 0 must be 1 but the witness has {witness[0]}"
    failing = tuple(
        index
        for index, constraint in enumerate(system.constraints)
        if _residue(constraint, witness)
    )
    first = _failure(system, failing[0], witness, names) if failing else None
    return SatisfactionReport(n_constraints, problem, failing, first)


def require_satisfied(
    system: ConstraintSystem, witness: Sequence[int], names: Names | None = None
) -> None:
    """:func:`check_satisfied` for callers that stop at the first problem."""
    report = check_satisfied(system, witness, names)
    if not report.ok:
        raise UnsatisfiedConstraintError(str(report))


def _evaluate(lc: LinearCombination, witness: Sequence[int]) -> int:
    return sum(coefficient * witness[wire] for wire, coefficient in lc.items()) % FR_MODULUS


def _residue(constraint: Constraint, witness: Sequence[int]) -> int:
    """A·B - C on the witness: zero exactly when the constraint holds."""
    a, b, c = (_evaluate(lc, witness) for lc in (constraint.a, constraint.b, constraint.c))
    return (a * b - c) % FR_MODULUS


def _failure(
    system: ConstraintSystem, index: int, witness: Sequence[int], names: Names | None
) -> ConstraintFailure:
    constraint = system.constraints[index]
    lcs = (constraint.a, constraint.b, constraint.c)
    wires = tuple(sorted({wire for lc in lcs for wire in lc}))
    a, b, c = (_evaluate(lc, witness) for lc in lcs)
    labels = tuple(None if names is None else names[wire] for wire in wires)
    return ConstraintFailure(index, a, b, c, wires, labels)
