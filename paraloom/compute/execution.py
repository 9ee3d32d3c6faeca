"""The contract between the node and whichever executor the config selects.

These types are what every executor (built-in or third-party) takes and returns, so that the
node, the CLI and the tests do not depend on one runtime's API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from paraloom.options import Duration, Int, Option, Size

#: Guest ABI: the guest packs its output location into the i64 result of `run`.
OUTPUT_POINTER_SHIFT = 32
OUTPUT_LENGTH_MASK = (1 << OUTPUT_POINTER_SHIFT) - 1


@dataclass(frozen=True)
class ExecutionLimits:
    """Per-job limits; the seeds' defaults are 64 MiB, 10^9 fuel and 30 s."""

    memory_limit: int
    fuel: int
    timeout: float


@dataclass(frozen=True)
class ExecutionResult:
    """What a finished job produced and what it cost."""

    output: bytes
    fuel_consumed: int
    elapsed: float


def unpack_guest_result(packed: int) -> tuple[int, int]:
    """Split the i64 returned by a guest's `run` into (output pointer, output length).

    wasm i64 results arrive signed; the packing is defined on the unsigned 64-bit value.
    """
    unsigned = packed & ((1 << 64) - 1)
    return unsigned >> OUTPUT_POINTER_SHIFT, unsigned & OUTPUT_LENGTH_MASK


def executor_options() -> tuple[Option, ...]:
    """The limit options every executor accepts, with the seeds' defaults."""
    return (
        Option("memory_limit", Size(minimum=64 * 1024), "64MiB", "linear memory a job may use"),
        Option("fuel", Int(minimum=1), 1_000_000_000, "instruction budget of one job"),
        Option("timeout", Duration(minimum=0.001), "30s", "wall-clock limit of one job"),
        Option("concurrent_jobs", Int(minimum=1), 4, "jobs this executor runs at once"),
    )


def limits_from_options(options: Mapping[str, Any]) -> ExecutionLimits:
    """Default per-job limits from a selection's validated options."""
    return ExecutionLimits(
        memory_limit=options["memory_limit"], fuel=options["fuel"], timeout=options["timeout"]
    )
