"""The built-in `wasmtime` executor.

wasmtime is imported when the executor is built, not when the plugin loads: every command
loads every plugin to list its components, and most never run a job.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from paraloom.components import Executor, ExecutorSpec
from paraloom.compute.execution import executor_options, limits_from_options
from paraloom.hookspecs import hookimpl
from paraloom.options import Bool, Option


def create_wasmtime_executor(options: Mapping[str, Any]) -> Executor:
    from paraloom.compute.wasmtime_executor import WasmtimeExecutor
    from paraloom.wasm_cache import default_cache_dir

    cache_dir = default_cache_dir() / "jobs" if options["disk_cache"] else None
    return WasmtimeExecutor(
        limits_from_options(options), options["concurrent_jobs"], cache_dir=cache_dir
    )


@hookimpl
def paraloom_executors() -> Iterator[ExecutorSpec]:
    yield ExecutorSpec(
        name="wasmtime",
        summary="wasmtime: fuel, memory, timeout and stack limits, no imports, cached modules",
        factory=create_wasmtime_executor,
        options=(
            *executor_options(),
            Option(
                "disk_cache",
                Bool(),
                True,
                "keep compiled modules under $PARALOOM_CACHE_DIR/jobs (local only)",
            ),
        ),
    )
