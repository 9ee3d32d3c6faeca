"""The built-in executor: WASM jobs under wasmtime, with every limit the protocol sets.

One engine per executor (fuel metering, epoch interruption, NaN canonicalisation, a bounded
stack; see :mod:`paraloom.compute.engine_settings`), one store per job with its memory,
instance and table limits, compiled modules cached by (wasm hash, engine fingerprint, wasmtime
version), and a semaphore that bounds how many jobs run at once. wasmtime releases the GIL
while wasm runs, so jobs on threads run in parallel.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import wasmtime

from paraloom.compute.engine_settings import EngineSettings
from paraloom.compute.epoch_ticker import EpochTicker
from paraloom.compute.execution import ExecutionLimits, ExecutionResult, unpack_guest_result
from paraloom.compute.failures import guest_failure, memory_exhausted, trap_failure
from paraloom.compute.module_cache import ModuleCache
from paraloom.errors import ConfigError, ExecutionError, InvalidModuleError, MemoryLimitError
from paraloom.units import format_size
from paraloom.wasm_cache import wasmtime_reason

#: Epoch tick: the resolution of wall-clock timeouts.
EPOCH_INTERVAL = 0.01
#: Table elements a job may have (function pointers of a C or Rust guest).
TABLE_ELEMENTS = 65_536
#: wasmtime takes fuel as an unsigned 64-bit count and wraps larger numbers silently.
MAX_FUEL = 2**64 - 1
#: A wasm32 memory cannot grow past 4 GiB whatever the limit says.
WASM32_MEMORY_MAX = 2**32
_U32_MASK = 0xFFFFFFFF


class _GuestAbiError(Exception):
    """The guest broke the ABI at run time; classified like a trap by the caller."""


class WasmtimeExecutor:
    """Runs WASM jobs; implements :class:`paraloom.components.Executor`.

    ``limits`` are the defaults of jobs that bring none. Safe to call from many threads: at
    most ``concurrent_jobs`` run at once, the others wait for a slot. ``cache_dir`` keeps
    compiled modules on disk between processes (local only: artifacts are native code).
    """

    def __init__(
        self,
        limits: ExecutionLimits,
        concurrent_jobs: int = 4,
        *,
        settings: EngineSettings | None = None,
        cache_dir: Path | None = None,
        cache_size: int = 64,
    ) -> None:
        if concurrent_jobs < 1:
            raise ConfigError(f"concurrent_jobs must be at least 1, got {concurrent_jobs}")
        self.limits = limits
        self.settings = settings or EngineSettings()
        self.engine = wasmtime.Engine(self.settings.config())
        self.modules = ModuleCache(
            self.engine, self.settings.fingerprint, max_entries=cache_size, directory=cache_dir
        )
        self._slots = threading.BoundedSemaphore(concurrent_jobs)
        self._ticker = EpochTicker(self.engine, EPOCH_INTERVAL)

    def execute(
        self, wasm: bytes, job_input: bytes, limits: ExecutionLimits | None = None
    ) -> ExecutionResult:
        """Run ``wasm``'s ``run`` on ``job_input``; the output is the bytes the guest returns.

        The timeout counts guest code only (instantiation and the ABI calls), not compiling;
        ``elapsed`` counts everything after the job got its slot. Fuel is what wasmtime
        reports, with two caveats measured on 50.0.1: it checks fuel only at function entries
        and loop headers, so a job may finish a few units past its budget and is then charged
        the budget; and after a timeout the figure is a lower bound, because fuel that a
        call-free loop burnt is not written back when an epoch interrupts it.

        :raises ExecutionError: a subclass naming the failure, with the fuel and time it took.
        """
        limits = self.limits if limits is None else limits
        with self._slots:
            started = time.perf_counter()
            store = self._store(limits)
            try:
                output = self._run(wasm, job_input, limits, store)
            except ExecutionError as error:
                # the one place that stamps the cost, wherever the failure was raised
                error.fuel_consumed = limits.fuel - store.get_fuel()
                error.elapsed = time.perf_counter() - started
                raise
            consumed = limits.fuel - store.get_fuel()
            return ExecutionResult(output, consumed, time.perf_counter() - started)

    def close(self) -> None:
        """Stop the epoch thread and drop compiled modules; later jobs are refused."""
        self._ticker.close()
        self.modules.clear()

    def __enter__(self) -> WasmtimeExecutor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _store(self, limits: ExecutionLimits) -> wasmtime.Store:
        if not 0 < limits.fuel <= MAX_FUEL:
            raise ConfigError(f"fuel must be between 1 and 2^64 - 1, got {limits.fuel}")
        store = wasmtime.Store(self.engine)
        store.set_limits(
            memory_size=min(limits.memory_limit, WASM32_MEMORY_MAX),
            table_elements=TABLE_ELEMENTS,
            instances=1,
            tables=1,
            memories=1,
        )
        store.set_fuel(limits.fuel)
        return store

    def _run(
        self, wasm: bytes, job_input: bytes, limits: ExecutionLimits, store: wasmtime.Store
    ) -> bytes:
        guest = self.modules.load(wasm)
        guest.check_memory(limits.memory_limit)
        if len(job_input) > limits.memory_limit:
            raise MemoryLimitError(
                f"input of {len(job_input):,} bytes exceeds the memory limit of "
                f"{format_size(limits.memory_limit)}"
            )
        memory: Any = None
        try:
            with self._ticker.running():
                store.set_epoch_deadline(self._ticker.deadline_ticks(limits.timeout))
                exports = wasmtime.Instance(store, guest.module, []).exports(store)
                memory = exports["memory"]
                return _call_guest(store, exports, job_input)
        except wasmtime.Trap as trap:
            exhausted = self._exhausted(store, memory, limits)
            raise trap_failure(
                trap,
                limits,
                exhausted_memory=exhausted,
                max_wasm_stack=self.settings.max_wasm_stack,
            ) from trap
        except _GuestAbiError as refusal:
            exhausted = self._exhausted(store, memory, limits)
            raise guest_failure(str(refusal), limits, exhausted_memory=exhausted) from refusal
        except wasmtime.WasmtimeError as error:
            reason = wasmtime_reason(str(error))
            raise InvalidModuleError(f"cannot instantiate: {reason}") from error

    @staticmethod
    def _exhausted(store: wasmtime.Store, memory: Any, limits: ExecutionLimits) -> bool:
        """Whether the guest's memory reached the limit (unknown when instantiation failed:
        a start function that trapped is classified by its trap alone)."""
        return memory is not None and memory_exhausted(memory.data_len(store), limits.memory_limit)


def _call_guest(store: wasmtime.Store, exports: Any, job_input: bytes) -> bytes:
    """The guest ABI: alloc the input, write it, run, read the packed output location."""
    memory, alloc, run = exports["memory"], exports["alloc"], exports["run"]
    # i32 values arrive signed; pointers and lengths are unsigned
    pointer = alloc(store, len(job_input)) & _U32_MASK
    if job_input:
        if pointer == 0:
            raise _GuestAbiError(f"refused to allocate {len(job_input):,} bytes for its input")
        if pointer + len(job_input) > memory.data_len(store):
            raise _GuestAbiError("allocated its input outside its memory")
        memory.write(store, job_input, pointer)
    start, length = unpack_guest_result(run(store, pointer, len(job_input)))
    if start + length > memory.data_len(store):
        raise _GuestAbiError("returned an output outside its memory")
    return bytes(memory.read(store, start, start + length))
