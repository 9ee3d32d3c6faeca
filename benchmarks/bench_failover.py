"""How long the coordinator set is without a primary after the primary dies (DESIGN §6).

Drives the deterministic simulator of the coordination tests (``tests/node/simulator.py``,
imported from there so that the benchmark and the tests share one network model): a cluster
settles on a primary, the primary is killed, and the failover time is the virtual time until
every live member follows a new primary. Virtual time, so the figures do not depend on this
machine; the network delays each message uniformly up to ``--max-delay`` and drops it with
the given probability. Default timings: heartbeat 1 s, failover after 3 s.

    python benchmarks/bench_failover.py               # 200 seeds per row
    python benchmarks/bench_failover.py --seeds 20    # a quick look
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "node"))

from simulator import Cluster, Faults

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--max-delay", type=float, default=0.2, help="seconds")
    arguments = parser.parse_args()
    print(f"failover, virtual seconds over {arguments.seeds} seeds")
    print("nodes  drop  delay≤   median    p95    max  never")
    for size in (3, 5):
        for drop in (0.0, 0.1):
            print(row(size, drop, arguments.max_delay, arguments.seeds))


if __name__ == "__main__":
    main()
