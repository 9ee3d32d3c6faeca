"""Running circom's witness generator (.wasm) under wasmtime, so that no Node is needed.

The host supplies circom's four ``runtime`` imports (error text and ``log()`` output) and
nothing else, and drives the generator as snarkjs' ``wtns calculate`` does: ``init(0)``, then
each input value written to the shared memory and set under the FNV-1a hash of its signal
name, then every wire read back. Each calculation runs in a fresh store with a fuel budget and
a memory limit, so a looping or hostile module ends in a :class:`WitnessError` instead of
hanging or exhausting the machine, and a failed run leaves nothing behind.

Reading wires one wasm call at a time from Python costs ~20 µs each (seconds for 10^5 wires),
so a small module of our own (:data:`_COLLECTOR_WAT`) calls ``getWitness`` in a loop inside
wasm and copies each wire into its own memory, which Python then reads in blocks.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import wasmtime

from paraloom.errors import WitnessError
from paraloom.math.fields import FR_MODULUS
from paraloom.wasm_cache import default_cache_dir, wasmtime_reason
from paraloom.zk.circom_cache import ModuleCache, witness_engine
from paraloom.zk.circom_input import CircomInputs, flatten_circom_input

LOGGER = logging.getLogger(__name__)

#: Fuel of one calculation; circom spends ~2,500 units per constraint of a simple circuit.
DEFAULT_FUEL = 10**11
#: Bytes one linear memory of a calculation may grow to.
DEFAULT_MEMORY_LIMIT = 2 * 2**30

_FIELD_BYTES = 32
_FNV_OFFSET, _FNV_PRIME, _U64 = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1
#: Longest message read through getMessageChar; a module that never ends one is cut off.
_MAX_MESSAGE = 4096
#: Wires the collector copies per call: its memory is one 64 KiB page, so that it fits
#: under any memory limit a real generator fits under.
_COLLECT_BLOCK = 65536 // _FIELD_BYTES

#: circom's exceptionHandler codes, worded as its own JavaScript host words them.
_EXCEPTIONS = {
    1: "signal not found",
    2: "too many signals set",
    3: "signal already set",
    4: "assert failed",
    5: "not enough memory",
    6: "input signal array access exceeds the size",
    7: "out of bounds array access",
}

_COLLECTOR_WAT = """
(module
  (import "circom" "memory" (memory $circom 0))
  (import "circom" "getWitness" (func $get_witness (param i32)))
  (memory $out 1)
  (export "out" (memory $out))
  (func (export "collect") (param $first i32) (param $count i32) (param $shared i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (call $get_witness (i32.add (local.get $first) (local.get $i)))
        (memory.copy $out $circom
          (i32.mul (local.get $i) (i32.const 32)) (local.get $shared) (i32.const 32))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
"""

_T = TypeVar("_T")

#: The process-wide in-memory cache, for callers that do not bring their own.
_SHARED_CACHE = ModuleCache()


@dataclass(frozen=True)
class WitnessLimits:
    """What one calculation may consume: wasm fuel, and bytes per linear memory."""

    fuel: int = DEFAULT_FUEL
    memory_limit: int = DEFAULT_MEMORY_LIMIT


def fnv1a_64(name: str) -> int:
    """circom's 64-bit FNV-1a of a signal name, the key of its input signal table."""
    digest = _FNV_OFFSET
    for byte in name.encode():
        digest = ((digest ^ byte) * _FNV_PRIME) & _U64
    return digest


class CircomWitnessCalculator:
    """A circom 2 witness generator for BN254, checked once when loaded."""

    def __init__(
        self, module: wasmtime.Module, *, name: str, limits: WitnessLimits | None = None
    ) -> None:
        self.name = name
        self.limits = limits or WitnessLimits()
        self._module = module
        probe = _CircomInstance(module, name, self.limits)
        version = probe.call("getVersion")
        if version != 2:
            raise WitnessError(f"{name}: circom {version} witness generators are not supported")
        self.n_wires = probe.call("getWitnessSize")
        if self.n_wires < 1:
            raise WitnessError(f"{name}: reports {self.n_wires} wires (wire 0 alone is 1)")
        self.n_input_values = probe.call("getInputSize")

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        cache: ModuleCache | None = None,
        limits: WitnessLimits | None = None,
    ) -> CircomWitnessCalculator:
        """Load a witness generator, compiled or taken from the in-process and disk caches.

        :param cache_dir: where compiled modules are kept (default: :func:`default_cache_dir`).
        :param cache: the in-process cache (default: one shared by the whole process).
        """
        try:
            wasm = Path(path).read_bytes()
        except OSError as error:
            raise WitnessError(f"cannot read {path}: {error.strerror}") from error
        directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        module = (cache or _SHARED_CACHE).load(wasm, name=str(path), directory=directory)
        return cls(module, name=str(path), limits=limits)

    def calculate(
        self, inputs: Mapping[str, object], *, on_log: Callable[[str], None] | None = None
    ) -> list[int]:
        """Every wire value for ``inputs`` (wire 0 is 1), each below r.

        :param inputs: signal names to values as in circom input JSON (see
            :mod:`paraloom.zk.circom_input`); negative values are taken modulo r.
        :param on_log: receives each line the circuit prints with ``log()`` (default: this
            module's logger at INFO).
        """
        values = flatten_circom_input(inputs)
        instance = _CircomInstance(self._module, self.name, self.limits, on_log)
        instance.call("init", 0)
        hashes = self._input_hashes(instance, values)
        for key, items in values.items():
            for index, value in enumerate(items):
                instance.write_shared(value % FR_MODULUS)
                instance.call("setInputSignal", *hashes[key], index)
        given = sum(len(items) for items in values.values())
        if given < self.n_input_values:
            raise WitnessError(
                f"{self.name}: inputs missing: {given} of {self.n_input_values} input values "
                f"given (keys: {', '.join(values) or 'none'}); every input signal needs a key"
            )
        return instance.wires(self.n_wires)

    def _input_hashes(
        self, instance: _CircomInstance, values: CircomInputs
    ) -> dict[str, tuple[int, int]]:
        """Each key's hash halves (high, low), after checking that it names an input signal
        with exactly as many values as given; unknown keys are all named at once."""
        hashes = {key: divmod(fnv1a_64(key), 1 << 32) for key in values}
        sizes = {key: instance.call("getInputSignalSize", *hashes[key]) for key in values}
        # circom 2.2 answers 0, not -1, for a name it does not know
        unknown = [repr(key) for key, size in sizes.items() if size <= 0]
        if unknown:
            raise WitnessError(f"{self.name}: not input signals: {', '.join(unknown)}")
        for key, size in sizes.items():
            if len(values[key]) != size:
                amount = "too many" if len(values[key]) > size else "not enough"
                raise WitnessError(
                    f"{self.name}: {amount} values for input signal {key!r}: "
                    f"expected {size}, got {len(values[key])}"
                )
        return hashes


class _CircomInstance:
    """One instantiation in a store of its own: exports, shared memory and the collector.

    Instantiating checks the field, so no calculation starts on a module for another prime.
    """

    def __init__(
        self,
        module: wasmtime.Module,
        name: str,
        limits: WitnessLimits,
        on_log: Callable[[str], None] | None = None,
    ) -> None:
        self._name = name
        self._limits = limits
        self._store = wasmtime.Store(witness_engine())
        self._store.set_limits(memory_size=limits.memory_limit)
        self._store.set_fuel(limits.fuel)
        runtime = _Runtime(name, on_log or _log_line)
        self._instance = self._guard(lambda: runtime.linker().instantiate(self._store, module))
        self._exports = self._instance.exports(self._store)
        self._memory = self._export("memory", wasmtime.Memory)
        self._shared = self.call("getSharedRWMemoryStart")
        self._check_field()

    def call(self, name: str, *arguments: int) -> int:
        """Call an export that returns nothing or one i32."""
        function = self._export(name, wasmtime.Func)
        result = self._guard(lambda: function(self._store, *arguments))
        return result if isinstance(result, int) else 0

    def write_shared(self, value: int) -> None:
        data = value.to_bytes(_FIELD_BYTES, "little")
        self._guard(lambda: self._memory.write(self._store, data, self._shared))

    def wires(self, count: int) -> list[int]:
        """Wires 0..count-1, copied out by the collector a block at a time."""
        collector = self._guard(
            lambda: self._collector_linker().instantiate(self._store, _collector_module())
        )
        exports = collector.exports(self._store)
        collect = _typed_export(exports.get, "collect", wasmtime.Func, "the collector")
        out = _typed_export(exports.get, "out", wasmtime.Memory, "the collector")
        values: list[int] = []
        for first in range(0, count, _COLLECT_BLOCK):
            size = min(_COLLECT_BLOCK, count - first)
            self._guard(functools.partial(collect, self._store, first, size, self._shared))
            data = out.read(self._store, 0, size * _FIELD_BYTES)
            values.extend(
                int.from_bytes(data[at : at + _FIELD_BYTES], "little")
                for at in range(0, len(data), _FIELD_BYTES)
            )
        if values and max(values) >= FR_MODULUS:
            raise WitnessError(f"{self._name}: the generator returned a wire that is not below r")
        return values

    def _check_field(self) -> None:
        limbs = self.call("getFieldNumLen32")
        if 4 * limbs != _FIELD_BYTES:
            raise WitnessError(
                f"{self._name}: field elements of {4 * limbs} bytes, not BN254's {_FIELD_BYTES} "
                "(compile with circom --prime bn128)"
            )
        self.call("getRawPrime")
        prime = self._read_shared()
        if prime != FR_MODULUS:
            raise WitnessError(
                f"{self._name}: compiled for the prime {prime}, not BN254's scalar field "
                "(compile with circom --prime bn128)"
            )

    def _read_shared(self) -> int:
        start = self._shared
        data = self._memory.read(self._store, start, start + _FIELD_BYTES) if start >= 0 else b""
        if len(data) != _FIELD_BYTES:
            raise WitnessError(f"{self._name}: shared memory at {start} lies outside its memory")
        return int.from_bytes(data, "little")

    def _collector_linker(self) -> wasmtime.Linker:
        linker = wasmtime.Linker(witness_engine())
        linker.define_instance(self._store, "circom", self._instance)
        return linker

    def _export(self, name: str, kind: type[_T]) -> _T:
        return _typed_export(self._exports.get, name, kind, self._name)

    def _guard(self, action: Callable[[], _T]) -> _T:
        """Run wasm; traps and wasmtime failures become WitnessError."""
        try:
            return action()
        except wasmtime.Trap as trap:
            if trap.trap_code == wasmtime.TrapCode.OUT_OF_FUEL:
                problem = f"out of fuel after {self._limits.fuel} units (raise the fuel limit)"
            else:
                problem = f"trapped: {wasmtime_reason(trap.message)}"
            raise WitnessError(f"{self._name}: {problem}") from trap
        except (wasmtime.WasmtimeError, IndexError) as error:
            raise WitnessError(f"{self._name}: {wasmtime_reason(str(error))}") from error


class _Runtime:
    """The host side of circom's ``runtime`` imports: error text and ``log()`` lines.

    They run while wasm runs, so they reach the instance only through their caller.
    """

    def __init__(self, name: str, on_log: Callable[[str], None]) -> None:
        self._name = name
        self._on_log = on_log
        self._errors: list[str] = []
        self._log_items: list[str] = []

    def linker(self) -> wasmtime.Linker:
        linker = wasmtime.Linker(witness_engine())
        i32 = wasmtime.ValType.i32()
        linker.define_func(
            "runtime", "exceptionHandler", wasmtime.FuncType([i32], []), self._exception, True
        )
        for name, handler in (
            ("printErrorMessage", self._print_error),
            ("writeBufferMessage", self._write_buffer),
            ("showSharedRWMemory", self._show_shared),
        ):
            linker.define_func("runtime", name, wasmtime.FuncType([], []), handler, True)
        return linker

    def _exception(self, caller: wasmtime.Caller, code: int) -> None:
        what = _EXCEPTIONS.get(code, "unknown error")
        where = "; ".join(self._errors)
        detail = f": {where}" if where else ""
        raise WitnessError(f"{self._name}: {what} (circom code {code}){detail}")

    def _print_error(self, caller: wasmtime.Caller) -> None:
        message = self._message(caller).strip()
        if message:
            self._errors.append(message)

    def _write_buffer(self, caller: wasmtime.Caller) -> None:
        message = self._message(caller)
        if message == "\n":
            self._on_log(" ".join(self._log_items))
            self._log_items.clear()
        else:
            self._log_items.append(message)

    def _show_shared(self, caller: wasmtime.Caller) -> None:
        memory = _typed_export(caller.get, "memory", wasmtime.Memory, self._name)
        start = self._caller_call(caller, "getSharedRWMemoryStart")
        data = memory.read(caller, start, start + _FIELD_BYTES)
        self._log_items.append(str(int.from_bytes(data, "little")))

    def _message(self, caller: wasmtime.Caller) -> str:
        """One message, handed out by circom a character at a time."""
        characters: list[str] = []
        while len(characters) < _MAX_MESSAGE:
            code = self._caller_call(caller, "getMessageChar") & 0xFF
            if code == 0:
                break
            characters.append(chr(code))
        return "".join(characters)

    def _caller_call(self, caller: wasmtime.Caller, name: str) -> int:
        result = _typed_export(caller.get, name, wasmtime.Func, self._name)(caller)
        return result if isinstance(result, int) else 0


def _typed_export(lookup: Callable[[str], object], name: str, kind: type[_T], owner: str) -> _T:
    """An export of the expected kind, or the error that says the module is not circom's."""
    item = lookup(name)
    if not isinstance(item, kind):
        raise WitnessError(f"{owner}: not a circom witness generator (no {name!r})")
    return item


@functools.cache
def _collector_module() -> wasmtime.Module:
    return wasmtime.Module(witness_engine(), _COLLECTOR_WAT)


def _log_line(line: str) -> None:
    LOGGER.info("circuit log: %s", line)
