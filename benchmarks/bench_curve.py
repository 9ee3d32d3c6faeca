"""Time the BN254 backends: pairing check, scalar multiplication, MSM and NTT.

Prints the median (and minimum) of N runs per operation of the backend chosen with
``--backend`` (any installed one: python, arkworks, auto), and its speed ratio to py_ecc
where both were timed in this run. py_ecc is slow (hundreds of ms per pairing, ~8 ms
per G1 multiplication), so its MSM is only timed up to ``--py-ecc-max-log``. MSM and NTT are also
timed in snarkjs' ffjavascript when snarkjs is installed (in one Node process, with the worker
threads snarkjs uses).

    python benchmarks/bench_curve.py                       # the figures of the issue
    python benchmarks/bench_curve.py --quick               # a few seconds
    python benchmarks/bench_curve.py --backend arkworks --msm-logs 14,16 --batch-mul-logs 16
"""

from __future__ import annotations

import argparse
import random
from typing import Any

from measure import parse_logs, snarkjs_ms, timed

from paraloom.config import Selection
from paraloom.manager import build_plugin_manager
from paraloom.math.backend import AnyCurveBackend
from paraloom.math.fields import FR_MODULUS
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.registry import Registry


def curve_backend(name: str) -> AnyCurveBackend:
    """The installed curve backend ``name`` ("auto" too), built as a node builds its selection."""
    backend: AnyCurveBackend = Registry(build_plugin_manager()).build(
        Selection("curve", name), "--backend"
    )
    return backend


def _report(
    label: str,
    name: str,
    fast: tuple[float, float],
    ref: tuple[float, float] | None,
    snarkjs_ms: float | None = None,
) -> None:
    line = f"{label:<28} {name} {fast[0] * 1e3:10.2f} ms (min {fast[1] * 1e3:9.2f})"
    if ref is not None:
        line += f"   py_ecc {ref[0] * 1e3:10.2f} ms   ratio {ref[0] / fast[0]:7.1f}x"
    if snarkjs_ms is not None:
        ratio = fast[0] * 1e3 / snarkjs_ms
        line += f"   snarkjs {snarkjs_ms:9.2f} ms   {name}/snarkjs {ratio:6.2f}x"
    print(line, flush=True)


def _groth16_shaped_pairs(backend: Any, rng: random.Random) -> list[tuple[Any, Any]]:
    """Four pairs whose product is 1, as e(-A, B)·e(alpha, beta)·e(x, gamma)·e(C, delta)."""
    alpha, beta, gamma, delta, x, a, b = (rng.randrange(1, FR_MODULUS) for _ in range(7))
    c = (a * b - alpha * beta - x * gamma) * pow(delta, -1, FR_MODULUS) % FR_MODULUS
    g1, g2 = backend.g1_generator(), backend.g2_generator()
    return [
        (backend.g1_neg(backend.g1_mul(g1, a)), backend.g2_mul(g2, b)),
        (backend.g1_mul(g1, alpha), backend.g2_mul(g2, beta)),
        (backend.g1_mul(g1, x), backend.g2_mul(g2, gamma)),
        (backend.g1_mul(g1, c), backend.g2_mul(g2, delta)),
    ]


def bench_pairing(args: argparse.Namespace, fast: AnyCurveBackend, ref: PyEccBackend) -> None:
    rng = random.Random(1)
    pairs = _groth16_shaped_pairs(fast, rng)
    assert fast.multi_pairing_check(pairs)
    fast_time = timed(args.repeat, fast.multi_pairing_check, pairs)
    ref_time = None
    if not args.skip_py_ecc:
        ref_pairs = [
            (ref.g1_from_affine(fast.g1_to_affine(p)), ref.g2_from_affine(fast.g2_to_affine(q)))
            for p, q in pairs
        ]
        assert ref.multi_pairing_check(ref_pairs)
        ref_time = timed(args.py_ecc_repeat, ref.multi_pairing_check, ref_pairs)
    _report("pairing check, 4 pairs", fast.name, fast_time, ref_time)


def bench_scalar_mul(args: argparse.Namespace, fast: AnyCurveBackend, ref: PyEccBackend) -> None:
    k = random.Random(2).randrange(FR_MODULUS)
    for group in ("g1", "g2"):
        fast_mul = getattr(fast, f"{group}_mul")
        fast_gen = getattr(fast, f"{group}_generator")()
        fast_time = timed(args.repeat, fast_mul, fast_gen, k)
        ref_time = None
        if not args.skip_py_ecc:
            ref_mul = getattr(ref, f"{group}_mul")
            ref_gen = getattr(ref, f"{group}_generator")()
            ref_time = timed(args.py_ecc_repeat, ref_mul, ref_gen, k)
        _report(f"{group.upper()} scalar mul", fast.name, fast_time, ref_time)


def bench_msm(args: argparse.Namespace, fast: AnyCurveBackend, ref: PyEccBackend) -> None:
    rng = random.Random(3)
    for log_size in args.msm_logs:
        size = 1 << log_size
        points = fast.g1_fixed_base_mul(
            fast.g1_generator(), [rng.randrange(FR_MODULUS) for _ in range(size)]
        )
        scalars = [rng.randrange(FR_MODULUS) for _ in range(size)]
        fast_time = timed(args.repeat, fast.g1_msm, points, scalars)
        ref_time = None
        if not args.skip_py_ecc and log_size <= args.py_ecc_max_log:
            ref_points = ref.g1_batch_from_affine(fast.g1_batch_to_affine(points))
            ref_time = timed(args.py_ecc_repeat, ref.g1_msm, ref_points, scalars)
        peer = None if args.skip_snarkjs else snarkjs_ms(args.repeat, "msm-g1", log_size)
        _report(f"G1 MSM 2^{log_size}", fast.name, fast_time, ref_time, peer)


def bench_ntt(args: argparse.Namespace, fast: AnyCurveBackend) -> None:
    rng = random.Random(4)
    for log_size in args.ntt_logs:
        values = [rng.randrange(FR_MODULUS) for _ in range(1 << log_size)]
        peer = None if args.skip_snarkjs else snarkjs_ms(args.repeat, "ntt", log_size)
        _report(f"NTT 2^{log_size}", fast.name, timed(args.repeat, fast.ntt, values), None, peer)


def bench_batch_mul(args: argparse.Namespace, fast: AnyCurveBackend) -> None:
    """One scalar times many G1 points: what a ceremony contribution does to a key section."""
    rng = random.Random(5)
    for log_size in args.batch_mul_logs:
        points = fast.g1_fixed_base_mul(
            fast.g1_generator(), [rng.randrange(FR_MODULUS) for _ in range(1 << log_size)]
        )
        seconds = timed(
            max(1, args.repeat // 2), fast.g1_batch_mul, points, rng.randrange(FR_MODULUS)
        )
        _report(f"G1 batch mul 2^{log_size}", fast.name, seconds, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="python", help="curve backend: python, arkworks, auto")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement")
    parser.add_argument("--py-ecc-repeat", type=int, default=3, help="runs per py_ecc one")
    parser.add_argument("--msm-logs", type=parse_logs, default=[8, 10, 14], help="e.g. 8,10,14")
    parser.add_argument("--ntt-logs", type=parse_logs, default=[10, 16], help="e.g. 10,16")
    parser.add_argument("--batch-mul-logs", type=parse_logs, default=[12], help="e.g. 12,16")
    parser.add_argument("--py-ecc-max-log", type=int, default=8, help="largest py_ecc MSM")
    parser.add_argument("--skip-py-ecc", action="store_true", help="no py_ecc column")
    parser.add_argument("--skip-snarkjs", action="store_true", help="no snarkjs column")
    parser.add_argument("--quick", action="store_true", help="small sizes, few runs")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.py_ecc_repeat = 3, 1
        args.msm_logs, args.ntt_logs, args.py_ecc_max_log = [6, 10], [10], 6
        args.batch_mul_logs = [8]
    fast, ref = curve_backend(args.backend), PyEccBackend()
    bench_pairing(args, fast, ref)
    bench_scalar_mul(args, fast, ref)
    bench_msm(args, fast, ref)
    bench_batch_mul(args, fast)
    bench_ntt(args, fast)


if __name__ == "__main__":
    main()
