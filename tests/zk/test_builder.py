from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import CircuitError, InvalidScalarError
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import CircuitBuilder, build_assignment, build_shape
from paraloom.zk.expressions import Expr
from paraloom.zk.satisfiability import check_satisfied

R = FR_MODULUS
elements = st.integers(0, R - 1)
ints = st.one_of(elements, st.integers(-(2**300), 2**300))


def terms(expr: Expr) -> dict[int, int]:
    return dict(expr.terms)


# -- expressions --------------------------------------------------------------------------


@st.composite
def expressions(draw: st.DrawFn) -> tuple[CircuitBuilder, list[Expr]]:
    """A witness-mode builder with three inputs and three random combinations of them."""
    values = draw(st.lists(elements, min_size=3, max_size=3))
    cs = CircuitBuilder({f"x{i}": v for i, v in enumerate(values)})
    wires = [cs.private_input(f"x{i}") for i in range(3)]
    combos = [sum((w * draw(ints) for w in wires), cs.constant(draw(ints))) for _ in range(3)]
    return cs, combos


@given(expressions(), ints)
def test_value_is_linear(case: tuple[CircuitBuilder, list[Expr]], k: int) -> None:
    cs, (a, b, _) = case
    assert cs.value(a + b) == (cs.value(a) + cs.value(b)) % R
    assert cs.value(a - b) == (cs.value(a) - cs.value(b)) % R
    assert cs.value(a * k) == cs.value(a) * k % R == cs.value(k * a)
    assert cs.value(-a) == -cs.value(a) % R
    assert cs.value(k - a) == (k - cs.value(a)) % R
    assert cs.value(a + k) == cs.value(k + a) == (cs.value(a) + k) % R


@given(expressions(), ints, ints)
def test_expression_laws(case: tuple[CircuitBuilder, list[Expr]], j: int, k: int) -> None:
    _, (a, b, c) = case
    assert terms(a + b) == terms(b + a)
    assert terms((a + b) + c) == terms(a + (b + c))
    assert terms((a + b) * k) == terms(a * k + b * k)
    assert terms(a * (j + k)) == terms(a * j + a * k)
    assert terms(a * j * k) == terms(a * (j * k))
    assert terms(a - a) == {}
    assert terms(a * R) == {}
    assert all(0 < c < R for c in (a * k + b).terms.values())


def test_coefficients_and_constants_are_reduced_mod_r() -> None:
    cs = CircuitBuilder()
    x = cs.private_input("x")
    assert terms(x * (R + 2)) == {x.index: 2}
    assert terms(x * -1) == {x.index: R - 1}
    assert terms(cs.constant(-3)) == {0: R - 3}
    assert terms(x + R) == {x.index: 1}


@pytest.mark.parametrize("bad", [1.5, "3", None, True])
def test_non_integer_constants_are_refused(bad: Any) -> None:
    cs = CircuitBuilder()
    x = cs.private_input("x")
    with pytest.raises(CircuitError, match="not a field constant"):
        x * bad
    with pytest.raises(CircuitError, match="not a field constant"):
        x + bad


def test_product_of_expressions_points_to_mul() -> None:
    cs = CircuitBuilder()
    x = cs.private_input("x")
    with pytest.raises(CircuitError, match="mul"):
        x * x  # type: ignore[operator]


def test_expressions_of_two_builders_do_not_mix() -> None:
    x = CircuitBuilder().private_input("x")
    other = CircuitBuilder()
    y = other.private_input("y")
    with pytest.raises(CircuitError, match="another circuit builder"):
        x + y
    with pytest.raises(CircuitError, match="another circuit builder"):
        other.mul(x, y)


# -- inputs -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [R, R + 5, -1, 2**256])
def test_input_out_of_range(value: int) -> None:
    cs = CircuitBuilder({"x": value})
    with pytest.raises(InvalidScalarError, match="input 'x'"):
        cs.public_input("x")


@pytest.mark.parametrize("value", [1.0, "5", None, True, [1]])
def test_input_not_an_integer(value: Any) -> None:
    cs = CircuitBuilder({"x": value})
    with pytest.raises(InvalidScalarError, match="not an integer"):
        cs.private_input("x")


def test_input_edges_are_accepted() -> None:
    cs = CircuitBuilder({"a": 0, "b": R - 1})
    assert cs.value(cs.public_input("a")) == 0
    assert cs.value(cs.private_input("b")) == R - 1


def test_missing_input_is_named() -> None:
    cs = CircuitBuilder({"x": 1})
    cs.private_input("x")
    with pytest.raises(CircuitError, match="'y'"):
        cs.private_input("y")


def test_unused_input_is_named() -> None:
    cs = CircuitBuilder({"x": 1, "typo": 2})
    cs.private_input("x")
    with pytest.raises(CircuitError, match="typo"):
        cs.assignment()


def test_scoped_inputs_use_their_full_name() -> None:
    def circuit(cs: CircuitBuilder) -> None:
        with cs.scope("deposit"):
            cs.public_output("twice", cs.private_input("amount") * 2)

    assert build_assignment(circuit, {"deposit.amount": 21}).public_signals == (42,)
    assert build_shape(circuit).names == ("one", "deposit.twice", "deposit.amount")


# -- names, modes -------------------------------------------------------------------------


def test_duplicate_names_are_refused() -> None:
    cs = CircuitBuilder()
    cs.private_input("x")
    with pytest.raises(CircuitError, match="'x' is used twice"):
        cs.mul(cs.private_input("y"), cs.private_input("z"), name="x")
    with pytest.raises(CircuitError, match="empty"):
        cs.public_input("")


def test_promoting_a_named_wire_frees_its_old_name() -> None:
    cs = CircuitBuilder()
    product = cs.mul(cs.private_input("a"), cs.private_input("b"), name="p")
    cs.public_output("c", product)
    cs.mul(product, product, name="p")
    assert cs.shape().names == ("one", "c", "a", "b", "p")


def test_values_are_unknown_in_shape_mode() -> None:
    cs = CircuitBuilder()
    x = cs.private_input("x")
    assert not cs.solving
    with pytest.raises(CircuitError, match="shape mode"):
        cs.value(x)
    with pytest.raises(CircuitError, match="only its shape"):
        cs.assignment()


def test_hints_run_only_in_witness_mode() -> None:
    calls: list[int] = []

    def circuit(cs: CircuitBuilder) -> None:
        x = cs.private_input("x")

        def halve() -> int:
            calls.append(1)
            return cs.value(x) * pow(2, -1, R)

        cs.assert_equal(cs.allocate(halve) * 2, x)

    shape = build_shape(circuit)
    assert calls == []
    assignment = build_assignment(circuit, {"x": 7})
    assert calls == [1]
    assert assignment.witness[2] * 2 % R == 7
    assert check_satisfied(shape.system, assignment.witness).ok


def test_hint_returning_a_non_integer_is_refused() -> None:
    cs = CircuitBuilder({})
    with pytest.raises(CircuitError, match="not a field constant"):
        cs.allocate(lambda: "7")  # type: ignore[arg-type, return-value]


# -- layout -------------------------------------------------------------------------------


def test_outputs_come_first_in_declaration_order() -> None:
    def circuit(cs: CircuitBuilder) -> None:
        a = cs.private_input("a")
        b = cs.public_input("b")
        p = cs.mul(a, b)
        q = cs.mul(p, b)
        cs.public_output("second_product", q)
        cs.public_output("sum", a + b)
        cs.public_output("first_product", p)

    assignment = build_assignment(circuit, {"a": 3, "b": 4})
    assert assignment.shape.names == ("one", "second_product", "sum", "first_product", "b", "a")
    assert assignment.witness == (1, 48, 7, 12, 4, 3)
    assert assignment.public_signals == (48, 7, 12, 4)
    shape = assignment.shape
    assert (shape.n_pub_out, shape.n_pub_in, shape.n_prv_in) == (3, 1, 1)
    assert shape.system.n_public == 4
    # two products, and one copy constraint for the sum, which is no single wire
    assert len(shape.system.constraints) == 3


def test_an_input_published_as_output_is_copied() -> None:
    def circuit(cs: CircuitBuilder) -> None:
        cs.public_output("echo", cs.private_input("x"))

    assignment = build_assignment(circuit, {"x": 9})
    assert assignment.witness == (1, 9, 9)
    assert len(assignment.shape.system.constraints) == 1


# -- gadgets ------------------------------------------------------------------------------


def gadgets(cs: CircuitBuilder) -> None:
    x = cs.private_input("x")
    bit = cs.private_input("bit")
    cs.assert_bool(bit)
    inv = cs.inverse(x, name="inv")
    cs.assert_equal(cs.mul(x, inv), 1)
    cs.enforce(x + 1, x - 1, cs.mul(x, x) - 1)


@pytest.mark.parametrize("bit", [0, 1])
def test_gadgets_hold(bit: int) -> None:
    assignment = build_assignment(gadgets, {"x": 5, "bit": bit})
    assert check_satisfied(assignment.shape.system, assignment.witness).ok
    inv = assignment.witness[assignment.shape.names.index("inv")]
    assert inv * 5 % R == 1


def test_assert_bool_rejects_two() -> None:
    assignment = build_assignment(gadgets, {"x": 5, "bit": 2})
    report = check_satisfied(assignment.shape.system, assignment.witness, assignment.shape.names)
    assert report.failing == (0,)
    assert report.first_failure is not None
    assert "bit" in str(report.first_failure)


def test_inverse_of_zero() -> None:
    with pytest.raises(CircuitError, match="1·x is zero"):
        build_assignment(gadgets, {"x": 0, "bit": 1})
    with pytest.raises(CircuitError, match="zero"):
        CircuitBuilder().inverse(0)


def test_constant_operands_cost_no_constraint() -> None:
    cs = CircuitBuilder({"x": 6})
    x = cs.private_input("x")
    assert terms(cs.mul(x, 3, plus=1)) == {x.index: 3, 0: 1}
    assert terms(cs.mul(cs.constant(2), x)) == {x.index: 2}
    assert cs.value(cs.inverse(4)) * 4 % R == 1
    cs.assert_equal(cs.constant(5), 5)
    cs.enforce(2, 3, 6)
    assert cs.shape().system.constraints == ()


def test_false_constant_constraint_is_refused() -> None:
    cs = CircuitBuilder()
    with pytest.raises(CircuitError, match="can never hold"):
        cs.assert_equal(cs.constant(5), 6)
