"""A minimal executor plugin: the shape every third-party paraloom plugin takes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from paraloom import ExecutorSpec, hookimpl
from paraloom.compute.execution import executor_options, limits_from_options

if TYPE_CHECKING:
    from paraloom_example_executor.executor import ExampleExecutor


def create_example_executor(options: Mapping[str, Any]) -> ExampleExecutor:
    from paraloom_example_executor.executor import ExampleExecutor  # wasmtime loads here

    return ExampleExecutor(limits_from_options(options))


@hookimpl
def paraloom_executors() -> Iterator[ExecutorSpec]:
    yield ExecutorSpec(
        name="example",
        summary="example plugin: wasmtime with fuel and memory limits, no timeout",
        factory=create_example_executor,
        options=executor_options(),
    )
