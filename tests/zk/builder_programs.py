"""Builder twins of the circom fixtures, and random circuit programs for property tests."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from hypothesis import strategies as st

from paraloom.math.fields import FR_MODULUS

if TYPE_CHECKING:
    from paraloom.zk.builder import CircuitBuilder
    from paraloom.zk.expressions import Expr


def multiplier(cs: CircuitBuilder) -> None:
    """tests/formats/data/mul.circom: ``c <== a*b`` with a, b private."""
    a = cs.private_input("a")
    b = cs.private_input("b")
    cs.public_output("c", cs.mul(a, b))


def chain(cs: CircuitBuilder, n: int = 5) -> None:
    """tests/formats/data/chain.circom: ``t[i+1] <== t[i]*y + 3``, y public, out = t[n]."""
    x = cs.private_input("x")
    y = cs.public_input("y")
    t: Expr = x
    for i in range(n):
        t = cs.mul(t, y, plus=3, name=f"t[{i + 1}]")
    cs.public_output("out", t)


# -- random programs ----------------------------------------------------------------------
#
# A program is a list of steps over a growing pool of expressions (ONE, then the inputs, then
# whatever the steps produce); operand indices are taken modulo the pool size. Every step that
# allocates a wire also pins it with a constraint, so a satisfying witness is determined by
# the inputs: that is what the tamper tests rely on. Inverses are taken of inputs only, whose
# values are drawn nonzero.

Step = tuple[str, int, int, int]
KINDS = ("add", "sub", "scale", "const", "mul", "mul_plus", "inverse", "echo", "output")


@dataclass(frozen=True)
class Program:
    n_public: int
    n_private: int
    steps: tuple[Step, ...]

    @property
    def input_names(self) -> list[str]:
        return [f"pub{i}" for i in range(self.n_public)] + [
            f"prv{i}" for i in range(self.n_private)
        ]


def run_program(program: Program, cs: CircuitBuilder) -> None:
    pool: list[Expr] = [cs.one]
    pool += [cs.public_input(f"pub{i}") for i in range(program.n_public)]
    pool += [cs.private_input(f"prv{i}") for i in range(program.n_private)]
    n_inputs = len(pool) - 1
    for number, (kind, i, j, k) in enumerate(program.steps):
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if kind == "inverse" and n_inputs:
            pool.append(cs.inverse(pool[1 + i % n_inputs], name=f"inv{number}"))
        elif kind == "echo":
            copy = cs.allocate(partial(cs.value, a), name=f"echo{number}")
            cs.assert_equal(copy, a)
            pool.append(copy)
        elif kind == "output":
            pool.append(cs.public_output(f"out{number}", a))
        else:
            pool.append(_arithmetic(cs, kind, a, b, k))


def _arithmetic(cs: CircuitBuilder, kind: str, a: Expr, b: Expr, k: int) -> Expr:
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    if kind == "scale":
        return a * k
    if kind == "const":
        return cs.constant(k)
    if kind == "mul_plus":
        return cs.mul(a, b, plus=k)
    return cs.mul(a, b)


scalars = st.one_of(st.sampled_from([0, 1, 2, FR_MODULUS - 1]), st.integers(-(2**300), 2**300))
steps = st.tuples(st.sampled_from(KINDS), st.integers(0, 50), st.integers(0, 50), scalars)
programs = st.builds(
    Program,
    st.integers(0, 3),
    st.integers(0, 3),
    st.lists(steps, max_size=14).map(tuple),
)
nonzero_elements = st.one_of(
    st.sampled_from([1, 2, FR_MODULUS - 1]), st.integers(1, FR_MODULUS - 1)
)


@st.composite
def programs_with_inputs(draw: st.DrawFn) -> tuple[Program, dict[str, int]]:
    program = draw(programs)
    inputs = {name: draw(nonzero_elements) for name in program.input_names}
    return program, inputs
