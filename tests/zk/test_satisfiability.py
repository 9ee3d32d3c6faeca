from __future__ import annotations

from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import CircuitError, InvalidScalarError, UnsatisfiedConstraintError
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import build_assignment
from paraloom.zk.constraints import Constraint, ConstraintSystem
from paraloom.zk.satisfiability import check_satisfied, require_satisfied

from .builder_programs import chain

R = FR_MODULUS
# x·y = z and (x + 2)·1 = w, laid out by hand: wires one, z, x, y, w
SYSTEM = ConstraintSystem(
    n_wires=5,
    n_public=1,
    constraints=(
        Constraint({2: 1}, {3: 1}, {1: 1}),
        Constraint({2: 1, 0: 2}, {0: 1}, {4: 1}),
    ),
)
NAMES = ("one", "z", "x", "y", None)
GOOD = (1, 12, 3, 4, 5)


def test_a_satisfying_witness() -> None:
    report = check_satisfied(SYSTEM, GOOD, NAMES)
    assert report.ok
    assert report.failing == ()
    assert report.first_failure is None
    assert str(report) == "all 2 constraints hold"
    require_satisfied(SYSTEM, list(GOOD))


def test_first_failure_has_the_evaluated_sides_and_names() -> None:
    report = check_satisfied(SYSTEM, (1, 13, 3, 4, 6), NAMES)
    assert not report.ok
    assert report.failing == (0, 1)
    failure = report.first_failure
    assert failure is not None
    assert (failure.index, failure.a, failure.b, failure.c) == (0, 3, 4, 13)
    assert failure.wires == (1, 2, 3)
    assert failure.names == ("z", "x", "y")
    text = str(report)
    assert "2 of 2 constraints fail" in text
    assert "constraint 0 does not hold: A = 3, B = 4, C = 13, but A·B = 12" in text
    assert "wire 2 (x)" in text


def test_unnamed_wires_are_listed_by_number() -> None:
    report = check_satisfied(SYSTEM, (1, 12, 3, 4, 6), NAMES)
    assert report.failing == (1,)
    assert report.first_failure is not None
    assert report.first_failure.names == ("one", "x", None)
    assert str(report).endswith("signals: wire 0 (one), wire 2 (x), wire 4")


def test_without_names() -> None:
    report = check_satisfied(SYSTEM, (1, 12, 3, 4, 6))
    assert report.first_failure is not None
    assert report.first_failure.names == (None, None, None)


def test_require_satisfied_raises_with_the_first_failure() -> None:
    with pytest.raises(
        UnsatisfiedConstraintError, match=r"constraint 1 does not hold.*wire 2 \(x\)"
    ):
        require_satisfied(SYSTEM, (1, 12, 3, 4, 6), NAMES)


@pytest.mark.parametrize("witness", [(1, 12, 3, 4), (1, 12, 3, 4, 5, 0), ()])
def test_wrong_length(witness: tuple[int, ...]) -> None:
    report = check_satisfied(SYSTEM, witness)
    assert not report.ok
    assert report.witness_problem is not None
    assert f"{len(witness)} values for 5 wires" in report.witness_problem
    with pytest.raises(UnsatisfiedConstraintError, match="values for 5 wires"):
        require_satisfied(SYSTEM, witness)


def test_wire_zero_must_be_one() -> None:
    # both constraints hold with one = 2 (x·y = z, (x + 2·2)·2 = w): still not a witness
    report = check_satisfied(SYSTEM, (2, 12, 3, 4, 14))
    assert report.failing == ()
    assert report.witness_problem == "wire 0 must be 1 but the witness has 2"
    assert not report.ok
    with pytest.raises(UnsatisfiedConstraintError, match="wire 0 must be 1"):
        require_satisfied(SYSTEM, (2, 12, 3, 4, 14))


@pytest.mark.parametrize("bad", [R, -1, 2**256])
def test_values_outside_the_field(bad: int) -> None:
    with pytest.raises(InvalidScalarError, match="index 3"):
        check_satisfied(SYSTEM, (1, 12, 3, bad, 5))


def test_names_must_cover_every_wire() -> None:
    with pytest.raises(CircuitError, match="4 names given for 5 wires"):
        check_satisfied(SYSTEM, GOOD, NAMES[:4])


@given(st.integers(0, R - 1), st.integers(0, R - 1))
def test_agrees_with_arithmetic(x: int, y: int) -> None:
    """The checker accepts exactly z = x·y and w = x + 2."""
    good = (1, x * y % R, x, y, (x + 2) % R)
    assert check_satisfied(SYSTEM, good).ok
    off = (1, (x * y + 1) % R, x, y, (x + 2) % R)
    assert check_satisfied(SYSTEM, off).failing == (0,)


def test_large_circuit() -> None:
    """2^14 constraints: the size the checker is meant to handle in about a second."""
    n = 1 << 14
    assignment = build_assignment(partial(chain, n=n), {"x": 2, "y": 5})
    system = assignment.shape.system
    assert len(system.constraints) == n
    assert check_satisfied(system, assignment.witness).ok
    tampered = list(assignment.witness)
    tampered[-1] = (tampered[-1] + 1) % R
    report = check_satisfied(system, tampered)
    # the last internal wire is t[n-1]: defined by constraint n-2, read by constraint n-1
    assert report.failing == (n - 2, n - 1)
