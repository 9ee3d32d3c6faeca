"""The shipped job guests, run through the built-in executor, against independent oracles.

The oracles are Python's own integers and min/max, hashlib's SHA-256, and a reference of the
inference network written here from the model in programs/guests/inference.wat.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from itertools import accumulate

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from paraloom.compute.execution import ExecutionLimits, ExecutionResult
from paraloom.compute.guests import (
    decode_aggregate,
    decode_inference,
    encode_features,
    encode_hash_chain_input,
    encode_records,
    guest_wasm,
)
from paraloom.compute.wasmtime_executor import WasmtimeExecutor
from paraloom.errors import GuestTrapError

I64_MIN, I64_MAX = -(2**63), 2**63 - 1
I64 = st.integers(I64_MIN, I64_MAX)
I32 = st.integers(-(2**31), 2**31 - 1)
LIMITS = ExecutionLimits(memory_limit=64 * 2**20, fuel=10**9, timeout=30.0)
#: The issue's budget for a 1 KiB input of every guest but the hash chain.
MODEST_FUEL = 10**7


@pytest.fixture(scope="module")
def executor() -> Iterator[WasmtimeExecutor]:
    with WasmtimeExecutor(LIMITS) as executor:
        yield executor


def run(executor: WasmtimeExecutor, guest: str, job_input: bytes) -> ExecutionResult:
    return executor.execute(guest_wasm(guest), job_input)


# -- aggregate ----------------------------------------------------------------------------


@given(st.lists(st.integers(-(2**56), 2**56), max_size=200))
def test_aggregate_matches_python(executor: WasmtimeExecutor, records: list[int]) -> None:
    aggregate = decode_aggregate(run(executor, "aggregate", encode_records(records)).output)
    assert aggregate.count == len(records)
    assert aggregate.total == sum(records)
    if records:
        assert (aggregate.minimum, aggregate.maximum) == (min(records), max(records))
        assert aggregate.mean_floor == sum(records) // len(records)


@given(st.lists(I64, min_size=1, max_size=20))
@example([I64_MAX, 1, -1])
@example([I64_MIN, -1])
@example([I64_MAX, I64_MIN])
def test_aggregate_traps_exactly_when_a_running_sum_overflows(
    executor: WasmtimeExecutor, records: list[int]
) -> None:
    job_input = encode_records(records)
    if all(I64_MIN <= partial <= I64_MAX for partial in accumulate(records)):
        assert decode_aggregate(run(executor, "aggregate", job_input).output).total == sum(records)
    else:
        with pytest.raises(GuestTrapError, match="unreachable"):
            run(executor, "aggregate", job_input)


def test_aggregate_of_no_records_has_only_a_count(executor: WasmtimeExecutor) -> None:
    result = run(executor, "aggregate", b"")
    assert result.output == bytes(40)
    aggregate = decode_aggregate(result.output)
    assert (aggregate.count, aggregate.minimum, aggregate.mean) == (0, None, None)


@pytest.mark.parametrize("length", [1, 7, 9, 1023])
def test_aggregate_traps_on_a_partial_record(executor: WasmtimeExecutor, length: int) -> None:
    with pytest.raises(GuestTrapError, match="unreachable"):
        run(executor, "aggregate", bytes(length))


# -- hash chain ---------------------------------------------------------------------------


def sha256_chain(iterations: int, seed: bytes) -> bytes:
    digest = seed
    for _ in range(iterations):
        digest = hashlib.sha256(digest).digest()
    return digest


@given(st.integers(0, 6), st.binary(max_size=300))
@example(1, b"")
@example(2, b"\x00" * 55)  # the longest seed whose padding fits its last block
@example(2, b"\x01" * 56)  # the shortest that needs a second padding block
@example(3, b"\x02" * 64)
@example(1, bytes(range(256)) * 4)
def test_hash_chain_matches_hashlib(
    executor: WasmtimeExecutor, iterations: int, seed: bytes
) -> None:
    output = run(executor, "hash_chain", encode_hash_chain_input(iterations, seed)).output
    assert output == sha256_chain(iterations, seed)


def test_hash_chain_of_many_links_matches_hashlib(executor: WasmtimeExecutor) -> None:
    output = run(executor, "hash_chain", encode_hash_chain_input(1000, b"paraloom")).output
    assert output == sha256_chain(1000, b"paraloom")


@pytest.mark.parametrize("length", [0, 3])
def test_hash_chain_traps_without_an_iteration_count(
    executor: WasmtimeExecutor, length: int
) -> None:
    with pytest.raises(GuestTrapError, match="unreachable"):
        run(executor, "hash_chain", bytes(length))


def test_every_further_link_costs_the_same_fuel(executor: WasmtimeExecutor) -> None:
    fuel = [
        run(executor, "hash_chain", encode_hash_chain_input(n, b"seed")).fuel_consumed
        for n in (1, 2, 5)
    ]
    per_link = fuel[1] - fuel[0]
    assert per_link > 0
    assert fuel[2] - fuel[1] == 3 * per_link


# -- inference ----------------------------------------------------------------------------

W1 = [
    [3, -1, 2, 0, -4, 1, 5, -2],
    [-2, 4, 0, 3, 1, -3, 2, 1],
    [1, 1, -5, 2, 0, 4, -1, 3],
    [0, -3, 1, -1, 6, 2, 0, -4],
]
B1 = [10, -20, 5, 0]
W2 = [[2, -3, 1, 4], [-1, 2, 3, -2]]
B2 = [-7, 11]


def wrap_i32(value: int) -> int:
    return (value + 2**31) % 2**32 - 2**31


def dense(weights: list[list[int]], biases: list[int], inputs: list[int]) -> list[int]:
    return [
        wrap_i32(bias + sum(w * x for w, x in zip(row, inputs, strict=True)))
        for row, bias in zip(weights, biases, strict=True)
    ]


def reference_inference(features: list[int]) -> tuple[tuple[int, int], int]:
    hidden = [max(0, unit) for unit in dense(W1, B1, features)]
    first, second = dense(W2, B2, hidden)
    return (first, second), int(second > first)


@given(
    st.one_of(
        st.lists(I32, min_size=8, max_size=8),
        st.lists(st.integers(-100, 100), min_size=8, max_size=8),
    )
)
@example([1, 2, 3, 4, 5, 6, 7, 8])
@example([0, 0, 0, 0, 0, -4, 0, 0])  # tied logits (5, 5): the class is the first
@example([0, 0, 0, 1, 0, 0, 0, 0])  # a hidden unit at exactly -1, the edge of ReLU
def test_inference_matches_the_reference_network(
    executor: WasmtimeExecutor, features: list[int]
) -> None:
    inference = decode_inference(run(executor, "inference", encode_features(features)).output)
    assert (inference.logits, inference.label) == reference_inference(features)


def test_the_reference_sees_a_tie_where_the_example_says() -> None:
    assert reference_inference([0, 0, 0, 0, 0, -4, 0, 0]) == ((5, 5), 0)


@pytest.mark.parametrize("length", [0, 28, 31, 33, 64])
def test_inference_traps_on_anything_but_eight_features(
    executor: WasmtimeExecutor, length: int
) -> None:
    with pytest.raises(GuestTrapError, match="unreachable"):
        run(executor, "inference", bytes(length))


# -- cost ---------------------------------------------------------------------------------

KIB_INPUTS = {
    "aggregate": struct.pack("<128q", *range(-64, 64)),
    "hash_chain": encode_hash_chain_input(1, bytes(1020)),
    "inference": encode_features([7, -3, 12, 0, 5, -8, 2, 9]),
    "reverse": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("guest", sorted(KIB_INPUTS))
def test_fuel_is_deterministic_and_modest(executor: WasmtimeExecutor, guest: str) -> None:
    first, second = (run(executor, guest, KIB_INPUTS[guest]) for _ in range(2))
    assert first.output == second.output
    assert first.fuel_consumed == second.fuel_consumed
    assert 0 < first.fuel_consumed < MODEST_FUEL
