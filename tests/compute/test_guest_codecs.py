"""The byte layouts of the shipped job guests' inputs and outputs, and the package-data lookup."""

from __future__ import annotations

import struct
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.compute.guests import (
    FEATURE_COUNT,
    GUEST_NAMES,
    decode_aggregate,
    decode_inference,
    encode_features,
    encode_hash_chain_input,
    encode_records,
    guest_wasm,
)
from paraloom.errors import FormatError

I64 = st.integers(-(2**63), 2**63 - 1)
I32 = st.integers(-(2**31), 2**31 - 1)


@pytest.mark.parametrize("name", GUEST_NAMES)
def test_every_named_guest_is_shipped_as_a_wasm_module(name: str) -> None:
    assert guest_wasm(name).startswith(b"\0asm")


@pytest.mark.parametrize("name", ["nope", "infinite_loop", "../guests/reverse", ""])
def test_unknown_guest_names_are_refused_with_the_shipped_ones(name: str) -> None:
    with pytest.raises(FormatError, match="unknown guest program") as raised:
        guest_wasm(name)
    assert "hash_chain" in str(raised.value)


@given(st.lists(I64, max_size=50))
def test_records_encode_as_little_endian_i64(records: list[int]) -> None:
    encoded = encode_records(records)
    assert list(struct.unpack(f"<{len(records)}q", encoded)) == records


@pytest.mark.parametrize("bad", [2**63, -(2**63) - 1])
def test_records_outside_i64_are_refused_by_index(bad: int) -> None:
    with pytest.raises(FormatError, match=f"record 1 is {bad}"):
        encode_records([0, bad])


@given(I64.filter(lambda value: value >= 0), I64, I64, I64, I64)
def test_aggregate_output_decodes_field_by_field(
    count: int, total: int, minimum: int, maximum: int, mean: int
) -> None:
    aggregate = decode_aggregate(struct.pack("<Q4q", count, total, minimum, maximum, mean))
    assert aggregate.count == count
    assert aggregate.total == total
    if count == 0:
        assert (aggregate.minimum, aggregate.maximum, aggregate.mean_floor) == (None, None, None)
        assert aggregate.mean is None
    else:
        assert (aggregate.minimum, aggregate.maximum) == (minimum, maximum)
        assert aggregate.mean_floor == mean
        assert aggregate.mean == Fraction(total, count)


@pytest.mark.parametrize("length", [0, 39, 41])
def test_aggregate_output_of_the_wrong_length_is_refused(length: int) -> None:
    with pytest.raises(FormatError, match=f"aggregate output must be 40 bytes, got {length}"):
        decode_aggregate(bytes(length))


@given(st.integers(0, 2**32 - 1), st.binary(max_size=100))
def test_hash_chain_input_is_the_count_then_the_seed(iterations: int, seed: bytes) -> None:
    encoded = encode_hash_chain_input(iterations, seed)
    assert struct.unpack_from("<I", encoded) == (iterations,)
    assert encoded[4:] == seed


@pytest.mark.parametrize("iterations", [-1, 2**32])
def test_hash_chain_counts_outside_u32_are_refused(iterations: int) -> None:
    with pytest.raises(FormatError, match=r"iteration count.*32-bit unsigned"):
        encode_hash_chain_input(iterations, b"seed")


@given(st.lists(I32, min_size=FEATURE_COUNT, max_size=FEATURE_COUNT))
def test_features_encode_as_little_endian_i32(features: list[int]) -> None:
    assert list(struct.unpack("<8i", encode_features(features))) == features


@pytest.mark.parametrize("count", [0, FEATURE_COUNT - 1, FEATURE_COUNT + 1])
def test_feature_vectors_of_the_wrong_size_are_refused(count: int) -> None:
    with pytest.raises(FormatError, match=f"takes 8 features, got {count}"):
        encode_features([0] * count)


@pytest.mark.parametrize("bad", [2**31, -(2**31) - 1])
def test_features_outside_i32_are_refused_by_index(bad: int) -> None:
    with pytest.raises(FormatError, match=f"feature 7 is {bad}, not a 32-bit signed"):
        encode_features([0] * 7 + [bad])


@given(I32, I32, I32)
def test_inference_output_decodes_logits_then_class(first: int, second: int, label: int) -> None:
    inference = decode_inference(struct.pack("<3i", first, second, label))
    assert inference.logits == (first, second)
    assert inference.label == label


@pytest.mark.parametrize("length", [0, 11, 13])
def test_inference_output_of_the_wrong_length_is_refused(length: int) -> None:
    with pytest.raises(FormatError, match=f"inference output must be 12 bytes, got {length}"):
        decode_inference(bytes(length))
