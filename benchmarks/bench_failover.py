"""How long the coordinator set is without a primary after the primary dies (DESIGN §6).

Drives the deterministic simulator of the coordination tests (``tests/node/simulator.py``,
imported from there so that the benchmark and the tests share one network model): a cluster
settles on a primary, the primary is killed, and the failover time is the virtual time until
every live member follows a new primary. Virtual time, so the figures do not depend on this
machine; the network delays each message uniformly up to ``--max-delay`` and drops it with
the given probability. Default timings: heartbeat 1 s, failover after 3 s.

    python benchmarks/bench_failover.py               # 200 seeds per row
    python benchmarks/bench_failover.py --seeds 20    # a quick look
    python benchmarks/bench_failover.py --processes 3 --kills 5   # real node processes

With ``--processes N`` it also measures a real localnet of N node processes on loopback: the
primary is SIGKILLed, the time until a survivor answers that it is primary is taken, and the
killed node is restarted (it comes back passive) before the next kill.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "node"))

from simulator import Cluster, Faults

from paraloom.errors import NodeApiError
from paraloom.localnet.layout import LocalnetLayout, NodeLayout, create_layout
from paraloom.localnet.processes import spawn_node, start_localnet, stop_localnet
from paraloom.localnet.state import STATE_DIR_ENV
from paraloom.node.client import NodeClient

SETTLE_LIMIT = 30.0
"""Virtual seconds allowed for the first election and, separately, for the failover."""


def failover_time(size: int, seed: int, faults: Faults) -> float | None:
    """Seconds from the primary's death until all live members follow a new one (None: never)."""
    cluster = Cluster(size, seed, faults)
    cluster.run_until_settled(limit=SETTLE_LIMIT)
    return cluster.fail_over(limit=SETTLE_LIMIT)


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile: a value that occurred, not an interpolation."""
    ordered = sorted(samples)
    return ordered[max(0, round(fraction * len(ordered)) - 1)]


def row(size: int, drop: float, max_delay: float, seeds: int) -> str:
    faults = Faults(drop=drop, max_delay=max_delay)
    times = [failover_time(size, seed, faults) for seed in range(seeds)]
    done = [time for time in times if time is not None]
    failed = len(times) - len(done)
    figures = (
        f"{statistics.median(done):6.2f} {percentile(done, 0.95):6.2f} {max(done):6.2f}"
        if done
        else "     -      -      -"
    )
    return f"{size:5d} {drop:5.0%} {max_delay * 1e3:6.0f} ms {figures} {failed:6d}"


def real_failovers(processes: int, kills: int) -> list[float]:
    """Seconds from SIGKILL of the primary until another node answers it is primary."""
    with tempfile.TemporaryDirectory() as scratch:
        os.environ[STATE_DIR_ENV] = str(Path(scratch) / "state")
        layout = create_layout(Path(scratch) / "net", processes)
        start_localnet(layout)
        try:
            return [_one_failover(layout) for _ in range(kills)]
        finally:
            stop_localnet(layout, grace=5)


def _one_failover(layout: LocalnetLayout) -> float:
    old = _wait_for_primary(list(layout.nodes))
    os.killpg(int(old.pid_path.read_text()), signal.SIGKILL)
    killed = time.monotonic()
    _wait_for_primary([node for node in layout.nodes if node is not old])
    elapsed = time.monotonic() - killed
    spawn_node(old)
    while _status(old).get("coordinator_role") != "passive":
        time.sleep(0.05)
    return elapsed


def _wait_for_primary(nodes: list[NodeLayout]) -> NodeLayout:
    deadline = time.monotonic() + SETTLE_LIMIT
    while time.monotonic() < deadline:
        for node in nodes:
            if _status(node).get("coordinator") is True:
                return node
        time.sleep(0.02)
    raise SystemExit(f"no primary among {[node.name for node in nodes]} in {SETTLE_LIMIT} s")


def _status(node: NodeLayout) -> dict[str, object]:
    try:
        return dict(NodeClient(node.api_url, timeout=1).call("GET", "/status"))
    except NodeApiError:
        return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--max-delay", type=float, default=0.2, help="seconds")
    parser.add_argument("--processes", type=int, default=0, help="also kill real primaries")
    parser.add_argument("--kills", type=int, default=5)
    arguments = parser.parse_args()
    print(f"failover, virtual seconds over {arguments.seeds} seeds")
    print("nodes  drop  delay≤   median    p95    max  never")
    for size in (3, 5):
        for drop in (0.0, 0.1):
            print(row(size, drop, arguments.max_delay, arguments.seeds))
    if arguments.processes:
        times = real_failovers(arguments.processes, arguments.kills)
        print(
            f"real localnet of {arguments.processes} processes, {len(times)} SIGKILLs of the "
            f"primary: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
            f"(bound 10 s; heartbeat 1 s, failover after 3 s)"
        )


if __name__ == "__main__":
    main()
