"""Time the wasmtime executor: per-job overhead, concurrent throughput, fuel metering cost.

* Per-job overhead: a trivial job (the reverse guest on 32 bytes) with its module cached,
  through ``WasmtimeExecutor.execute`` and through a bare wasmtime loop doing the same work
  (store, limits, fuel, deadline, instantiate, alloc/write/run/read) on the same engine
  settings, measured in the same run; the ratio is what paraloom adds (target: <= 1 ms).
* Throughput: jobs/s of a compute job, serially and with 4 jobs at once on a thread pool
  (wasmtime releases the GIL while wasm runs).
* Metering: a multiply-add loop and a byte-sum loop with fuel and epochs off/on, in process.
* Validator overhead: the same trivial job through ``run_dispatched_job`` (checks, hash, PoE
  signature; for a private job also the ownership proof, decryption and sealing) against the
  bare ``execute`` call.

    python benchmarks/bench_compute.py            # the figures of the issue
    python benchmarks/bench_compute.py --quick    # a few seconds
"""

from __future__ import annotations

import argparse
import functools
import struct
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files

import wasmtime
from measure import timed

from paraloom.compute.engine_settings import EngineSettings
from paraloom.compute.execution import ExecutionLimits, unpack_guest_result
from paraloom.compute.messages import JobDispatch
from paraloom.compute.requester import new_job_id, private_job_spec, public_job_spec
from paraloom.compute.runner import run_dispatched_job
from paraloom.compute.wasmtime_executor import EPOCH_INTERVAL, WasmtimeExecutor
from paraloom.config import ComputeSettings
from paraloom.crypto import schnorr
from paraloom.crypto.identity import NodeIdentity
from paraloom.wasm_cache import WASMTIME_VERSION

LIMITS = ExecutionLimits(memory_limit=64 * 2**20, fuel=10**12, timeout=30.0)
TRIVIAL_INPUT = bytes(range(32))

#: A guest following the ABI whose `run` spins a multiply-add loop as many times as the
#: first 4 input bytes say; `madd` and `bytesum` are the metering loops.
COMPUTE_WAT = """
(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func $madd (export "madd") (param $n i32) (result i64)
    (local $acc i64)
    (local.set $acc (i64.const 1))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 6364136223846793005))
                               (i64.const 1442695040888963407)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $acc))
  (func (export "bytesum") (param $n i32) (result i32)
    (local $sum i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $sum (i32.add (local.get $sum)
                               (i32.load8_u (i32.and (local.get $i) (i32.const 65535)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $sum))
  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (i64.store (i32.const 0) (call $madd (i32.load (local.get $ptr))))
    (i64.const 8)))
"""


def reverse_wasm() -> bytes:
    return files("paraloom").joinpath("data/guests/reverse.wasm").read_bytes()


def per_job_us(repeat: int, batch: int, job: Callable[[], object]) -> float:
    def run() -> None:
        for _ in range(batch):
            job()

    median, _ = timed(repeat, run)
    return median / batch * 1e6


def raw_job(engine: wasmtime.Engine, module: wasmtime.Module) -> Callable[[], bytes]:
    """The same trivial job on bare wasmtime: what the executor cannot avoid doing."""

    def job() -> bytes:
        store = wasmtime.Store(engine)
        store.set_limits(memory_size=LIMITS.memory_limit, instances=1, tables=1, memories=1)
        store.set_fuel(LIMITS.fuel)
        store.set_epoch_deadline(3000)
        exports = wasmtime.Instance(store, module, []).exports(store)
        memory = exports["memory"]
        pointer = exports["alloc"](store, len(TRIVIAL_INPUT))
        memory.write(store, TRIVIAL_INPUT, pointer)
        start, length = unpack_guest_result(exports["run"](store, pointer, len(TRIVIAL_INPUT)))
        return bytes(memory.read(store, start, start + length))

    return job


def bench_overhead(repeat: int, batch: int) -> None:
    wasm = reverse_wasm()
    engine = wasmtime.Engine(EngineSettings().config())
    raw = per_job_us(repeat, batch, raw_job(engine, wasmtime.Module(engine, wasm)))
    with WasmtimeExecutor(LIMITS) as executor:
        executor.execute(wasm, TRIVIAL_INPUT)  # compile once: the cached case is measured
        ours = per_job_us(repeat, batch, lambda: executor.execute(wasm, TRIVIAL_INPUT))
    print("per-job overhead, trivial job (reverse, 32 B), module cached, median per job")
    print(f"  bare wasmtime loop       {raw:8.1f} us")
    print(
        f"  WasmtimeExecutor.execute {ours:8.1f} us   ({ours / raw:.2f}x bare; target <= 1000 us)"
    )


def bench_throughput(jobs: int, iterations: int) -> None:
    wasm = bytes(wasmtime.wat2wasm(COMPUTE_WAT))
    job_input = struct.pack("<I", iterations)
    with WasmtimeExecutor(LIMITS, concurrent_jobs=4) as executor:
        executor.execute(wasm, job_input)
        serial = jobs_per_second(jobs, 1, lambda _: executor.execute(wasm, job_input))
        parallel = jobs_per_second(jobs, 4, lambda _: executor.execute(wasm, job_input))
        fuel = executor.execute(wasm, job_input).fuel_consumed
    print(f"throughput, compute job ({iterations:,} multiply-adds, {fuel:,} fuel), {jobs} jobs")
    print(f"  1 thread                 {serial:8.1f} jobs/s")
    print(f"  4 threads, 4 concurrent  {parallel:8.1f} jobs/s   ({parallel / serial:.2f}x)")


def jobs_per_second(jobs: int, threads: int, job: Callable[[int], object]) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(job, range(jobs)))
    return jobs / (time.perf_counter() - started)


def bench_metering(repeat: int, iterations: int) -> None:
    print(f"metering overhead, {iterations:,} loop iterations, best of {repeat}")
    for function in ("madd", "bytesum"):
        baseline = None
        for fuel, epoch in [(False, False), (True, False), (False, True), (True, True)]:
            best = loop_seconds(repeat, function, iterations, fuel=fuel, epoch=epoch)
            baseline = baseline or best
            label = f"fuel {'on ' if fuel else 'off'} epoch {'on ' if epoch else 'off'}"
            print(f"  {function:8} {label}  {best * 1e3:8.1f} ms  ({best / baseline:.2f}x)")


def loop_seconds(repeat: int, function: str, iterations: int, *, fuel: bool, epoch: bool) -> float:
    config = EngineSettings().config()
    config.consume_fuel = fuel
    config.epoch_interruption = epoch
    engine = wasmtime.Engine(config)
    module = wasmtime.Module(engine, COMPUTE_WAT)
    store = wasmtime.Store(engine)
    if fuel:
        store.set_fuel(10**15)
    if epoch:
        store.set_epoch_deadline(10**9)
    loop = wasmtime.Instance(store, module, []).exports(store)[function]
    _, best = timed(repeat, loop, store, iterations)
    return best


def bench_runner(repeat: int, batch: int) -> None:
    wasm, node, requester = reverse_wasm(), NodeIdentity.generate(), schnorr.KeyPair.generate()
    limits = ExecutionLimits(LIMITS.memory_limit, 10**9, LIMITS.timeout)  # within the caps
    spec = public_job_spec(
        new_job_id(), wasm, TRIVIAL_INPUT, limits, requester.public, replication=1
    )
    public = JobDispatch(spec.job_id, 1, (node.node_id,), spec)
    recipient = node.encryption_key().public_key().public_bytes_raw()
    spec, _ = private_job_spec(
        new_job_id(), wasm, TRIVIAL_INPUT, limits, requester, cohort=[recipient], replication=1
    )
    private = JobDispatch(spec.job_id, 1, (node.node_id,), spec)
    with WasmtimeExecutor(limits) as executor:
        executor.execute(wasm, TRIVIAL_INPUT, limits)
        bare = per_job_us(
            repeat, batch, functools.partial(executor.execute, wasm, TRIVIAL_INPUT, limits)
        )
        runs = {
            name: per_job_us(
                repeat,
                batch,
                functools.partial(
                    run_dispatched_job, executor, node, job, settings=ComputeSettings()
                ),
            )
            for name, job in (("public", public), ("private", private))
        }
    print("validator overhead, trivial job (reverse, 32 B), module cached, median per job")
    print(f"  WasmtimeExecutor.execute         {bare:8.1f} us")
    for name, micros in runs.items():
        print(f"  run_dispatched_job, {name:7}      {micros:8.1f} us   (+{micros - bare:.1f} us)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs")
    quick = parser.parse_args().quick
    print(f"wasmtime {WASMTIME_VERSION}, epoch tick {EPOCH_INTERVAL * 1e3:.0f} ms")
    bench_overhead(repeat=5 if quick else 9, batch=200 if quick else 1000)
    bench_throughput(jobs=16 if quick else 64, iterations=2_000_000)
    bench_metering(repeat=3 if quick else 5, iterations=20_000_000 if quick else 100_000_000)
    bench_runner(repeat=5 if quick else 9, batch=20 if quick else 100)


if __name__ == "__main__":
    main()
