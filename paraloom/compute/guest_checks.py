"""What a compiled job module must look like before it may be instantiated.

Instantiation already runs guest code (a start function), so everything that can be refused
from the module's declared types is refused first: imports of any kind (jobs get no host
functions), a shape other than the guest ABI, an initial memory above the job's limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import wasmtime

from paraloom.compute.failures import WASM_PAGE_SIZE
from paraloom.errors import ImportsNotAllowedError, InvalidModuleError, MemoryLimitError
from paraloom.units import format_size

#: The guest ABI's functions: export name -> (parameter types, result types).
ABI_FUNCTIONS: dict[str, tuple[list[str], list[str]]] = {
    "alloc": (["i32"], ["i32"]),
    "run": (["i32", "i32"], ["i64"]),
}


@dataclass(frozen=True)
class GuestModule:
    """A compiled module that follows the guest ABI, and what each job checks it against.

    Inspecting the types of a module costs more than running a trivial job, so it happens
    once per compiled module and the result is cached with it.
    """

    module: wasmtime.Module
    initial_memory: int

    def check_memory(self, memory_limit: int) -> None:
        """:raises MemoryLimitError: the exported memory starts larger than ``memory_limit``."""
        if self.initial_memory > memory_limit:
            raise MemoryLimitError(
                f"initial memory of {format_size(self.initial_memory)} exceeds the limit of "
                f"{format_size(memory_limit)}"
            )


def inspect_guest(module: wasmtime.Module) -> GuestModule:
    """The module as a guest, if it may ever be instantiated for a job.

    :raises ImportsNotAllowedError: the module declares imports (all are named).
    :raises InvalidModuleError: an export of the guest ABI is missing or of the wrong type.
    """
    imports = [f"{item.module}.{item.name}" for item in module.imports]
    if imports:
        raise ImportsNotAllowedError(f"module imports {', '.join(imports)}; jobs get no imports")
    exports = {item.name: item.type for item in module.exports}
    for name, signature in ABI_FUNCTIONS.items():
        if _signature(exports.get(name)) != signature:
            params, results = (", ".join(kinds) for kinds in signature)
            raise InvalidModuleError(
                f"guest ABI: needs an exported function {name}({params}) -> {results}"
            )
    memory = exports.get("memory")
    if not isinstance(memory, wasmtime.MemoryType):
        raise InvalidModuleError("guest ABI: needs an exported memory named 'memory'")
    return GuestModule(module, memory.limits.min * WASM_PAGE_SIZE)


def _signature(declared: object) -> tuple[list[str], list[str]] | None:
    """(parameter types, result types) of a function export; None for anything else."""
    if not isinstance(declared, wasmtime.FuncType):
        return None
    return [str(kind) for kind in declared.params], [str(kind) for kind in declared.results]
