"""The Poseidon gadget against the native hash: vectors, random inputs, tampering, counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.crypto.poseidon import PARTIAL_ROUNDS, poseidon_hash, poseidon_permutation
from paraloom.errors import CircuitError
from paraloom.gadgets.poseidon import poseidon_gadget, poseidon_permutation_gadget
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import CircuitBuilder, build_shape

from .circuits import holds, n_constraints, solve, tampered

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "crypto" / "data" / "poseidon-vectors.json").read_text()
)

elements = st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))


def hash_circuit(values: list[int]) -> tuple[CircuitBuilder, Any, Any]:
    names = {f"in{i}": value for i, value in enumerate(values)}
    return solve(lambda cs, xs: cs.public_output("out", poseidon_gadget(cs, xs)), names)


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda vector: vector["note"])
def test_vectors_hold_in_circuit(vector: dict[str, Any]) -> None:
    _, _, assignment = hash_circuit([int(value) for value in vector["inputs"]])
    assert assignment.public_signals == (int(vector["output"]),)
    assert holds(assignment)


@settings(max_examples=10)
@given(st.lists(elements, min_size=1, max_size=3))
def test_gadget_equals_the_native_hash(values: list[int]) -> None:
    _, _, assignment = hash_circuit(values)
    assert assignment.public_signals == (poseidon_hash(values),)
    assert holds(assignment)


@settings(max_examples=10)
@given(st.lists(elements, min_size=2, max_size=2), st.data())
def test_any_tampered_wire_breaks_the_witness(values: list[int], data: st.DataObject) -> None:
    _, _, assignment = hash_circuit(values)
    wire = data.draw(st.integers(1, assignment.shape.system.n_wires - 1), label="wire")
    delta = data.draw(st.integers(1, FR_MODULUS - 1), label="delta")
    assert not holds(assignment, tampered(assignment, wire, delta))


@pytest.mark.parametrize("width", range(2, 7))
def test_constraints_are_three_per_non_constant_sbox(width: int) -> None:
    """8t full-round S-boxes and R_P partial ones, less lane 0 of round 1 (a constant); the
    output is the last product itself, so exposing it costs nothing."""
    _, _, assignment = hash_circuit(list(range(width - 1)))
    assert n_constraints(assignment) == 3 * (8 * width + PARTIAL_ROUNDS[width - 2] - 1)


def test_circomlib_count_for_two_inputs() -> None:
    _, _, assignment = hash_circuit([1, 2])
    assert n_constraints(assignment) == 240


def test_constant_inputs_hash_for_free() -> None:
    cs = CircuitBuilder()
    assert poseidon_gadget(cs, [1, 2]).constant_value() == poseidon_hash([1, 2])
    assert len(cs.shape().system.constraints) == 0


@settings(max_examples=10)
@given(elements, elements)
def test_mixed_constant_and_wire_inputs(secret: int, constant: int) -> None:
    cs, out, assignment = solve(
        lambda cs, xs: poseidon_gadget(cs, [constant, xs[0]]), {"x": secret}
    )
    assert cs.value(out) == poseidon_hash([constant, secret])  # type: ignore[arg-type]
    assert holds(assignment)


def test_permutation_gadget_gives_the_multi_output_example() -> None:
    example = VECTORS["multi_output_example"]
    state = [int(example["init_state"]), *map(int, example["inputs"])]
    names = {f"s{i}": value for i, value in enumerate(state)}
    cs, lanes, assignment = solve(poseidon_permutation_gadget, names)
    assert isinstance(lanes, list)
    assert [cs.value(lane) for lane in lanes] == poseidon_permutation(state)
    assert [cs.value(lane) for lane in lanes[:3]] == [int(v) for v in example["outputs"]]
    assert holds(assignment)


@pytest.mark.parametrize("count", [0, 17])
def test_input_counts_outside_1_to_16_are_refused(count: int) -> None:
    def circuit(cs: CircuitBuilder) -> None:
        poseidon_gadget(cs, [cs.private_input(f"x{i}") for i in range(count)])

    with pytest.raises(CircuitError, match=f"1 to 16 inputs, got {count}"):
        build_shape(circuit)


@pytest.mark.parametrize("width", [1, 18])
def test_state_widths_outside_2_to_17_are_refused(width: int) -> None:
    with pytest.raises(CircuitError, match=f"2 to 17 elements, got {width}"):
        poseidon_permutation_gadget(CircuitBuilder(), [0] * width)


def test_shape_mode_gives_the_same_constraints() -> None:
    def circuit(cs: CircuitBuilder) -> None:
        cs.public_output("out", poseidon_gadget(cs, [cs.private_input("a"), cs.private_input("b")]))

    _, _, assignment = hash_circuit([5, 6])
    assert build_shape(circuit).system == assignment.shape.system
