"""circomlib's Poseidon as R1CS: the same permutation as :mod:`paraloom.crypto.poseidon`.

Only the x^5 S-boxes cost constraints (three each: x², x⁴, x⁵); round constants and the MDS
mixing fold into the linear combinations of the next products. An S-box whose input is a
constant costs nothing, which is why lane 0 (the constant 0 plus its round constant) is free
in the first round: t = 3 takes 3·(8·3 + 57 - 1) = 240 constraints, circomlib's count with
``--O2``.
"""

from __future__ import annotations

from collections.abc import Sequence

from paraloom.crypto.poseidon import (
    MAX_INPUTS,
    MAX_WIDTH,
    MIN_WIDTH,
    PoseidonParameters,
    poseidon_parameters,
)
from paraloom.errors import CircuitError
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import CircuitBuilder, Operand
from paraloom.zk.expressions import Expr, lift


def poseidon_gadget(cs: CircuitBuilder, inputs: Sequence[Expr | int]) -> Expr:
    """circomlib's ``Poseidon(n)`` of 1..16 inputs: lane 0 of the permutation of [0, *inputs].

    Only lane 0 of the last round's mixing is needed, and the last S-box product of lane 0 can
    absorb the rest of that row (m00·x⁴·x + Σ m0j·x5_j), so the output is a wire of its own at
    no extra constraint: ``public_output`` of it costs nothing either.
    """
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise CircuitError(f"Poseidon takes 1 to {MAX_INPUTS} inputs, got {len(inputs)}")
    parameters = poseidon_parameters(len(inputs) + 1)
    lanes = _rounds(cs, parameters, [0, *inputs], parameters.rounds - 1)
    lanes = _add(lanes, parameters.round_constants[-1])
    row = parameters.mds[0]
    rest = _combine(cs, row[1:], [_sbox(cs, lane) for lane in lanes[1:]])
    return _sbox(cs, lanes[0], scale=row[0], plus=rest)


def poseidon_permutation_gadget(cs: CircuitBuilder, state: Sequence[Operand]) -> list[Expr]:
    """The whole permuted state of width 2..17 (circomlib's ``PoseidonEx``)."""
    if not MIN_WIDTH <= len(state) <= MAX_WIDTH:
        raise CircuitError(
            f"a Poseidon state has {MIN_WIDTH} to {MAX_WIDTH} elements, got {len(state)}"
        )
    parameters = poseidon_parameters(len(state))
    return _rounds(cs, parameters, state, parameters.rounds)


def _rounds(
    cs: CircuitBuilder, parameters: PoseidonParameters, state: Sequence[Operand], count: int
) -> list[Expr]:
    """The first ``count`` rounds of the reference permutation."""
    lanes = [lift(cs, value) for value in state]
    for index in range(count):
        lanes = _add(lanes, parameters.round_constants[index])
        boxed = len(lanes) if parameters.is_full_round(index) else 1
        lanes[:boxed] = [_sbox(cs, lane) for lane in lanes[:boxed]]
        lanes = [_combine(cs, row, lanes) for row in parameters.mds]
    return lanes


def _add(lanes: Sequence[Expr], constants: Sequence[int]) -> list[Expr]:
    return [lane + constant for lane, constant in zip(lanes, constants, strict=True)]


def _sbox(cs: CircuitBuilder, x: Expr, *, scale: int = 1, plus: Operand = 0) -> Expr:
    """scale·x⁵ + plus in three constraints (x², x⁴, then x⁴·(scale·x) + plus)."""
    square = cs.mul(x, x)
    return cs.mul(cs.mul(square, square), x.scaled(scale), plus=plus)


def _combine(cs: CircuitBuilder, coefficients: Sequence[int], lanes: Sequence[Expr]) -> Expr:
    """Σ coefficients[j]·lanes[j] in one pass (the lanes' terms grow through partial rounds,
    so summing Expr by Expr would copy them t times per lane)."""
    terms: dict[int, int] = {}
    for coefficient, lane in zip(coefficients, lanes, strict=True):
        for wire, value in lane.terms.items():
            terms[wire] = terms.get(wire, 0) + coefficient * value
    return Expr(
        cs, {wire: value % FR_MODULUS for wire, value in terms.items() if value % FR_MODULUS}
    )
