"""Time Poseidon and the byte hashes; count the constraints of the Poseidon gadget.

Per-hash figures are the median (and minimum) over runs of a batch of hashes, divided by the
batch size. circomlibjs (its optimised ``buildPoseidon`` and ``buildPoseidonReference``) is
timed the same way in one Node process when it is installed beside snarkjs. The first hash of
each width also pays for deriving its constants, which is shown separately.

    python benchmarks/bench_hashes.py            # the figures of the issue
    python benchmarks/bench_hashes.py --quick    # a few seconds
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from collections.abc import Callable

from measure import node_modules, timed

from paraloom.crypto.hashes import hashlib_hash
from paraloom.crypto.poseidon import MAX_WIDTH, MIN_WIDTH, poseidon_hash
from paraloom.gadgets.poseidon import poseidon_gadget
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import CircuitBuilder

INPUTS = [FR_MODULUS // 3, FR_MODULUS // 7]

#: Times ``batch`` hashes of [a, b] ``repeat`` times after a warm-up; prints per-hash medians.
CIRCOMLIBJS_JS = """
const [modules, repeat, batch, a, b] = process.argv.slice(1);
const lib = require(modules + "/circomlibjs");
async function perHash(build) {
  const poseidon = await build();
  const inputs = [BigInt(a), BigInt(b)];
  const run = () => { for (let i = 0; i < Number(batch); i++) poseidon(inputs); };
  run();
  const samples = [];
  for (let r = 0; r < Number(repeat); r++) {
    const started = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - started) / 1e3 / Number(batch));
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1];
}
(async () => {
  const optimised = await perHash(lib.buildPoseidon);
  const reference = await perHash(lib.buildPoseidonReference);
  console.log(JSON.stringify({ optimised, reference }));
})();
"""


def per_hash_us(repeat: int, batch: int, function: Callable[[], object]) -> tuple[float, float]:
    def run() -> None:
        for _ in range(batch):
            function()

    median, minimum = timed(repeat, run)
    return median / batch * 1e6, minimum / batch * 1e6


def circomlibjs_us(repeat: int, batch: int) -> dict[str, float] | None:
    modules = node_modules()
    if modules is None or not (modules / "circomlibjs").is_dir() or shutil.which("node") is None:
        return None
    command = ["node", "-e", CIRCOMLIBJS_JS, str(modules), str(repeat), str(batch)]
    output = subprocess.run(
        [*command, *map(str, INPUTS)], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def bench_first_use(widths: range) -> None:
    """Deriving the constants (and the optimised schedule) of a width, plus one hash."""
    for width in widths:
        started = time.perf_counter()
        poseidon_hash(list(range(1, width)))
        elapsed = (time.perf_counter() - started) * 1e3
        print(f"Poseidon t={width:<2} first use (derivation)  {elapsed:8.1f} ms")


def bench_hashes(args: argparse.Namespace) -> None:
    median, minimum = per_hash_us(args.repeat, args.batch, lambda: poseidon_hash(INPUTS))
    print(f"Poseidon(2) python          {median:8.1f} µs/hash (min {minimum:.1f})")
    peer = None if args.skip_node else circomlibjs_us(args.repeat, args.batch)
    if peer is None:
        print("circomlibjs                 not installed beside snarkjs: no peer figures")
    else:
        for variant, value in peer.items():
            print(
                f"Poseidon(2) circomlibjs {variant:<9} {value:8.1f} µs/hash"
                f"   python/circomlibjs {median / value:5.1f}x"
            )
    for name in ("sha256", "blake2b"):
        function = hashlib_hash(name)
        median, minimum = per_hash_us(
            args.repeat, args.batch, lambda f=function: f.hash_elements(INPUTS)
        )
        print(f"{name:<7} hash_elements(2)     {median:8.1f} µs/hash (min {minimum:.1f})")


def bench_gadget(widths: range) -> None:
    for width in widths:
        values = [FR_MODULUS - i for i in range(1, width)]
        started = time.perf_counter()
        cs = CircuitBuilder({f"x{i}": value for i, value in enumerate(values)})
        out = poseidon_gadget(cs, [cs.private_input(f"x{i}") for i in range(width - 1)])
        cs.public_output("out", out)
        assignment = cs.assignment()
        elapsed = (time.perf_counter() - started) * 1e3
        assert assignment.public_signals == (poseidon_hash(values),)
        system = assignment.shape.system
        print(
            f"Poseidon gadget t={width:<2} {len(system.constraints):5d} constraints "
            f"{system.n_wires:5d} wires   build+witness {elapsed:7.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement")
    parser.add_argument("--batch", type=int, default=200, help="hashes per run")
    parser.add_argument("--skip-node", action="store_true", help="no circomlibjs column")
    parser.add_argument("--quick", action="store_true", help="few runs, small widths")
    args = parser.parse_args()
    widths = range(MIN_WIDTH, MAX_WIDTH + 1)
    if args.quick:
        args.repeat, args.batch, widths = 3, 50, range(MIN_WIDTH, 4)
    bench_first_use(widths)
    bench_hashes(args)
    bench_gadget(range(MIN_WIDTH, 7))


if __name__ == "__main__":
    main()
