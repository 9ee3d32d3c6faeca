"""A circuit builder where one function both states the constraints and solves the witness.

A circuit is a plain function of a :class:`CircuitBuilder`. Built without inputs (shape mode)
it yields only the constraint system, so a key can be generated before anyone has a witness;
built with inputs (witness mode) the same calls also compute every wire. Values never steer the
structure, so both modes give identical constraints. Hints (:meth:`CircuitBuilder.allocate`)
are callables that run only in witness mode.

Wires are numbered as circom numbers them (ONE, public outputs, public inputs, private inputs,
internal wires) when the build ends: outputs are usually computed last, and promoting an
internal wire to an output saves the copy constraint circom would not emit either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import IntEnum

from paraloom.errors import CircuitError, InvalidScalarError
from paraloom.math.fields import FR_MODULUS, fr_inv, require_fr
from paraloom.zk.constraints import Constraint, ConstraintSystem
from paraloom.zk.expressions import ONE_WIRE, Expr, Wire, lift, scalar

Operand = Expr | int


class _Kind(IntEnum):
    """Wire categories in the order circom lays them out."""

    ONE = 0
    OUTPUT = 1
    PUBLIC_INPUT = 2
    PRIVATE_INPUT = 3
    INTERNAL = 4


@dataclass(frozen=True)
class CircuitShape:
    """The constraints in circom's wire layout, the counts an .r1cs header needs, wire names.

    ``names[i]`` names wire ``i`` (``"one"`` for wire 0, None for unnamed internal wires).
    """

    system: ConstraintSystem
    n_pub_out: int
    n_pub_in: int
    n_prv_in: int
    names: tuple[str | None, ...]


@dataclass(frozen=True)
class Assignment:
    """A shape together with a solved witness (one value per wire, wire 0 = 1)."""

    shape: CircuitShape
    witness: tuple[int, ...]

    @property
    def public_signals(self) -> tuple[int, ...]:
        """Outputs then public inputs: the order of snarkjs' public.json."""
        return self.witness[1 : 1 + self.shape.system.n_public]


class CircuitBuilder:
    """Collects wires and constraints; solves wires too when given ``inputs``."""

    def __init__(self, inputs: Mapping[str, int] | None = None) -> None:
        self._inputs: Mapping[str, object] = dict(inputs or {})
        self._used_inputs: set[str] = set()
        self._values: list[int] | None = None if inputs is None else [1]
        self._kinds: list[_Kind] = [_Kind.ONE]
        self._names: list[str | None] = ["one"]
        self._taken: set[str] = {"one"}
        self._outputs: list[int] = []
        self._rows: list[tuple[Expr, Expr, Expr]] = []
        self._scope: list[str] = []

    @property
    def solving(self) -> bool:
        """True in witness mode, where every wire gets a value."""
        return self._values is not None

    @property
    def one(self) -> Wire:
        return Wire(self, ONE_WIRE)

    def constant(self, value: int) -> Expr:
        """A field constant (reduced mod r)."""
        return lift(self, value)

    @contextmanager
    def scope(self, name: str) -> Iterator[None]:
        """Prefix the names given inside with ``name.``, as circom names sub-components."""
        self._scope.append(name)
        try:
            yield
        finally:
            self._scope.pop()

    # -- wires ------------------------------------------------------------------------------

    def public_input(self, name: str) -> Wire:
        return self._input(name, _Kind.PUBLIC_INPUT)

    def private_input(self, name: str) -> Wire:
        return self._input(name, _Kind.PRIVATE_INPUT)

    def public_output(self, name: str, value: Operand) -> Wire:
        """Expose ``value`` as the next public output.

        An internal wire on its own becomes the output in place; anything else is copied into
        a new output wire with one constraint ``value · 1 = out``.
        """
        expr = lift(self, value)
        wire = _single_wire(expr)
        if wire is not None and self._kinds[wire] is _Kind.INTERNAL:
            self._promote(wire, name)
            return Wire(self, wire)
        out = self._allocate(_Kind.OUTPUT, name, lambda: self.value(expr))
        self._constrain(expr, self.one, out)
        return out

    def allocate(self, compute: Callable[[], int], *, name: str | None = None) -> Wire:
        """A new internal wire holding ``compute()`` (called only in witness mode).

        The wire is unconstrained until the caller constrains it: this is how gadgets bring in
        values that are cheap to check but not to compute in R1CS (bits, inverses, quotients).
        """
        return self._allocate(_Kind.INTERNAL, name, lambda: scalar(compute()))

    def value(self, operand: Operand) -> int:
        """The value of ``operand`` in witness mode (for hints)."""
        if self._values is None:
            raise CircuitError("values are unknown in shape mode: read them only in hints")
        values = self._values
        return sum(c * values[w] for w, c in lift(self, operand).terms.items()) % FR_MODULUS

    # -- constraints ------------------------------------------------------------------------

    def mul(self, a: Operand, b: Operand, *, plus: Operand = 0, name: str | None = None) -> Expr:
        """``a·b + plus`` as a new wire with one constraint (or no wire if a factor is constant)."""
        x, y, z = lift(self, a), lift(self, b), lift(self, plus)
        if x.is_constant():
            return y.scaled(x.constant_value()) + z
        if y.is_constant():
            return x.scaled(y.constant_value()) + z
        product = self._allocate(
            _Kind.INTERNAL, name, lambda: self.value(x) * self.value(y) + self.value(z)
        )
        self._constrain(x, y, product - z)
        return product

    def enforce(self, a: Operand, b: Operand, c: Operand) -> None:
        """The raw constraint a·b = c, for gadgets that the helpers below do not cover."""
        self._constrain(lift(self, a), lift(self, b), lift(self, c))

    def assert_equal(self, a: Operand, b: Operand) -> None:
        """(a - b)·1 = 0: one constraint and no new wire."""
        self.enforce(lift(self, a) - b, 1, 0)

    def assert_bool(self, a: Operand) -> None:
        """a·(a - 1) = 0, which only 0 and 1 satisfy."""
        x = lift(self, a)
        self.enforce(x, x - 1, 0)

    def inverse(self, a: Operand, *, name: str | None = None) -> Expr:
        """1/a with the constraint a·inv = 1; zero has no inverse (CircuitError)."""
        x = lift(self, a)
        if x.is_constant():
            return self.constant(_invert(x.constant_value(), "the constant"))
        inv = self._allocate(
            _Kind.INTERNAL, name, lambda: _invert(self.value(x), self._describe(x))
        )
        self._constrain(x, inv, self.one)
        return inv

    # -- results ----------------------------------------------------------------------------

    def shape(self) -> CircuitShape:
        """The constraint system in circom's layout (both modes)."""
        self._check_inputs_used()
        order = self._wire_order()
        position = [0] * len(order)
        for new, old in enumerate(order):
            position[old] = new
        constraints = tuple(
            Constraint(*({position[w]: c for w, c in e.terms.items()} for e in row))
            for row in self._rows
        )
        n_pub_out, n_pub_in = len(self._outputs), self._kinds.count(_Kind.PUBLIC_INPUT)
        return CircuitShape(
            ConstraintSystem(len(order), n_pub_out + n_pub_in, constraints),
            n_pub_out=n_pub_out,
            n_pub_in=n_pub_in,
            n_prv_in=self._kinds.count(_Kind.PRIVATE_INPUT),
            names=tuple(self._names[w] for w in order),
        )

    def assignment(self) -> Assignment:
        """The shape and the solved witness (witness mode only)."""
        if self._values is None:
            raise CircuitError("the circuit was built without inputs: only its shape is known")
        values = self._values
        return Assignment(self.shape(), tuple(values[w] for w in self._wire_order()))

    # -- internals --------------------------------------------------------------------------

    def _input(self, name: str, kind: _Kind) -> Wire:
        qualified = self._qualify(name)
        return self._allocate(kind, name, lambda: self._input_value(qualified))

    def _input_value(self, name: str) -> int:
        if name not in self._inputs:
            raise CircuitError(f"no value given for input {name!r}")
        self._used_inputs.add(name)
        value = self._inputs[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidScalarError(f"input {name!r} is {value!r}, not an integer")
        return require_fr(value, f"input {name!r}")

    def _allocate(self, kind: _Kind, name: str | None, compute: Callable[[], int]) -> Wire:
        index = len(self._kinds)
        if self._values is not None:
            self._values.append(compute() % FR_MODULUS)
        self._kinds.append(kind)
        self._names.append(None if name is None else self._claim(name))
        if kind is _Kind.OUTPUT:
            self._outputs.append(index)
        return Wire(self, index)

    def _promote(self, wire: int, name: str) -> None:
        old = self._names[wire]
        self._names[wire] = self._claim(name)
        if old is not None:
            self._taken.discard(old)
        self._kinds[wire] = _Kind.OUTPUT
        self._outputs.append(wire)

    def _constrain(self, a: Expr, b: Expr, c: Expr) -> None:
        if a.is_constant() and b.is_constant() and c.is_constant():
            product, target = a.constant_value() * b.constant_value(), c.constant_value()
            if product % FR_MODULUS != target:
                sides = f"({self._describe(a)})·({self._describe(b)}) = {self._describe(c)}"
                raise CircuitError(f"a constraint between constants can never hold: {sides}")
            return
        self._rows.append((a, b, c))

    def _describe(self, expr: Expr) -> str:
        """``expr`` in signal names and signed coefficients, for error messages."""
        terms = (
            f"{c if c <= FR_MODULUS // 2 else c - FR_MODULUS}·{self._names[w] or f'wire #{w}'}"
            for w, c in expr.terms.items()
        )
        return " + ".join(terms) or "0"

    def _qualify(self, name: str) -> str:
        if not name:
            raise CircuitError("a wire name must not be empty")
        return ".".join([*self._scope, name])

    def _claim(self, name: str) -> str:
        qualified = self._qualify(name)
        if qualified in self._taken:
            raise CircuitError(f"the name {qualified!r} is used twice")
        self._taken.add(qualified)
        return qualified

    def _check_inputs_used(self) -> None:
        unknown = sorted(self._inputs.keys() - self._used_inputs)
        if unknown:
            raise CircuitError(f"inputs the circuit does not declare: {', '.join(unknown)}")

    def _wire_order(self) -> list[int]:
        """Builder ids in circom's order; outputs in declaration (not allocation) order."""
        by_kind: dict[_Kind, list[int]] = {kind: [] for kind in _Kind}
        for wire, kind in enumerate(self._kinds):
            by_kind[kind].append(wire)
        by_kind[_Kind.OUTPUT] = self._outputs
        return [wire for kind in _Kind for wire in by_kind[kind]]


CircuitFunction = Callable[[CircuitBuilder], None]


def build_shape(circuit: CircuitFunction) -> CircuitShape:
    """Run ``circuit`` in shape mode: constraints only, no inputs needed."""
    builder = CircuitBuilder()
    circuit(builder)
    return builder.shape()


def build_assignment(circuit: CircuitFunction, inputs: Mapping[str, int]) -> Assignment:
    """Run ``circuit`` in witness mode with ``inputs`` keyed by (scoped) input name."""
    builder = CircuitBuilder(inputs)
    circuit(builder)
    return builder.assignment()


def _single_wire(expr: Expr) -> int | None:
    """The wire of an expression that is exactly one wire with coefficient 1."""
    terms = expr.terms
    if len(terms) == 1:
        wire, coefficient = next(iter(terms.items()))
        if coefficient == 1 and wire != ONE_WIRE:
            return wire
    return None


def _invert(value: int, what: str) -> int:
    if value == 0:
        raise CircuitError(f"{what} is zero and has no inverse")
    return fr_inv(value)
