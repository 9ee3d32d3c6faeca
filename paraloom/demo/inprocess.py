"""The demo's in-process sections: the hashes, a pairing check, a Groth16 proof with a
throwaway key, and one WASM job on the executor the config selects. They need no network and
show the components that the localnet's nodes are built from.
"""

from __future__ import annotations

import secrets
import time

from paraloom.components import Executor, HashFunction
from paraloom.compute.guests import guest_wasm
from paraloom.config import Selection
from paraloom.math.backend import AnyCurveBackend
from paraloom.math.fields import FR_MODULUS
from paraloom.registry import Registry
from paraloom.zk.builder import CircuitBuilder, build_assignment, build_shape
from paraloom.zk.prover import prove
from paraloom.zk.setup import toxic_setup
from paraloom.zk.verifier import verify

DEMO_MESSAGE = b"paraloom demo"


def cube_circuit(cs: CircuitBuilder) -> None:
    """The statement "I know x with x³ + x + 5 = out", out public."""
    x = cs.private_input("x")
    x_squared = cs.mul(x, x)
    cs.public_output("out", cs.mul(x_squared, x) + x + 5)


def demo_hashes(registry: Registry) -> list[list[str]]:
    """Each installed hash function's digest of the demo message."""
    rows = []
    for item in registry.components("hash"):
        function: HashFunction = registry.build(Selection("hash", item.spec.name), "demo")
        rows.append([item.spec.name, function.digest(DEMO_MESSAGE).hex()])
    return rows


def demo_pairing(backend: AnyCurveBackend) -> str:
    """Check e(a·G1, b·G2) = e(ab·G1, G2) on the selected curve backend."""
    started = time.perf_counter()
    a, b = secrets.randbelow(FR_MODULUS), secrets.randbelow(FR_MODULUS)
    g1, g2 = backend.g1_generator(), backend.g2_generator()
    product = backend.g1_neg(backend.g1_mul(g1, a * b % FR_MODULUS))
    holds = backend.multi_pairing_check(
        [(backend.g1_mul(g1, a), backend.g2_mul(g2, b)), (product, g2)]
    )
    elapsed = (time.perf_counter() - started) * 1000
    return (
        f"backend {backend.name!r}: e(a·G1, b·G2) = e(ab·G1, G2) for random a, b: {holds} "
        f"({elapsed:.1f} ms including the scalar multiplications)"
    )


def demo_groth16(backend: AnyCurveBackend) -> list[str]:
    """Build a circuit, make a throwaway key, prove, verify, and show a forgery failing."""
    shape = build_shape(cube_circuit)
    assignment = build_assignment(cube_circuit, {"x": 3})
    started = time.perf_counter()
    key = toxic_setup(backend, shape.system)
    setup_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    proof, public = prove(backend, key, assignment.witness)
    prove_ms = (time.perf_counter() - started) * 1000
    vk = key.verification_key()
    started = time.perf_counter()
    valid = verify(backend, vk, public, proof)
    verify_ms = (time.perf_counter() - started) * 1000
    forged = verify(backend, vk, [(public[0] + 1) % FR_MODULUS], proof)
    return [
        f"circuit x³ + x + 5 = out: {len(shape.system.constraints)} constraints, "
        f"{shape.system.n_wires} wires",
        f"throwaway key from fresh randomness in {setup_ms:.0f} ms "
        "(real keys come from a ceremony)",
        f"proof that x is known for out = {public[0]}: {prove_ms:.0f} ms; "
        f"verifies: {valid} ({verify_ms:.1f} ms); claims out = {public[0] + 1}: {forged}",
    ]


def demo_job(executor: Executor, name: str) -> str:
    """Run the shipped `reverse` guest on ``executor`` in this process."""
    result = executor.execute(guest_wasm("reverse"), DEMO_MESSAGE)
    return (
        f"executor {name!r} ran guest 'reverse' on {DEMO_MESSAGE!r}: "
        f"{result.output!r} ({result.fuel_consumed} fuel, {result.elapsed * 1000:.1f} ms)"
    )
