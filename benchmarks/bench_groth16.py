"""Time Groth16 on a curve backend, and snarkjs on the same files when it is installed.

Keys come from ``toxic_setup`` (test-only key generation) on a synthetic circuit: a chain of
multiplications t_(i+1) = t_i·y with public y and output, sized so the QAP domain is exactly
2^k. Prints the median (and minimum) of several runs per step.

snarkjs is timed inside one Node process (``snarkjs_peer.js``: ``groth16.verify`` and
``groth16.prove`` on the files written here), so neither side pays its start-up; the whole
``snarkjs groth16 verify`` CLI run is timed too, as that is what a script calling it waits for.
snarkjs has no batch verification, so the batch row compares with its single verify. The table
at the end has the ratios.

    python benchmarks/bench_groth16.py            # verify, batch of 64, prove at 2^10 and 2^14
    python benchmarks/bench_groth16.py --quick    # a minute or so, no 2^14
    python benchmarks/bench_groth16.py --backend arkworks --prove-logs 10,14,16
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_curve import curve_backend
from measure import command_ms, parse_logs, snarkjs_executable, snarkjs_ms, timed

from paraloom.formats import snarkjs_json
from paraloom.formats.fields import FR
from paraloom.formats.wtns import Witness, write_wtns
from paraloom.formats.zkey import write_zkey, zkey_of
from paraloom.math.backend import AnyCurveBackend
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.constraints import Constraint, ConstraintSystem
from paraloom.zk.prover import prepare_proving_key, prove
from paraloom.zk.setup import toxic_setup
from paraloom.zk.verifier import batch_verify, prepare_verifying_key, verify


def chain_circuit(log_size: int, rng: random.Random) -> tuple[ConstraintSystem, list[int]]:
    """A multiplication chain whose domain is 2^log_size, and a satisfying witness.

    Wires: 0 ONE, 1 the output, 2 y (public), 3 x = t_0, 4.. t_1 … t_(N-1); the last
    constraint writes the output.
    """
    length = (1 << log_size) - 3  # rows: N constraints + 2 public + ONE
    x, y = rng.randrange(1, FR_MODULUS), rng.randrange(1, FR_MODULUS)
    temps = [x]
    for _ in range(length):
        temps.append(temps[-1] * y % FR_MODULUS)
    wires = [3 + i for i in range(length)] + [1]
    constraints = tuple(Constraint({wires[i]: 1}, {2: 1}, {wires[i + 1]: 1}) for i in range(length))
    witness = [1, temps[-1], y, *temps[:-1]]
    return ConstraintSystem(3 + length, 2, constraints), witness


def report(label: str, seconds: tuple[float, float], per: int = 1) -> float:
    """Print one timing line as it is measured; returns the median in milliseconds."""
    median, minimum = (value / per * 1e3 for value in seconds)
    print(f"{label:<46} {median:11.1f} ms   (min {minimum:10.1f})", flush=True)
    return median


def bench_verify(args: argparse.Namespace, backend: AnyCurveBackend) -> dict[str, float]:
    rng = random.Random(1)
    cs, witness = chain_circuit(4, rng)
    key = prepare_proving_key(backend, toxic_setup(backend, cs, rng=rng))
    vk = key.key.verification_key()
    proofs = [prove(backend, key, witness, rng=rng) for _ in range(args.batch)]
    proof, public = proofs[0]
    prepared = prepare_verifying_key(backend, vk)
    assert verify(backend, prepared, public, proof)
    given = report(
        "verify 1 proof (key given)", timed(args.repeat, verify, backend, vk, public, proof)
    )
    report(
        "verify 1 proof (prepared key)",
        timed(args.repeat, verify, backend, prepared, public, proof),
    )
    items = [(public, proof) for proof, public in proofs]
    assert batch_verify(backend, prepared, items)
    batch = timed(max(1, args.repeat // 2), batch_verify, backend, prepared, items)
    per_proof = report(f"batch verify {args.batch}, per proof", batch, per=args.batch)
    return {"verify 1 proof": given, f"batch verify {args.batch}, per proof": per_proof}


def bench_prove(
    args: argparse.Namespace, backend: AnyCurveBackend, log_size: int
) -> tuple[float, Path | None]:
    """Time setup, key preparation and proving: the prove median, and snarkjs-ready files."""
    rng = random.Random(log_size)
    cs, witness = chain_circuit(log_size, rng)
    start = time.perf_counter()
    key = toxic_setup(backend, cs, rng=rng)
    report(f"toxic_setup 2^{log_size}", (time.perf_counter() - start,) * 2)
    start = time.perf_counter()
    prepared = prepare_proving_key(backend, key)
    report(f"prepare proving key 2^{log_size} (point checks)", (time.perf_counter() - start,) * 2)
    repeat = args.repeat if log_size <= 12 else max(1, args.repeat // 3)
    label = f"prove 2^{log_size} (prepared key)"
    proving = report(label, timed(repeat, prove, backend, prepared, witness))
    proof, public = prove(backend, prepared, witness)
    assert verify(backend, key.verification_key(), public, proof)
    if args.skip_snarkjs or snarkjs_executable() is None:
        return proving, None
    work = Path(tempfile.mkdtemp(prefix=f"bench_groth16_{log_size}_"))
    write_zkey(work / "k.zkey", zkey_of(key, cs_hash=bytes(64)))
    write_wtns(work / "w.wtns", Witness(FR, tuple(witness)))
    snarkjs_json.write_verification_key(work / "vk.json", key.verification_key())
    snarkjs_json.write_proof(work / "proof.json", proof)
    snarkjs_json.write_public(work / "public.json", public)
    return proving, work


def whole_cli_verify(repeat: int, work: Path) -> tuple[float, float]:
    """`paraloom proof verify` and `snarkjs groth16 verify` as processes, start-up included."""
    files = [str(work / name) for name in ("vk.json", "public.json", "proof.json")]
    executable = snarkjs_executable()
    assert executable is not None
    ours = command_ms([sys.executable, "-m", "paraloom", "proof", "verify", *files], repeat)
    return ours, command_ms([str(executable), "groth16", "verify", *files], repeat)


def print_comparison(rows: list[tuple[str, float, float | None]]) -> None:
    print(f"\n{'operation':<40} {'paraloom':>12} {'snarkjs':>12} {'snarkjs/paraloom':>17}")
    for label, ours, theirs in rows:
        if theirs is None:
            print(f"{label:<40} {ours:9.1f} ms {'-':>12} {'-':>17}")
        else:
            print(f"{label:<40} {ours:9.1f} ms {theirs:9.1f} ms {theirs / ours:16.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="python", help="curve backend: python, arkworks, auto")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement")
    parser.add_argument("--batch", type=int, default=64, help="proofs per batch verification")
    parser.add_argument("--prove-logs", type=parse_logs, default=[10, 14], help="e.g. 10,14")
    parser.add_argument("--skip-snarkjs", action="store_true", help="time paraloom only")
    parser.add_argument("--quick", action="store_true", help="fewer runs, no 2^14")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.prove_logs = 3, [log for log in args.prove_logs if log <= 12]
    backend = curve_backend(args.backend)
    print(f"backend: {backend.name}", flush=True)
    ours = bench_verify(args, backend)
    rows: list[tuple[str, float, float | None]] = []
    repeat = max(1, args.repeat // 2)
    for log_size in args.prove_logs:
        proving, work = bench_prove(args, backend, log_size)
        theirs = None
        if work is not None:
            if not rows:
                files = [work / name for name in ("vk.json", "public.json", "proof.json")]
                in_process = snarkjs_ms(repeat, "groth16-verify", *files)
                rows.append(("verify 1 proof (in-process)", ours["verify 1 proof"], in_process))
                rows.append(("verify 1 proof (whole CLI run)", *whole_cli_verify(repeat, work)))
            theirs = snarkjs_ms(repeat, "groth16-prove", work / "k.zkey", work / "w.wtns")
            shutil.rmtree(work)
        rows.append((f"prove 2^{log_size} (in-process)", proving, theirs))
    batch_label = f"batch verify {args.batch}, per proof"
    rows.append((batch_label, ours[batch_label], rows[0][2] if rows else None))
    print_comparison(rows)
    if not args.skip_snarkjs and snarkjs_executable() is None:
        print("snarkjs not found: its times are not taken (put it on PATH)")


if __name__ == "__main__":
    main()
