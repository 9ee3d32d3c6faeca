"""`paraloom demo`: everything that exists, end to end, in one process.

It grows with the project: plugins and components, hashing, an in-memory localnet exchanging
requests and gossip, a pairing check and a Groth16 proof, and a WASM job when an executor is
installed.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from importlib import resources

import click

from paraloom.cli.output import print_table, stdout_console
from paraloom.cli.session import Session
from paraloom.components import HashFunction, Transport
from paraloom.config import Selection
from paraloom.errors import ParaloomError
from paraloom.math.fields import FR_MODULUS
from paraloom.registry import Registry
from paraloom.zk.builder import CircuitBuilder, build_assignment, build_shape
from paraloom.zk.prover import prove
from paraloom.zk.setup import toxic_setup
from paraloom.zk.verifier import verify

DEMO_VALIDATORS = 3
DEMO_MESSAGE = b"paraloom demo"


@click.command("demo")
@click.pass_obj
def demo_command(session: Session) -> None:
    """Run the demo: plugins, hashes, a localnet, a Groth16 proof and a WASM job."""
    console = stdout_console()
    registry = session.registry
    console.rule("plugins and components")
    print_table(
        "components",
        ["kind", "name", "provider"],
        [[item.kind, item.spec.name, item.label] for item in registry.components()],
    )
    console.rule("hashes")
    print_table("digests of b'paraloom demo'", ["hash", "digest"], demo_hashes(registry))
    console.rule(f"localnet: {DEMO_VALIDATORS} validators on the memory transport")
    for line in asyncio.run(demo_localnet(registry)):
        console.print(line)
    console.rule("BN254 and Groth16")
    console.print(demo_pairing(session))
    for line in demo_groth16(session):
        console.print(line)
    console.rule("compute")
    console.print(demo_job(session))


def demo_pairing(session: Session) -> str:
    """Check e(a·G1, b·G2) = e(ab·G1, G2) on the selected curve backend."""
    selection = session.config.plugins.curve
    try:
        backend = session.registry.build(selection, "plugins.curve")
    except ParaloomError as error:
        return f"skipped: {error}"
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


def cube_circuit(cs: CircuitBuilder) -> None:
    """The statement "I know x with x³ + x + 5 = out", out public."""
    x = cs.private_input("x")
    x_squared = cs.mul(x, x)
    cs.public_output("out", cs.mul(x_squared, x) + x + 5)


def demo_groth16(session: Session) -> list[str]:
    """Build a circuit, make a throwaway key, prove, verify, and show a forgery failing."""
    try:
        backend = session.component("curve")
    except ParaloomError as error:
        return [f"skipped: {error}"]
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


def demo_hashes(registry: Registry) -> list[list[str]]:
    rows = []
    for item in registry.components("hash"):
        function: HashFunction = registry.build(Selection("hash", item.spec.name), "demo")
        rows.append([item.spec.name, function.digest(DEMO_MESSAGE).hex()])
    return rows


@dataclass
class EchoValidator:
    """A validator that answers requests with the SHA-256 of the payload and logs gossip."""

    name: str
    hasher: HashFunction
    heard: list[str] = field(default_factory=list)

    async def on_request(self, peer: str, payload: bytes) -> bytes:
        return self.hasher.digest(payload)

    async def on_gossip(self, peer: str, topic: str, payload: bytes) -> None:
        self.heard.append(f"{self.name} heard {payload.decode()!r} on {topic!r} from {peer}")


async def demo_localnet(registry: Registry) -> list[str]:
    """Start validators on a private memory network, gossip once, and make one request."""
    hasher: HashFunction = registry.build(Selection("hash", "sha256"), "demo")
    validators = [EchoValidator(f"validator-{index}", hasher) for index in range(DEMO_VALIDATORS)]
    selection = Selection("transport", "memory", {"network": f"demo-{id(validators)}"})
    transports: list[Transport] = [registry.build(selection, "demo") for _ in validators]
    for validator, transport in zip(validators, transports, strict=True):
        await transport.start(validator.name, validator)
    try:
        await transports[0].gossip("announce", b"validator-0 is up")
        digest = await transports[1].request("validator-2", DEMO_MESSAGE, timeout=5.0)
    finally:
        for transport in transports:
            await transport.close()
    lines = [line for validator in validators for line in validator.heard]
    lines.append(f"validator-1 asked validator-2 for sha256({DEMO_MESSAGE!r}): {digest.hex()}")
    return lines


def demo_job(session: Session) -> str:
    """Run the bundled `reverse` guest on the selected executor, if one is installed."""
    selection = session.config.plugins.executor
    try:
        executor = session.registry.build(selection, "plugins.executor")
    except ParaloomError as error:
        return f"skipped: {error}"
    wasm = resources.files("paraloom").joinpath("data/guests/reverse.wasm").read_bytes()
    result = executor.execute(wasm, DEMO_MESSAGE)
    return (
        f"executor {selection.name!r} ran guest 'reverse' on {DEMO_MESSAGE!r}: "
        f"{result.output!r} ({result.fuel_consumed} fuel, {result.elapsed * 1000:.1f} ms)"
    )
