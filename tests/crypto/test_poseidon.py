"""Poseidon against circomlibjs' vectors, a plain reference permutation and a bit-by-bit Grain.

``data/poseidon-vectors.json`` was produced by npm circomlibjs 0.1.7 (buildPoseidon, checked
against buildPoseidonReference); its ``generated_by`` field says how.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.crypto.poseidon import (
    FULL_ROUNDS,
    MAX_WIDTH,
    MIN_WIDTH,
    PARTIAL_ROUNDS,
    PoseidonHash,
    poseidon_digest,
    poseidon_hash,
    poseidon_parameters,
    poseidon_permutation,
)
from paraloom.errors import InvalidScalarError
from paraloom.math.fields import FR_MODULUS

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "poseidon-vectors.json").read_text()
)
WIDTHS = range(MIN_WIDTH, MAX_WIDTH + 1)

elements = st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))


def reference_permutation(state: list[int]) -> list[int]:
    """The textbook rounds (add constants, S-box, multiply by M) with no optimisation."""
    parameters = poseidon_parameters(len(state))
    n_partial = len(parameters.round_constants) - FULL_ROUNDS
    for index, constants in enumerate(parameters.round_constants):
        state = [(s + c) % FR_MODULUS for s, c in zip(state, constants, strict=True)]
        full = index < FULL_ROUNDS // 2 or index >= FULL_ROUNDS // 2 + n_partial
        state = [pow(s, 5, FR_MODULUS) if full or i == 0 else s for i, s in enumerate(state)]
        state = [sum(m * s for m, s in zip(row, state, strict=True)) % FR_MODULUS
                 for row in parameters.mds]  # fmt: skip
    return state


def grain_bits(width: int) -> Iterator[int]:
    """The reference script's Grain LFSR, one bit per clock on a list, self-shrunk."""
    fields = [(1, 2), (0, 4), (254, 12), (width, 12), (8, 10), (PARTIAL_ROUNDS[width - 2], 10)]
    bits = [int(b) for value, size in fields for b in format(value, f"0{size}b")] + [1] * 30

    def clock() -> int:
        new = bits[62] ^ bits[51] ^ bits[38] ^ bits[23] ^ bits[13] ^ bits[0]
        bits.pop(0)
        bits.append(new)
        return new

    for _ in range(160):
        clock()
    while True:
        if clock() == 1:
            yield clock()
        else:
            clock()


def plain_parameters(width: int) -> tuple[list[int], list[list[int]]]:
    """Round constants (rejection-sampled) and the Cauchy MDS, as the sage script does."""
    stream = grain_bits(width)

    def draw() -> int:
        return int("".join(str(next(stream)) for _ in range(254)), 2)

    constants: list[int] = []
    while len(constants) < (8 + PARTIAL_ROUNDS[width - 2]) * width:
        if (value := draw()) < FR_MODULUS:
            constants.append(value)
    xs = [draw() % FR_MODULUS for _ in range(width)]
    ys = [draw() % FR_MODULUS for _ in range(width)]
    return constants, [[pow(x + y, -1, FR_MODULUS) for y in ys] for x in xs]


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["note"])
def test_matches_circomlibjs_vectors(vector: dict[str, Any]) -> None:
    inputs = [int(value) for value in vector["inputs"]]
    assert len(inputs) + 1 == vector["t"]
    assert poseidon_hash(inputs) == int(vector["output"]) == int(vector["output_hex"], 16)


def test_every_width_has_a_vector() -> None:
    assert {vector["t"] for vector in VECTORS["vectors"]} == set(WIDTHS)


def test_multi_output_example_is_the_permuted_state() -> None:
    example = VECTORS["multi_output_example"]
    state = [int(example["init_state"]), *map(int, example["inputs"])]
    outputs = poseidon_permutation(state)[: example["n_out"]]
    assert outputs == [int(value) for value in example["outputs"]]


@pytest.mark.parametrize("width", [2, 3, 8, 17])
def test_constants_equal_a_bit_by_bit_grain_derivation(width: int) -> None:
    constants, mds = plain_parameters(width)
    parameters = poseidon_parameters(width)
    assert [c for row in parameters.round_constants for c in row] == constants
    assert [list(row) for row in parameters.mds] == mds


def test_parameters_have_circomlibs_shape() -> None:
    for width in WIDTHS:
        parameters = poseidon_parameters(width)
        assert parameters.width == width
        assert parameters.partial_rounds == PARTIAL_ROUNDS[width - 2]
        assert len(parameters.round_constants) == parameters.rounds
        assert all(len(row) == width for row in (*parameters.round_constants, *parameters.mds))


@settings(max_examples=40)
@given(
    st.integers(MIN_WIDTH, MAX_WIDTH).flatmap(lambda t: st.lists(elements, min_size=t, max_size=t))
)
def test_optimised_permutation_equals_the_reference(state: list[int]) -> None:
    assert poseidon_permutation(state) == reference_permutation(state)


@settings(max_examples=20)
@given(st.lists(elements, min_size=1, max_size=16))
def test_hash_is_lane_zero_of_the_permutation_of_zero_and_inputs(inputs: list[int]) -> None:
    assert poseidon_hash(inputs) == reference_permutation([0, *inputs])[0]


@pytest.mark.parametrize("count", [0, 17])
def test_refuses_input_counts_outside_1_to_16(count: int) -> None:
    with pytest.raises(InvalidScalarError, match=f"1 to 16 inputs, got {count}"):
        poseidon_hash([1] * count)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (FR_MODULUS, "index 1 is 2188.*not in \\[0, r\\)"),
        (-1, "index 1 is -1, not in \\[0, r\\)"),
        (True, "index 1 is True \\(bool\\), not an integer"),
        (1.0, "index 1 is 1.0 \\(float\\), not an integer"),
        ("1", "index 1 is '1' \\(str\\), not an integer"),
    ],
)
def test_refuses_values_that_are_not_field_elements(value: object, message: str) -> None:
    with pytest.raises(InvalidScalarError, match=message):
        poseidon_hash([0, value])  # type: ignore[list-item]


@pytest.mark.parametrize("width", [0, 1, 18])
def test_refuses_state_widths_outside_2_to_17(width: int) -> None:
    with pytest.raises(InvalidScalarError, match=f"width {width} is not in 2..17"):
        poseidon_permutation([0] * width)
    with pytest.raises(InvalidScalarError, match=f"width {width}"):
        poseidon_parameters(width)


def test_permutation_refuses_out_of_range_state() -> None:
    with pytest.raises(InvalidScalarError, match="state element at index 2"):
        poseidon_permutation([0, 1, FR_MODULUS])


def test_results_are_plain_ints() -> None:
    assert type(poseidon_hash([1])) is int
    assert all(type(value) is int for value in poseidon_permutation([1, 2, 3]))


# -- bytes --------------------------------------------------------------------------------


def chunks(data: bytes) -> list[int]:
    return [int.from_bytes(data[i : i + 31], "big") for i in range(0, len(data), 31)]


@given(st.binary(max_size=62))
def test_short_digest_is_one_permutation_with_the_length_in_lane_zero(data: bytes) -> None:
    lanes = [*chunks(data), 0, 0][:2]
    expected = reference_permutation([len(data), *lanes])[0]
    assert poseidon_digest(data) == expected.to_bytes(32, "big")


@settings(max_examples=20)
@given(st.binary(min_size=63, max_size=124))
def test_longer_digest_absorbs_two_chunks_per_permutation(data: bytes) -> None:
    first, second = chunks(data)[:2], [*chunks(data)[2:], 0][:2]
    state = reference_permutation([len(data), *first])
    lanes = [(lane + value) % FR_MODULUS for lane, value in zip(state[1:], second, strict=True)]
    expected = reference_permutation([state[0], *lanes])[0]
    assert poseidon_digest(data) == expected.to_bytes(32, "big")


def test_digest_tells_apart_data_that_pads_alike() -> None:
    samples = [b"", b"\0", b"\0" * 31, b"\0" * 32, b"\0" * 62, b"\0" * 63, b"\1", b"\0\1"]
    assert len({poseidon_digest(data) for data in samples}) == len(samples)


def test_poseidon_hash_component_delegates() -> None:
    component = PoseidonHash()
    assert component.hash_elements([1, 2]) == poseidon_hash([1, 2])
    assert component.digest(b"abc") == poseidon_digest(b"abc")
    assert component.digest_size == len(component.digest(b"abc")) == 32
