"""How a job that went wrong under wasmtime becomes a typed ExecutionError.

Failures are classified on wasmtime's trap code and on the store's state, never on message
text: every validator must classify one job's failure the same way, and messages change
between wasmtime versions while trap codes do not.
"""

from __future__ import annotations

import wasmtime

from paraloom.compute.execution import ExecutionLimits
from paraloom.errors import (
    ExecutionError,
    ExecutionTimeoutError,
    GuestTrapError,
    MemoryLimitError,
    OutOfFuelError,
    StackOverflowError,
)
from paraloom.units import format_duration, format_size

#: Linear-memory page size; custom page sizes are off in the job engine.
WASM_PAGE_SIZE = 65536


def memory_exhausted(memory_size: int, memory_limit: int) -> bool:
    """Whether a guest with ``memory_size`` bytes can grow no further under ``memory_limit``.

    A failed ``memory.grow`` returns -1 to the guest instead of trapping, and guests that
    then abort trap for a reason of their own (``unreachable``), so the limit shows in the
    store's state only: the memory is within one page of the limit.
    """
    return memory_size + WASM_PAGE_SIZE > memory_limit


def trap_failure(
    trap: wasmtime.Trap, limits: ExecutionLimits, *, exhausted_memory: bool, max_wasm_stack: int
) -> ExecutionError:
    """The typed error for a trap; a trap with the memory exhausted is the memory limit's."""
    code = trap.trap_code
    if code == wasmtime.TrapCode.OUT_OF_FUEL:
        return OutOfFuelError(f"out of fuel (budget {limits.fuel:,})")
    if code == wasmtime.TrapCode.INTERRUPT:
        return ExecutionTimeoutError(f"timed out (limit {format_duration(limits.timeout)})")
    if code == wasmtime.TrapCode.STACK_OVERFLOW:
        return StackOverflowError(f"stack overflow (wasm stack {format_size(max_wasm_stack)})")
    what = code.name.lower().replace("_", " ") if code is not None else "unknown trap"
    return guest_failure(f"trapped: {what}", limits, exhausted_memory=exhausted_memory)


def guest_failure(
    problem: str, limits: ExecutionLimits, *, exhausted_memory: bool
) -> ExecutionError:
    """A guest that failed on its own terms (a trap, an ABI violation): the memory limit's
    fault when its memory is exhausted, else the guest's."""
    if exhausted_memory:
        limit = format_size(limits.memory_limit)
        return MemoryLimitError(f"memory limit of {limit} reached (guest then {problem})")
    return GuestTrapError(f"guest {problem}")
