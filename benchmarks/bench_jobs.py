"""Job round trip at K=3 and sustained jobs per second on a localnet of node processes.

A localnet of ``--nodes`` processes over tcp (TLS 1.3) on loopback runs the reverse guest.
Round trip: submit through the client API, then poll the job's status every 2 ms until it is
completed; the network overhead is the round trip less the guest's own run time (the same
module and input on the same executor, in this process, module cached). Sustained: ``--jobs``
submissions from ``--clients`` threads as fast as the API answers, then the completed jobs per
second over the window from the first submission to the last completion.

The issue's aims: network overhead under 200 ms (seed), 50 ms (aim).

    python benchmarks/bench_jobs.py
    python benchmarks/bench_jobs.py --runs 30 --jobs 200
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.guests import guest_wasm
from paraloom.compute.wasmtime_executor import WasmtimeExecutor
from paraloom.localnet.layout import create_layout
from paraloom.localnet.processes import primary_node, start_localnet, stop_localnet
from paraloom.localnet.state import STATE_DIR_ENV
from paraloom.node.client import JobRequest, NodeClient
from paraloom.options import TomlValue

LIMITS = ExecutionLimits(memory_limit=16 * 2**20, fuel=10**8, timeout=10.0)
DATA = b"a short input for the reverse guest"
POLL = 0.002
SETTINGS: dict[str, dict[str, TomlValue]] = {
    "compute": {"heartbeat_interval": "200ms", "validator_timeout": "5s"},
}
SEED_OVERHEAD, AIM_OVERHEAD = 0.200, 0.050


def guest_seconds(runs: int) -> float:
    """The reverse guest's own run time, median, module compiled once beforehand."""
    executor = WasmtimeExecutor(LIMITS, concurrent_jobs=1)
    wasm = guest_wasm("reverse")
    executor.execute(wasm, DATA, LIMITS)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        executor.execute(wasm, DATA, LIMITS)
        times.append(time.perf_counter() - start)
    executor.close()
    return statistics.median(times)


def round_trip(client: NodeClient, keys: Path, replication: int) -> float:
    start = time.perf_counter()
    job_id = client.submit(JobRequest(guest_wasm("reverse"), DATA, LIMITS, replication), keys)
    while client.status(job_id)["state"] != "completed":
        time.sleep(POLL)
    return time.perf_counter() - start


def sustained(client: NodeClient, keys: Path, jobs: int, clients: int, replication: int) -> str:
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = jobs // clients

    def work() -> None:
        submitted = []
        for _ in range(per_client):
            request = JobRequest(guest_wasm("reverse"), DATA, LIMITS, replication)
            submitted.append((time.perf_counter(), client.submit(request, keys)))
        for started, job_id in submitted:
            while client.status(job_id)["state"] != "completed":
                time.sleep(POLL)
            with lock:
                latencies.append(time.perf_counter() - started)

    begin = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    window = time.perf_counter() - begin
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p99 = ordered[max(0, round(0.99 * len(ordered)) - 1)]
    rate = len(latencies) / window
    return (
        f"K={replication}: {len(latencies)} jobs in {window:.1f} s = {rate:.1f} jobs/s; "
        f"latency p50 {p50 * 1e3:.0f} ms, p99 {p99 * 1e3:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=4)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--jobs", type=int, default=120)
    parser.add_argument("--clients", type=int, default=4)
    arguments = parser.parse_args()
    guest = guest_seconds(arguments.runs)
    with tempfile.TemporaryDirectory() as scratch:
        os.environ[STATE_DIR_ENV] = str(Path(scratch) / "state")
        layout = create_layout(Path(scratch) / "net", arguments.nodes, SETTINGS)
        start_localnet(layout)
        try:
            primary = primary_node(layout)
            assert primary is not None
            client = NodeClient(primary.api_url)
            keys = Path(scratch) / "keys"
            round_trip(client, keys, 3)  # warm: module caches on every node
            times = sorted(round_trip(client, keys, 3) for _ in range(arguments.runs))
            median = statistics.median(times)
            p90 = times[max(0, round(0.9 * len(times)) - 1)]
            overhead = median - guest
            print(f"localnet of {arguments.nodes} processes over tcp, reverse guest")
            print(f"guest alone (in-process, cached)   {guest * 1e3:8.2f} ms")
            print(
                f"round trip at K=3 (poll {POLL * 1e3:.0f} ms)     median {median * 1e3:6.1f} ms"
                f"  p90 {p90 * 1e3:6.1f} ms  ({len(times)} runs)"
            )
            print(
                f"network overhead                   {overhead * 1e3:8.1f} ms  "
                f"(aim {AIM_OVERHEAD * 1e3:.0f} ms: {overhead / AIM_OVERHEAD:.2f}x of it; "
                f"seed {SEED_OVERHEAD * 1e3:.0f} ms: {overhead / SEED_OVERHEAD:.2f}x)"
            )
            for replication in (3, 1):
                print(
                    "sustained "
                    + sustained(client, keys, arguments.jobs, arguments.clients, replication)
                )
        finally:
            stop_localnet(layout, grace=5)


if __name__ == "__main__":
    main()
