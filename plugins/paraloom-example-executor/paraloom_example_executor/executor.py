"""The executor itself, kept apart so that wasmtime loads only when the executor is built.

Every paraloom command loads every plugin to list its components; a plugin that imports its heavy
dependencies at the top makes all of them slower.
"""

from __future__ import annotations

import time

import wasmtime

from paraloom import ExecutionError, ExecutionLimits, ExecutionResult
from paraloom.compute.execution import unpack_guest_result


class ExampleExecutor:
    """Runs a guest with fuel and a memory limit; no timeout, no cache (see the README)."""

    def __init__(self, limits: ExecutionLimits) -> None:
        self.limits = limits
        config = wasmtime.Config()
        config.consume_fuel = True
        self.engine = wasmtime.Engine(config)

    def execute(
        self, wasm: bytes, job_input: bytes, limits: ExecutionLimits | None = None
    ) -> ExecutionResult:
        limits = limits or self.limits
        started = time.perf_counter()
        try:
            module = wasmtime.Module(self.engine, wasm)
            if module.imports:
                raise ExecutionError("module imports are not allowed")
            store = wasmtime.Store(self.engine)
            store.set_limits(memory_size=limits.memory_limit)
            store.set_fuel(limits.fuel)
            exports = wasmtime.Instance(store, module, []).exports(store)
            memory, alloc, run = exports["memory"], exports["alloc"], exports["run"]
            pointer = alloc(store, len(job_input))
            if pointer == 0 and job_input:
                raise ExecutionError("guest could not allocate its input")
            memory.write(store, job_input, pointer)
            out_pointer, out_length = unpack_guest_result(run(store, pointer, len(job_input)))
            output = bytes(memory.read(store, out_pointer, out_pointer + out_length))
        except (wasmtime.WasmtimeError, wasmtime.Trap, KeyError, ValueError) as error:
            raise ExecutionError(f"example executor: {error}") from error
        consumed = limits.fuel - store.get_fuel()
        return ExecutionResult(output, consumed, time.perf_counter() - started)
