"""The QAP layer: domain sizes, snarkjs' coefficient layout, Lagrange bases and H evaluations.

Oracles: snarkjs' own .zkey files for the layout, and textbook O(n²) Lagrange interpolation
for the bases and the quotient evaluations.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import CircuitError, InvalidScalarError, LengthMismatchError
from paraloom.formats.r1cs import read_r1cs
from paraloom.formats.zkey import read_zkey
from paraloom.math.fields import FR_MODULUS, fr_root_of_unity
from paraloom.math.python_backend import PythonBackend
from paraloom.zk.constraints import Constraint, ConstraintSystem
from paraloom.zk.keys import Coefficient
from paraloom.zk.qap import (
    domain_size,
    h_evaluations,
    lagrange_basis,
    qap_columns,
    snarkjs_coefficients,
)

DATA = Path(__file__).parent.parent / "formats" / "data"
R = FR_MODULUS
BACKEND = PythonBackend()

fr = st.one_of(st.sampled_from([0, 1, 2, R - 1]), st.integers(0, R - 1))


@st.composite
def satisfied_systems(
    draw: st.DrawFn, max_wires: int = 6, max_constraints: int = 5
) -> tuple[ConstraintSystem, list[int]]:
    """A random constraint system and a witness satisfying it.

    A and B are arbitrary; C's coefficient on ONE is then chosen so that A·w · B·w = C·w.
    """
    n_wires = draw(st.integers(2, max_wires))
    n_public = draw(st.integers(0, n_wires - 1))
    witness = [1, *draw(st.lists(fr, min_size=n_wires - 1, max_size=n_wires - 1))]
    lcs = st.dictionaries(st.integers(0, n_wires - 1), fr, max_size=3)
    constraints = []
    for _ in range(draw(st.integers(0, max_constraints))):
        a, b, c = draw(lcs), draw(lcs), draw(lcs)
        c.pop(0, None)
        c[0] = (evaluate(a, witness) * evaluate(b, witness) - evaluate(c, witness)) % R
        constraints.append(Constraint(a, b, c))
    return ConstraintSystem(n_wires, n_public, tuple(constraints)), witness


def evaluate(lc: Mapping[int, int], witness: list[int]) -> int:
    return sum(value * witness[wire] for wire, value in lc.items()) % R


def system_of(name: str) -> ConstraintSystem:
    r1cs = read_r1cs(DATA / f"{name}.r1cs")
    return ConstraintSystem(r1cs.header.n_wires, r1cs.header.n_public, r1cs.constraints)


def naive_lagrange(size: int, index: int, x: int) -> int:
    """Π_(j≠i) (x - ω^j)/(ω^i - ω^j): the textbook formula."""
    root = fr_root_of_unity(size)
    points = [pow(root, j, R) for j in range(size)]
    terms = [
        (x - points[j]) * pow(points[index] - points[j], -1, R) for j in range(size) if j != index
    ]
    return reduce(lambda acc, term: acc * term % R, terms, 1)


def naive_interpolate(values: list[int], x: int) -> int:
    size = len(values)
    return sum(v * naive_lagrange(size, i, x) for i, v in enumerate(values)) % R


# -- layout --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mul", "chain"])
def test_domain_and_coefficients_match_snarkjs(name: str) -> None:
    cs = system_of(name)
    zkey = read_zkey(DATA / f"{name}_0.zkey")
    assert domain_size(cs) == zkey.header.domain_size
    assert snarkjs_coefficients(cs) == zkey.coefficients


@given(st.integers(0, 5000), st.integers(0, 40))
def test_domain_is_the_least_power_of_two_holding_every_row(constraints: int, public: int) -> None:
    cs = ConstraintSystem(public + 1, public, (Constraint({}, {}, {}),) * constraints)
    size = domain_size(cs)
    rows = constraints + public + 1
    assert size >= max(rows, 2)
    assert size & (size - 1) == 0
    assert size == 2 or size // 2 < rows


@given(satisfied_systems())
def test_columns_transpose_the_constraints_and_add_public_rows(
    system: tuple[ConstraintSystem, list[int]],
) -> None:
    cs, _ = system
    columns = qap_columns(cs)
    m = len(cs.constraints)
    for matrix, name in ((columns.a, "a"), (columns.b, "b"), (columns.c, "c")):
        assert len(matrix) == cs.n_wires
        rows: dict[int, dict[int, int]] = {}
        for wire, column in enumerate(matrix):
            for row, value in column:
                assert wire not in rows.setdefault(row, {})
                rows[row][wire] = value
        for row, constraint in enumerate(cs.constraints):
            assert rows.get(row, {}) == dict(getattr(constraint, name))
        extra = {row: lc for row, lc in rows.items() if row >= m}
        expected = {m + s: {s: 1} for s in range(cs.n_public + 1)} if name == "a" else {}
        assert extra == expected


@given(satisfied_systems())
def test_coefficients_list_a_then_b_per_constraint(
    system: tuple[ConstraintSystem, list[int]],
) -> None:
    cs, _ = system
    coefficients = snarkjs_coefficients(cs)
    expected = [
        Coefficient(matrix, row, wire, value)
        for row, constraint in enumerate(cs.constraints)
        for matrix, lc in ((0, constraint.a), (1, constraint.b))
        for wire, value in lc.items()
    ]
    m = len(cs.constraints)
    expected += [Coefficient(0, m + s, s, 1) for s in range(cs.n_public + 1)]
    assert list(coefficients) == expected


def test_malformed_systems_are_refused() -> None:
    with pytest.raises(CircuitError, match="constraint 0 uses wire 5"):
        qap_columns(ConstraintSystem(3, 1, (Constraint({5: 1}, {}, {}),)))
    with pytest.raises(CircuitError, match="public signals"):
        snarkjs_coefficients(ConstraintSystem(2, 2, ()))
    with pytest.raises(InvalidScalarError, match="constraint 0: coefficient of wire 1"):
        qap_columns(ConstraintSystem(3, 1, (Constraint({}, {1: R}, {}),)))


# -- Lagrange bases ------------------------------------------------------------------------


@given(st.sampled_from([1, 2, 4, 8]), st.integers(0, R - 1))
def test_lagrange_basis_matches_the_textbook_formula(size: int, tau: int) -> None:
    root = fr_root_of_unity(size)
    if pow(tau, size, R) == 1:
        return
    basis = lagrange_basis(size, tau)
    assert basis == [naive_lagrange(size, i, tau) for i in range(size)]
    assert sum(basis) % R == 1  # interpolates the constant 1
    if size > 1:  # and X
        assert sum(value * pow(root, i, R) for i, value in enumerate(basis)) % R == tau


@given(st.sampled_from([2, 4, 16]), st.data())
def test_lagrange_basis_refuses_tau_in_the_domain(size: int, data: st.DataObject) -> None:
    tau = pow(fr_root_of_unity(size), data.draw(st.integers(0, size - 1)), R)
    with pytest.raises(InvalidScalarError, match="lies in the domain"):
        lagrange_basis(size, tau)


# -- H -------------------------------------------------------------------------------------


@st.composite
def qap_instances(draw: st.DrawFn) -> tuple[list[Coefficient], int, list[int]]:
    size = draw(st.sampled_from([2, 4, 8]))
    n_vars = draw(st.integers(1, 5))
    entries = st.builds(
        Coefficient, st.integers(0, 1), st.integers(0, size - 1), st.integers(0, n_vars - 1), fr
    )
    coefficients = draw(st.lists(entries, max_size=12))
    witness = draw(st.lists(fr, min_size=n_vars, max_size=n_vars))
    return coefficients, size, witness


def matrix_rows(coefficients: list[Coefficient], size: int, witness: list[int]) -> list[list[int]]:
    rows = [[0] * size, [0] * size]
    for coefficient in coefficients:
        rows[coefficient.matrix][coefficient.constraint] += (
            coefficient.value * witness[coefficient.signal]
        )
    return [[value % R for value in row] for row in rows]


@settings(max_examples=40)
@given(qap_instances(), st.integers(0, R - 1))
def test_h_is_a_times_b_minus_c_on_the_odd_points(
    instance: tuple[list[Coefficient], int, list[int]], tau: int
) -> None:
    coefficients, size, witness = instance
    a_rows, b_rows = matrix_rows(coefficients, size, witness)
    c_rows = [a * b % R for a, b in zip(a_rows, b_rows, strict=True)]
    h = h_evaluations(BACKEND, coefficients, size, witness)

    def p(x: int) -> int:
        a, b, c = (naive_interpolate(rows, x) for rows in (a_rows, b_rows, c_rows))
        return (a * b - c) % R

    root = fr_root_of_unity(2 * size)
    assert h == [p(pow(root, 2 * i + 1, R)) for i in range(size)]
    # what the H query relies on: the odd Lagrange points of the doubled domain recover p(τ)
    if pow(tau, 2 * size, R) != 1:
        odd = lagrange_basis(2 * size, tau)[1::2]
        assert sum(hi * li for hi, li in zip(h, odd, strict=True)) % R == p(tau)


@pytest.mark.parametrize(
    "coefficient",
    [
        Coefficient(2, 0, 0, 1),
        Coefficient(0, 4, 0, 1),
        Coefficient(1, 0, 3, 1),
        Coefficient(0, -1, 0, 1),
    ],
)
def test_h_refuses_coefficients_outside_the_matrices(coefficient: Coefficient) -> None:
    with pytest.raises(LengthMismatchError, match="does not fit"):
        h_evaluations(BACKEND, [coefficient], 4, [1, 2, 3])
