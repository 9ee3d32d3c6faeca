"""Time Groth16 on the python backend, and snarkjs' CLI on the same files when it is installed.

Keys come from ``toxic_setup`` (test-only key generation) on a synthetic circuit: a chain of
multiplications t_(i+1) = t_i·y with public y and output, sized so the QAP domain is exactly
2^k. Prints the median (and minimum) of several runs per step.

snarkjs times are wall times of one CLI process each, so they include Node's start-up and
snarkjs' WASM curve build; ``node -e ""`` is timed alone so that its share can be subtracted.

    python benchmarks/bench_groth16.py            # verify, batch of 64, prove at 2^10 and 2^14
    python benchmarks/bench_groth16.py --quick    # a minute or so, no 2^14
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from paraloom.formats import snarkjs_json
from paraloom.formats.fields import FR
from paraloom.formats.wtns import Witness, write_wtns
from paraloom.formats.zkey import write_zkey, zkey_of
from paraloom.math.fields import FR_MODULUS
from paraloom.math.python_backend import PythonBackend
from paraloom.zk.constraints import Constraint, ConstraintSystem
from paraloom.zk.prover import prepare_proving_key, prove
from paraloom.zk.setup import toxic_setup
from paraloom.zk.verifier import batch_verify, prepare_verifying_key, verify

_NPM_BIN = Path("/tmp/npmwork/node_modules/.bin")


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


def timed(repeat: int, function: Callable[..., object], *arguments: Any) -> tuple[float, float]:
    """(median, minimum) seconds of ``function(*arguments)`` over ``repeat`` runs."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(*arguments)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples)


def report(label: str, seconds: tuple[float, float], per: int = 1) -> None:
    median, minimum = (value / per * 1e3 for value in seconds)
    print(f"{label:<46} {median:11.1f} ms   (min {minimum:10.1f})", flush=True)


def bench_verify(args: argparse.Namespace, backend: PythonBackend) -> None:
    rng = random.Random(1)
    cs, witness = chain_circuit(4, rng)
    key = prepare_proving_key(backend, toxic_setup(backend, cs, rng=rng))
    vk = key.key.verification_key()
    proofs = [prove(backend, key, witness, rng=rng) for _ in range(args.batch)]
    proof, public = proofs[0]
    prepared = prepare_verifying_key(backend, vk)
    assert verify(backend, prepared, public, proof)
    report("verify 1 proof (key given)", timed(args.repeat, verify, backend, vk, public, proof))
    report(
        "verify 1 proof (prepared key)",
        timed(args.repeat, verify, backend, prepared, public, proof),
    )
    items = [(public, proof) for proof, public in proofs]
    assert batch_verify(backend, prepared, items)
    batch = timed(max(1, args.repeat // 2), batch_verify, backend, prepared, items)
    report(f"batch verify {args.batch}, per proof", batch, per=args.batch)


def bench_prove(args: argparse.Namespace, backend: PythonBackend, log_size: int) -> Path | None:
    """Time setup, key preparation and proving; returns snarkjs-ready files unless skipped."""
    rng = random.Random(log_size)
    cs, witness = chain_circuit(log_size, rng)
    start = time.perf_counter()
    key = toxic_setup(backend, cs, rng=rng)
    report(f"toxic_setup 2^{log_size}", (time.perf_counter() - start,) * 2)
    start = time.perf_counter()
    prepared = prepare_proving_key(backend, key)
    report(f"prepare proving key 2^{log_size} (point checks)", (time.perf_counter() - start,) * 2)
    repeat = args.repeat if log_size <= 12 else max(1, args.repeat // 3)
    report(f"prove 2^{log_size} (prepared key)", timed(repeat, prove, backend, prepared, witness))
    proof, public = prove(backend, prepared, witness)
    assert verify(backend, key.verification_key(), public, proof)
    if args.snarkjs is None:
        return None
    work = Path(tempfile.mkdtemp(prefix=f"bench_groth16_{log_size}_"))
    write_zkey(work / "k.zkey", zkey_of(key, cs_hash=bytes(64)))
    write_wtns(work / "w.wtns", Witness(FR, tuple(witness)))
    snarkjs_json.write_verification_key(work / "vk.json", key.verification_key())
    snarkjs_json.write_proof(work / "proof.json", proof)
    snarkjs_json.write_public(work / "public.json", public)
    return work


def bench_snarkjs(args: argparse.Namespace, work: Path, log_size: int) -> None:
    """One CLI process per run, so Node start-up and the WASM curve build are included."""
    repeat = max(1, args.repeat // 2)
    verify_args = ("groth16", "verify", "vk.json", "public.json", "proof.json")
    prove_args = ("groth16", "prove", "k.zkey", "w.wtns", "p2.json", "pub2.json")
    label = f"snarkjs groth16 verify (2^{log_size} key, CLI)"
    report(label, timed(repeat, _run, work, args.snarkjs, *verify_args))
    label = f"snarkjs groth16 prove 2^{log_size} (CLI)"
    report(label, timed(repeat, _run, work, args.snarkjs, *prove_args))
    shutil.rmtree(work)


def _run(work: Path, *command: str | Path) -> None:
    subprocess.run([str(part) for part in command], cwd=work, check=True, capture_output=True)


def find_snarkjs() -> Path | None:
    found = shutil.which("snarkjs")
    if found is not None:
        return Path(found)
    local = _NPM_BIN / "snarkjs"
    return local if local.exists() else None


def _logs(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement")
    parser.add_argument("--batch", type=int, default=64, help="proofs per batch verification")
    parser.add_argument("--prove-logs", type=_logs, default=[10, 14], help="e.g. 10,14")
    parser.add_argument("--skip-snarkjs", action="store_true", help="time paraloom only")
    parser.add_argument("--quick", action="store_true", help="fewer runs, no 2^14")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.prove_logs = 3, [log for log in args.prove_logs if log <= 12]
    args.snarkjs = None if args.skip_snarkjs else find_snarkjs()
    backend = PythonBackend()
    bench_verify(args, backend)
    for log_size in args.prove_logs:
        work = bench_prove(args, backend, log_size)
        if work is not None:
            bench_snarkjs(args, work, log_size)
    node = shutil.which("node")
    if args.snarkjs is None:
        print("snarkjs not found: its times are not taken (put it on PATH)")
    elif node is not None:
        report("node -e '' (start-up alone)", timed(args.repeat, _run, Path.cwd(), node, "-e", ""))


if __name__ == "__main__":
    main()
