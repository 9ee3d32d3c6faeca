"""The built-in wasmtime executor: results, fuel, limits and every typed failure.

Oracles are independent of the executor: Python's own byte reversal, the IEEE 754 canonical
NaN bit patterns, the fuel the executor reports fed back as a budget, and a second process.
"""

from __future__ import annotations

import json
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files
from typing import Any

import pytest
import wasmtime
from hypothesis import assume, given
from hypothesis import strategies as st

from paraloom.compute import wasmtime_executor as executor_module
from paraloom.compute.engine_settings import EngineSettings
from paraloom.compute.epoch_ticker import EpochTicker
from paraloom.compute.execution import ExecutionLimits, ExecutionResult
from paraloom.compute.wasmtime_executor import WasmtimeExecutor
from paraloom.errors import (
    ConfigError,
    ExecutionError,
    ExecutionTimeoutError,
    GuestTrapError,
    ImportsNotAllowedError,
    InvalidModuleError,
    MemoryLimitError,
    OutOfFuelError,
    StackOverflowError,
)

MIB = 2**20
LIMITS = ExecutionLimits(memory_limit=64 * MIB, fuel=10**9, timeout=30.0)
#: Plenty of fuel, so that only the wall clock can stop an endless loop.
ENDLESS_FUEL = 10**15
#: IEEE 754 canonical quiet NaNs, the only NaNs a canonicalising engine may produce.
CANONICAL_F32, CANONICAL_F64 = 0x7FC00000, 0x7FF8000000000000

ABI_EXPORTS = """
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "run") (param i32 i32) (result i64) (i64.const 0))
"""


def guest(name: str) -> bytes:
    return files("paraloom").joinpath(f"data/guests/{name}.wasm").read_bytes()


def module(body: str) -> bytes:
    return bytes(wasmtime.wat2wasm(f"(module {body})"))


def depth_input(depth: int) -> bytes:
    return struct.pack("<I", depth)


@pytest.fixture(scope="module")
def executor() -> Iterator[WasmtimeExecutor]:
    with WasmtimeExecutor(LIMITS) as executor:
        yield executor


def assert_healthy(executor: WasmtimeExecutor) -> None:
    assert executor.execute(guest("reverse"), b"still alive").output == b"evila llits"


# -- results and fuel ----------------------------------------------------------------------


@given(payload=st.binary(max_size=4096))
def test_reverse_job_returns_its_input_reversed(executor: WasmtimeExecutor, payload: bytes) -> None:
    result = executor.execute(guest("reverse"), payload)
    assert result.output == payload[::-1]
    assert 0 < result.fuel_consumed < LIMITS.fuel


@given(payload=st.binary(max_size=256))
def test_the_reported_fuel_is_a_budget_that_suffices(
    executor: WasmtimeExecutor, payload: bytes
) -> None:
    needed = executor.execute(guest("reverse"), payload).fuel_consumed
    exact = ExecutionLimits(LIMITS.memory_limit, needed, LIMITS.timeout)
    again = executor.execute(guest("reverse"), payload, exact)
    assert (again.output, again.fuel_consumed) == (payload[::-1], needed)


@given(payload=st.binary(max_size=256), data=st.data())
def test_a_budget_below_the_need_is_used_up(
    executor: WasmtimeExecutor, payload: bytes, data: st.DataObject
) -> None:
    """wasmtime checks fuel at function entries and loop headers, so a job may finish a few
    units past its budget; either way the budget is what it is charged, never more."""
    needed = executor.execute(guest("reverse"), payload).fuel_consumed
    budget = data.draw(st.integers(1, needed - 1))
    short = ExecutionLimits(LIMITS.memory_limit, budget, LIMITS.timeout)
    outcome: ExecutionResult | OutOfFuelError
    try:
        outcome = executor.execute(guest("reverse"), payload, short)
    except OutOfFuelError as failure:
        outcome = failure
    assert outcome.fuel_consumed == budget
    if isinstance(outcome, ExecutionResult):
        assert outcome.output == payload[::-1]
    if budget <= needed // 2:
        with pytest.raises(OutOfFuelError):
            executor.execute(guest("reverse"), payload, short)


@given(payload=st.binary(max_size=64))
def test_fuel_grows_with_the_work_done(executor: WasmtimeExecutor, payload: bytes) -> None:
    shorter = executor.execute(guest("reverse"), payload).fuel_consumed
    longer = executor.execute(guest("reverse"), payload + b"x").fuel_consumed
    assert longer > shorter


def test_two_executors_agree_bit_for_bit(executor: WasmtimeExecutor) -> None:
    with WasmtimeExecutor(LIMITS) as other:
        for name, job_input in [("reverse", b"paraloom"), ("float_nan", b"")]:
            mine, theirs = (
                executor.execute(guest(name), job_input),
                other.execute(guest(name), job_input),
            )
            assert (mine.output, mine.fuel_consumed) == (theirs.output, theirs.fuel_consumed)


def test_a_second_process_computes_the_same_bytes_and_fuel(executor: WasmtimeExecutor) -> None:
    jobs = [("reverse", b"across processes"), ("float_nan", b""), ("deep_recursion", b"\x10\0\0\0")]
    script = (
        "import json, sys\n"
        "from importlib.resources import files\n"
        "from paraloom.compute.execution import ExecutionLimits\n"
        "from paraloom.compute.wasmtime_executor import WasmtimeExecutor\n"
        "jobs = json.loads(sys.argv[1])\n"
        f"limits = ExecutionLimits({LIMITS.memory_limit}, {LIMITS.fuel}, 30.0)\n"
        "with WasmtimeExecutor(limits) as ex:\n"
        "    for name, hex_input in jobs:\n"
        "        wasm = files('paraloom').joinpath(f'data/guests/{name}.wasm').read_bytes()\n"
        "        r = ex.execute(wasm, bytes.fromhex(hex_input))\n"
        "        print(json.dumps([r.output.hex(), r.fuel_consumed]))\n"
    )
    argument = json.dumps([[name, data.hex()] for name, data in jobs])
    completed = subprocess.run(
        [sys.executable, "-c", script, argument], check=True, capture_output=True, text=True
    )
    theirs = [json.loads(line) for line in completed.stdout.splitlines()]
    mine = [
        [result.output.hex(), result.fuel_consumed]
        for result in (executor.execute(guest(name), data) for name, data in jobs)
    ]
    assert theirs == mine


# -- NaN canonicalisation ------------------------------------------------------------------


def nan_bits(output: bytes) -> tuple[int, ...]:
    return struct.unpack("<4I3Q", output)


def test_every_nan_a_guest_produces_is_canonical(executor: WasmtimeExecutor) -> None:
    bits = nan_bits(executor.execute(guest("float_nan"), b"").output)
    assert bits == (CANONICAL_F32,) * 4 + (CANONICAL_F64,) * 3


def test_without_canonicalisation_nan_payloads_leak() -> None:
    """The previous test could fail: an engine without the setting gives other bits."""
    settings = EngineSettings(nan_canonicalization=False)
    with WasmtimeExecutor(LIMITS, settings=settings) as raw:
        bits = nan_bits(raw.execute(guest("float_nan"), b"").output)
    assert bits != (CANONICAL_F32,) * 4 + (CANONICAL_F64,) * 3


# -- misbehaving guests --------------------------------------------------------------------

MISBEHAVING = [
    ("infinite_loop", b"", ExecutionLimits(64 * MIB, 10**6, 30.0), OutOfFuelError),
    ("infinite_loop", b"", ExecutionLimits(64 * MIB, ENDLESS_FUEL, 0.05), ExecutionTimeoutError),
    ("memory_bomb", b"", ExecutionLimits(4 * MIB, 10**9, 30.0), MemoryLimitError),
    ("deep_recursion", b"", LIMITS, StackOverflowError),
    ("needs_import", b"", LIMITS, ImportsNotAllowedError),
    ("trap", b"boom", LIMITS, GuestTrapError),
]


@pytest.mark.parametrize(
    ("name", "job_input", "limits", "error"),
    MISBEHAVING,
    ids=["fuel", "timeout", "memory", "stack", "import", "trap"],
)
def test_each_misbehaving_guest_fails_with_its_own_error_and_leaves_the_executor_healthy(
    executor: WasmtimeExecutor,
    name: str,
    job_input: bytes,
    limits: ExecutionLimits,
    error: type[ExecutionError],
) -> None:
    with pytest.raises(ExecutionError) as failure:
        executor.execute(guest(name), job_input, limits)
    assert type(failure.value) is error
    assert 0 <= failure.value.fuel_consumed <= limits.fuel
    assert failure.value.elapsed > 0
    assert f"fuel used {failure.value.fuel_consumed:,}" in str(failure.value)
    assert_healthy(executor)


def test_out_of_fuel_reports_the_whole_budget(executor: WasmtimeExecutor) -> None:
    budget = ExecutionLimits(LIMITS.memory_limit, 12_345, LIMITS.timeout)
    with pytest.raises(OutOfFuelError) as failure:
        executor.execute(guest("infinite_loop"), b"", budget)
    assert failure.value.fuel_consumed == 12_345


def test_a_timeout_never_fires_before_its_limit(executor: WasmtimeExecutor) -> None:
    limits = ExecutionLimits(LIMITS.memory_limit, ENDLESS_FUEL, 0.08)
    with pytest.raises(ExecutionTimeoutError) as failure:
        executor.execute(guest("infinite_loop"), b"", limits)
    assert failure.value.elapsed >= 0.08


def test_a_start_function_is_bounded_too(executor: WasmtimeExecutor) -> None:
    spinning_start = module(
        f'(memory (export "memory") 1) {ABI_EXPORTS} (func $spin (loop (br 0))) (start $spin)'
    )
    with pytest.raises(OutOfFuelError):
        executor.execute(spinning_start, b"", ExecutionLimits(MIB, 5_000, 30.0))
    with pytest.raises(ExecutionTimeoutError):
        executor.execute(spinning_start, b"", ExecutionLimits(MIB, ENDLESS_FUEL, 0.02))


@given(depth=st.integers(0, 2000))
def test_recursion_within_the_stack_returns_its_depth(
    executor: WasmtimeExecutor, depth: int
) -> None:
    assert executor.execute(guest("deep_recursion"), depth_input(depth)).output == depth_input(
        depth
    )


def test_the_stack_bound_is_the_engine_setting() -> None:
    depth = depth_input(5_000)
    with WasmtimeExecutor(LIMITS, settings=EngineSettings(max_wasm_stack=1 * MIB)) as large:
        assert large.execute(guest("deep_recursion"), depth).output == depth
    small = EngineSettings(max_wasm_stack=64 * 1024)
    with (
        WasmtimeExecutor(LIMITS, settings=small) as shallow,
        pytest.raises(StackOverflowError, match="64KiB"),
    ):
        shallow.execute(guest("deep_recursion"), depth)


def test_a_guest_stopped_by_its_own_maximum_is_not_the_memory_limit(
    executor: WasmtimeExecutor,
) -> None:
    """memory.grow fails under the guest's own maximum, far below the limit: a plain trap."""
    self_limited = module(
        '(memory (export "memory") 1 2) (func (export "alloc") (param i32) (result i32) '
        '(i32.const 1024)) (func (export "run") (param i32 i32) (result i64) '
        "(loop (br_if 0 (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable)"
    )
    with pytest.raises(GuestTrapError):
        executor.execute(self_limited, b"")


# -- modules refused before they run -------------------------------------------------------

IMPORT_KINDS = [
    '(import "env" "f" (func))',
    '(import "env" "g" (global i32))',
    '(import "env" "t" (table 1 funcref))',
    '(import "env" "m" (memory 1))',
]


@pytest.mark.parametrize("declaration", IMPORT_KINDS, ids=["func", "global", "table", "memory"])
def test_any_import_is_refused_before_instantiation(
    executor: WasmtimeExecutor, monkeypatch: pytest.MonkeyPatch, declaration: str
) -> None:
    memory = "" if "memory" in declaration else '(memory (export "memory") 1)'
    wasm = module(f"{declaration} {memory} {ABI_EXPORTS}")
    instantiated: list[Any] = []
    monkeypatch.setattr(
        executor_module.wasmtime, "Instance", lambda *args: instantiated.append(args)
    )
    with pytest.raises(ImportsNotAllowedError, match=r"env\.[fgtm]") as failure:
        executor.execute(wasm, b"")
    assert instantiated == []
    assert failure.value.fuel_consumed == 0


@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_are_an_invalid_module(executor: WasmtimeExecutor, data: bytes) -> None:
    with pytest.raises(InvalidModuleError):
        executor.execute(data, b"")


@given(cut=st.integers(0, len(guest("reverse")) - 1))
def test_a_truncated_module_is_invalid(executor: WasmtimeExecutor, cut: int) -> None:
    truncated = guest("reverse")[:cut]
    # a cut between whole sections leaves a valid module (refused by the ABI checks instead)
    assume(not wasmtime_validates(truncated))
    with pytest.raises(InvalidModuleError):
        executor.execute(truncated, b"")


def wasmtime_validates(wasm: bytes) -> bool:
    try:
        wasmtime.Module.validate(wasmtime.Engine(), wasm)
    except wasmtime.WasmtimeError:
        return False
    return True


def test_text_format_is_not_a_job(executor: WasmtimeExecutor) -> None:
    with pytest.raises(InvalidModuleError, match="not a WebAssembly binary"):
        executor.execute(b'(module (memory (export "memory") 1))', b"")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('(func (export "alloc") (param i32) (result i32) (i32.const 0))', "run"),
        (
            '(memory (export "memory") 1) (func (export "run") (param i32 i32) (result i64) '
            "(i64.const 0))",
            "alloc",
        ),
        (ABI_EXPORTS, "memory"),
        (
            '(memory (export "memory") 1) (func (export "alloc") (param i64) (result i32) '
            '(i32.const 0)) (func (export "run") (param i32 i32) (result i64) (i64.const 0))',
            "alloc",
        ),
    ],
    ids=["no run", "no alloc", "no memory", "alloc takes i64"],
)
def test_a_module_off_the_guest_abi_is_invalid(
    executor: WasmtimeExecutor, body: str, named: str
) -> None:
    with pytest.raises(InvalidModuleError, match=named):
        executor.execute(module(body), b"")


def test_an_initial_memory_above_the_limit_is_refused_before_it_runs(
    executor: WasmtimeExecutor,
) -> None:
    wasm = module(f'(memory (export "memory") 17) {ABI_EXPORTS}')
    with pytest.raises(MemoryLimitError, match="initial memory of 1088KiB") as failure:
        executor.execute(wasm, b"", ExecutionLimits(MIB, 10**6, 30.0))
    assert failure.value.fuel_consumed == 0
    assert executor.execute(wasm, b"", ExecutionLimits(2 * MIB, 10**6, 30.0)).output == b""


def test_an_input_larger_than_the_memory_limit_is_refused(executor: WasmtimeExecutor) -> None:
    with pytest.raises(MemoryLimitError, match="input of"):
        executor.execute(guest("reverse"), bytes(MIB + 1), ExecutionLimits(MIB, 10**9, 30.0))


@pytest.mark.parametrize(
    ("alloc", "run", "problem"),
    [
        ("(i32.const 0)", "(i64.const 0)", "refused to allocate"),
        ("(i32.const 70000)", "(i64.const 0)", "input outside its memory"),
        ("(i32.const 1024)", "(i64.const 0x0000fff000000100)", "output outside its memory"),
    ],
    ids=["alloc fails", "input out of bounds", "output out of bounds"],
)
def test_abi_violations_at_run_time_are_guest_errors(
    executor: WasmtimeExecutor, alloc: str, run: str, problem: str
) -> None:
    wasm = module(
        f'(memory (export "memory") 1) (func (export "alloc") (param i32) (result i32) {alloc})'
        f' (func (export "run") (param i32 i32) (result i64) {run})'
    )
    with pytest.raises(GuestTrapError, match=problem):
        executor.execute(wasm, b"some input")


# -- concurrency and lifecycle -------------------------------------------------------------


def test_no_more_jobs_run_at_once_than_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    running, peak, lock = 0, 0, threading.Lock()
    with WasmtimeExecutor(LIMITS, concurrent_jobs=2) as bounded:
        original = bounded._run

        def counted(*args: Any) -> bytes:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            try:
                return original(*args)
            finally:
                with lock:
                    running -= 1

        monkeypatch.setattr(bounded, "_run", counted)
        spin = ExecutionLimits(LIMITS.memory_limit, 2 * 10**6, 30.0)

        def job(_: int) -> type[BaseException]:
            with pytest.raises(OutOfFuelError) as failure:
                bounded.execute(guest("infinite_loop"), b"", spin)
            return failure.type

        with ThreadPoolExecutor(max_workers=6) as pool:
            assert set(pool.map(job, range(12))) == {OutOfFuelError}
    assert 1 <= peak <= 2


def test_concurrent_jobs_each_get_their_own_result(executor: WasmtimeExecutor) -> None:
    payloads = [bytes([index]) * (index + 1) for index in range(32)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outputs = list(pool.map(lambda data: executor.execute(guest("reverse"), data), payloads))
    assert [result.output for result in outputs] == [data[::-1] for data in payloads]


@pytest.mark.parametrize("fuel", [0, 2**64, 2**70])
def test_a_fuel_budget_wasmtime_cannot_hold_is_a_config_error(
    executor: WasmtimeExecutor, fuel: int
) -> None:
    """wasmtime would wrap 2^64 to zero fuel: the budget is refused instead."""
    with pytest.raises(ConfigError, match="fuel"):
        executor.execute(guest("reverse"), b"", ExecutionLimits(2**20, fuel, 1.0))


def test_limits_beyond_wasm32_and_u64_ticks_still_run_the_job(executor: WasmtimeExecutor) -> None:
    huge = ExecutionLimits(2**40, 2**64 - 1, float("inf"))
    assert executor.execute(guest("reverse"), b"abc", huge).output == b"cba"


def test_a_concurrency_bound_below_one_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="concurrent_jobs"):
        WasmtimeExecutor(LIMITS, concurrent_jobs=0)


def ticker_threads() -> int:
    return sum(thread.name == "paraloom-epoch-ticker" for thread in threading.enumerate())


def test_close_stops_the_ticker_and_refuses_later_jobs() -> None:
    before = ticker_threads()
    closing = WasmtimeExecutor(LIMITS)
    assert ticker_threads() == before  # started lazily, by the first job
    closing.execute(guest("reverse"), b"x")
    assert ticker_threads() == before + 1
    closing.close()
    assert ticker_threads() == before
    with pytest.raises(ExecutionError, match="closed"):
        closing.execute(guest("reverse"), b"x")


@given(timeout=st.floats(0.001, 10.0**9), interval=st.sampled_from([0.001, 0.01, 0.1]))
def test_a_deadline_covers_the_timeout_plus_a_tick_that_may_come_at_once(
    timeout: float, interval: float
) -> None:
    ticks = EpochTicker(wasmtime.Engine(), interval).deadline_ticks(timeout)
    assert (ticks - 1) * interval >= timeout * (1 - 1e-12)
    assert (ticks - 2) * interval < timeout


# -- the error type ------------------------------------------------------------------------


@given(
    reason=st.text(min_size=1, max_size=40),
    fuel=st.integers(0, 2**64),
    elapsed=st.floats(0, 1e6),
    kind=st.sampled_from([OutOfFuelError, MemoryLimitError, GuestTrapError, ExecutionError]),
)
def test_execution_errors_survive_pickling_with_their_cost(
    reason: str, fuel: int, elapsed: float, kind: type[ExecutionError]
) -> None:
    error = kind(reason, fuel_consumed=fuel, elapsed=elapsed)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is kind
    assert (copy.reason, copy.fuel_consumed, copy.elapsed) == (reason, fuel, elapsed)
    assert str(copy) == str(error)


def test_execution_error_message_names_reason_fuel_and_time() -> None:
    assert str(ExecutionError("boom")) == "boom (fuel used 0, time 0.00 ms)"
    error = OutOfFuelError("out of fuel", fuel_consumed=1_000_000, elapsed=0.0125)
    assert str(error) == "out of fuel (fuel used 1,000,000, time 12.50 ms)"
    assert error.exit_code == 1
