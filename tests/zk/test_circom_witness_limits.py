"""The host's checks against generators that misbehave, built here in the text format.

A fake generator has circom's imports and exports; wire i is i, unless a test swaps in other
bodies. Each check of the host has a fake that fails it and only it.
"""

from __future__ import annotations

import pytest
import wasmtime

from paraloom.errors import WitnessError
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.circom_cache import compile_module
from paraloom.zk.circom_witness import CircomWitnessCalculator, WitnessLimits

NUL = bytes(1)
WIRE_IS_INDEX = """
    (i32.store (i32.const 0) (local.get 0))
    (memory.fill (i32.const 4) (i32.const 0) (i32.const 28))"""


def wat_bytes(data: bytes) -> str:
    return "".join(f"\\{byte:02x}" for byte in data)


def fake_generator(
    *,
    version: int = 2,
    limbs: int = 8,
    prime: int = FR_MODULUS,
    n_wires: int = 3,
    init: str = "",
    get_witness: str = WIRE_IS_INDEX,
    message: bytes = b"",
    message_char: str = "",
    extra_import: str = "",
) -> str:
    """A module with circom's interface; the shared memory starts at 0, the prime at 64."""
    prime_data, message_data = wat_bytes(prime.to_bytes(32, "little")), wat_bytes(message + NUL)
    default_char = """(i32.load8_u (global.get $cursor))
    (global.set $cursor (i32.add (global.get $cursor) (i32.const 1)))"""
    return f"""
(module
  (import "runtime" "exceptionHandler" (func $exception (param i32)))
  (import "runtime" "printErrorMessage" (func $print_error))
  (import "runtime" "writeBufferMessage" (func $write_buffer))
  (import "runtime" "showSharedRWMemory" (func $show_shared))
  {extra_import}
  (memory (export "memory") 1)
  (data (i32.const 64) "{prime_data}")
  (data (i32.const 128) "{message_data}")
  (global $cursor (mut i32) (i32.const 128))
  (func (export "getVersion") (result i32) (i32.const {version}))
  (func (export "getFieldNumLen32") (result i32) (i32.const {limbs}))
  (func (export "getSharedRWMemoryStart") (result i32) (i32.const 0))
  (func (export "getRawPrime") (memory.copy (i32.const 0) (i32.const 64) (i32.const 32)))
  (func (export "init") (param i32) {init})
  (func (export "getInputSignalSize") (param i32 i32) (result i32) (i32.const 0))
  (func (export "setInputSignal") (param i32 i32 i32))
  (func (export "getInputSize") (result i32) (i32.const 0))
  (func (export "getWitnessSize") (result i32) (i32.const {n_wires}))
  (func (export "getWitness") (param i32) {get_witness})
  (func (export "getMessageChar") (result i32)
    {message_char or default_char}))
"""


def calculator(wat: str, limits: WitnessLimits | None = None) -> CircomWitnessCalculator:
    module = compile_module(bytes(wasmtime.wat2wasm(wat)), "fake.wasm")
    return CircomWitnessCalculator(module, name="fake.wasm", limits=limits)


def test_the_fake_passes_when_nothing_is_wrong() -> None:
    assert calculator(fake_generator()).calculate({}) == [0, 1, 2]


def test_wires_beyond_one_collector_block_come_back_in_order() -> None:
    n_wires = 5_000  # the collector copies 2,048 wires per call
    assert calculator(fake_generator(n_wires=n_wires)).calculate({}) == list(range(n_wires))


def test_a_looping_generator_runs_out_of_fuel() -> None:
    looping = calculator(
        fake_generator(init="(loop $forever (br $forever))"), WitnessLimits(fuel=10**6)
    )
    with pytest.raises(WitnessError, match=r"fake\.wasm: out of fuel after 1000000 units"):
        looping.calculate({})


def test_a_generator_growing_memory_past_the_limit_fails() -> None:
    grow = """(if (i32.lt_s (memory.grow (i32.const 100)) (i32.const 0))
        (then (call $exception (i32.const 5))))"""
    greedy = calculator(fake_generator(init=grow), WitnessLimits(memory_limit=2 * 65536))
    with pytest.raises(WitnessError, match=r"not enough memory \(circom code 5\)"):
        greedy.calculate({})


def test_other_traps_are_witness_errors() -> None:
    with pytest.raises(WitnessError, match=r"fake\.wasm: trapped: .*unreachable"):
        calculator(fake_generator(init="unreachable")).calculate({})


def test_an_unknown_exception_code_keeps_the_messages() -> None:
    init = "(call $print_error) (call $exception (i32.const 99))"
    failing = calculator(fake_generator(init=init, message=b"Error in template T line: 3\n"))
    with pytest.raises(
        WitnessError, match=r"unknown error \(circom code 99\): Error in template T line: 3$"
    ):
        failing.calculate({})


def test_an_endless_message_is_cut_off() -> None:
    init = "(call $print_error) (call $exception (i32.const 4))"
    chatty = calculator(fake_generator(init=init, message_char="(i32.const 65)"))
    with pytest.raises(WitnessError) as caught:
        chatty.calculate({})
    assert str(caught.value).endswith(": " + "A" * 4096)


def test_imports_beyond_circom_runtime_are_refused() -> None:
    extra = (
        '(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))'
    )
    with pytest.raises(WitnessError, match=r"fake\.wasm: .*fd_write"):
        calculator(fake_generator(extra_import=extra))


def test_a_module_without_circom_exports_is_refused() -> None:
    with pytest.raises(WitnessError, match=r"not a circom witness generator \(no 'memory'\)"):
        calculator("(module)")


def test_a_circom_1_generator_is_refused() -> None:
    with pytest.raises(WitnessError, match=r"circom 1 witness generators are not supported"):
        calculator(fake_generator(version=1))


def test_a_field_of_another_width_is_refused() -> None:
    with pytest.raises(WitnessError, match=r"field elements of 16 bytes, not BN254's 32"):
        calculator(fake_generator(limbs=4))


def test_a_generator_without_wires_is_refused() -> None:
    with pytest.raises(WitnessError, match=r"reports 0 wires"):
        calculator(fake_generator(n_wires=0))


def test_a_wire_that_is_not_reduced_is_refused() -> None:
    copy_prime = "(memory.copy (i32.const 0) (i32.const 64) (i32.const 32))"
    with pytest.raises(WitnessError, match=r"returned a wire that is not below r"):
        calculator(fake_generator(get_witness=copy_prime)).calculate({})


@pytest.mark.parametrize("start", [65530, -32])
def test_a_shared_memory_outside_linear_memory_is_refused(start: int) -> None:
    wat = fake_generator().replace(
        '(func (export "getSharedRWMemoryStart") (result i32) (i32.const 0))',
        f'(func (export "getSharedRWMemoryStart") (result i32) (i32.const {start}))',
    )
    with pytest.raises(WitnessError, match=f"shared memory at {start} lies outside its memory"):
        calculator(wat)
