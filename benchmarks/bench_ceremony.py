"""Time phase-2 contribute and verify-from-initial, paraloom beside snarkjs on the same files.

Keys come from test-only key generation (``proving_key_from_waste``) on the multiplication
chain of ``bench_groth16`` with a domain of exactly 2^k, as an initial key (delta = 1); the
phase-1 file snarkjs' ``zkey verify init`` reads (its H check uses the monomial tau powers) is
written from the same tau, alpha and beta, so both tools check the same consistent key.

Per curve backend, each step is timed in-process (a library call, no start-up) and as whole
``paraloom-ceremony`` runs with ``--set plugins.curve=NAME``; snarkjs as whole CLI runs, what
a participant or a coordinator waits for. Peak memory (max RSS) of each command comes from GNU
time when installed. paraloom verifies from the initial key without the ptau (it compares H
with the initial key's; snarkjs checks H against the ptau's powers).

    python benchmarks/bench_ceremony.py                         # 2^10, 2^14; python and auto
    python benchmarks/bench_ceremony.py --logs 10 --backends python
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_curve import curve_backend
from bench_groth16 import chain_circuit
from measure import parse_logs, snarkjs_executable, timed

from paraloom.ceremony.bases import FromInitial
from paraloom.ceremony.contribute import contribute
from paraloom.ceremony.verify import verify_key
from paraloom.formats.fields import FQ
from paraloom.formats.ptau import Ptau, PtauHeader, write_ptau
from paraloom.formats.zkey import write_zkey, zkey_of
from paraloom.math.backend import AnyCurveBackend
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.setup import ToxicWaste, proving_key_from_waste

#: operation, seconds in-process, seconds of the CLI and its peak RSS in MiB (None: unknown)
Row = tuple[str, float | None, float, float | None]
CEREMONY_CLI = [
    sys.executable,
    "-c",
    "from paraloom.cli.ceremony import run_ceremony; run_ceremony()",
]
GNU_TIME = Path("/usr/bin/time")


def run_measured(arguments: list[str]) -> tuple[float, float | None]:
    """(wall seconds, peak RSS in MiB or None) of one command, which must succeed."""
    timer = ["/usr/bin/time", "-f", "%M"] if GNU_TIME.exists() else []
    started = time.perf_counter()
    done = subprocess.run([*timer, *arguments], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(arguments[-5:])} failed: {done.stderr[-600:]}")
    rss = int(done.stderr.strip().splitlines()[-1]) / 1024 if timer else None
    return elapsed, rss


def command(repeat: int, arguments: list[str]) -> tuple[float, float | None]:
    """Median wall seconds and the largest peak RSS over ``repeat`` runs."""
    runs = [run_measured(arguments) for _ in range(repeat)]
    peaks = [rss for _, rss in runs if rss is not None]
    return statistics.median(wall for wall, _ in runs), max(peaks) if peaks else None


def write_files(backend: AnyCurveBackend, log_size: int, work: Path) -> tuple[Path, Path]:
    """An initial key of the 2^log_size chain and a ptau of the same secrets."""
    rng = random.Random(log_size)
    cs, _ = chain_circuit(log_size, rng)
    waste = ToxicWaste(*(rng.randrange(2, FR_MODULUS) for _ in range(3)))
    key = proving_key_from_waste(backend, cs, waste)
    initial, ptau = work / "init.zkey", work / "phase1.ptau"
    write_zkey(initial, zkey_of(key, cs_hash=hashlib.blake2b(b"bench").digest()))
    write_ptau(ptau, synthetic_ptau(backend, waste, log_size))
    return initial, ptau


def synthetic_ptau(backend: AnyCurveBackend, waste: ToxicWaste, power: int) -> Ptau:
    """Sections 2-6 of a ptau for known tau, alpha, beta (unprepared: snarkjs' check needs no
    more). For benchmarks only, like the key: whoever knows tau can forge proofs."""
    size = 1 << power
    powers = [1]
    for _ in range(2 * size - 2):
        powers.append(powers[-1] * waste.tau % FR_MODULUS)
    scaled = [p * waste.alpha % FR_MODULUS for p in powers[:size]]
    scaled += [p * waste.beta % FR_MODULUS for p in powers[:size]]
    g1 = backend.g1_batch_to_affine(
        backend.g1_fixed_base_mul(backend.g1_generator(), powers + scaled)
    )
    g2 = backend.g2_batch_to_affine(
        backend.g2_fixed_base_mul(backend.g2_generator(), [*powers[:size], waste.beta])
    )
    tau_count = 2 * size - 1
    return Ptau(
        PtauHeader(FQ, power, power),
        tau_g1=tuple(g1[:tau_count]),
        tau_g2=tuple(g2[:size]),
        alpha_tau_g1=tuple(g1[tau_count : tau_count + size]),
        beta_tau_g1=tuple(g1[tau_count + size :]),
        beta_g2=g2[size],
        contributions=(),
    )


def bench_paraloom(name: str, repeat: int, initial: Path, work: Path) -> list[Row]:
    """Contribute to ``initial`` and verify the result, in-process and as CLI runs."""
    backend = curve_backend(name)
    output = work / f"{backend.name}.zkey"
    library_contribute, _ = timed(
        repeat, lambda: contribute(backend, initial, output, name="bench", entropy="bench")
    )
    library_verify, _ = timed(repeat, lambda: verify_key(backend, output, FromInitial(initial)))
    cli = [*CEREMONY_CLI, "--set", f"plugins.curve={name}"]
    cli_contribute = command(repeat, [*cli, "contribute", str(initial), str(output), "--name", "b"])
    cli_verify = command(repeat, [*cli, "verify", "--initial", str(initial), str(output)])
    return [
        (f"contribute [{backend.name}]", library_contribute, *cli_contribute),
        (f"verify from initial [{backend.name}]", library_verify, *cli_verify),
    ]


def bench_snarkjs(snarkjs: Path, repeat: int, initial: Path, ptau: Path, work: Path) -> list[Row]:
    output = str(work / "snarkjs.zkey")
    contribution = ["zkey", "contribute", str(initial), output, "-n=b", "-e=b"]
    verification = ["zkvi", str(initial), str(ptau), output]  # `zkey verify init`
    return [
        ("contribute [snarkjs]", None, *command(repeat, [str(snarkjs), *contribution])),
        ("verify from initial [snarkjs]", None, *command(repeat, [str(snarkjs), *verification])),
    ]


def bench_size(args: argparse.Namespace, log_size: int) -> list[Row]:
    work = Path(tempfile.mkdtemp(prefix=f"bench_ceremony_{log_size}_"))
    started = time.perf_counter()
    initial, ptau = write_files(curve_backend("auto"), log_size, work)
    print(f"2^{log_size}: key and ptau in {time.perf_counter() - started:.1f} s", flush=True)
    repeat = args.repeat if log_size <= 12 else 1
    rows = []
    for name in args.backends.split(","):
        rows += bench_paraloom(name, repeat, initial, work)
        print(f"2^{log_size}: {name} done", flush=True)
    snarkjs = snarkjs_executable()
    if snarkjs is not None and not args.skip_snarkjs:
        rows += bench_snarkjs(snarkjs, repeat, initial, ptau, work)
    shutil.rmtree(work)
    return [(f"{label} 2^{log_size}", inner, cli, rss) for label, inner, cli, rss in rows]


def print_table(rows: list[Row]) -> None:
    """Every row, then for each size and step the CLI ratio snarkjs / paraloom backend."""
    print(f"\n{'operation':<42} {'in-process':>11} {'whole CLI':>11} {'peak RSS':>10}")
    cli_seconds = {}
    for label, library, cli, rss in rows:
        inner = "-" if library is None else f"{library:.2f} s"
        memory = "-" if rss is None else f"{rss:.0f} MiB"
        print(f"{label:<42} {inner:>11} {cli:9.2f} s {memory:>10}")
        cli_seconds[label] = cli
    print(f"\n{'CLI ratio snarkjs / paraloom':<42}")
    for label, seconds in cli_seconds.items():
        step, _, rest = label.partition(" [")
        backend, _, size = rest.partition("] ")
        theirs = cli_seconds.get(f"{step} [snarkjs] {size}")
        if backend != "snarkjs" and theirs is not None:
            print(f"  {step} {size} [{backend}]: {theirs / seconds:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", default="10,14", help="domain sizes as powers of two")
    parser.add_argument("--backends", default="python,auto", help="curve backends to time")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement below 2^13")
    parser.add_argument("--skip-snarkjs", action="store_true", help="time paraloom only")
    args = parser.parse_args()
    rows: list[Row] = []
    for log_size in parse_logs(args.logs):
        rows.extend(bench_size(args, log_size))
    print_table(rows)
    if not args.skip_snarkjs and snarkjs_executable() is None:
        print("snarkjs not found: its times are not taken (put it on PATH)")


if __name__ == "__main__":
    main()
