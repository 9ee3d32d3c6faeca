"""paraloom's own circuits as components: the circuit, its shape, and the keys of its ceremony.

The keys are package data (``paraloom/data/circuits/<name>/``): ``final.zkey``, the proving key
a recorded ceremony produced (``ceremony/<name>/``), and ``verification_key.json``, its
verifying key as snarkjs exports it. Shipping them lets ``pip install paraloom`` alone prove
and verify, with no ceremony files at hand. A proving key is parsed once per process and
refused if nobody contributed to it (delta = gamma would let anyone forge proofs).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from paraloom.errors import ProofRejectedError, SetupError
from paraloom.formats import snarkjs_json
from paraloom.formats.zkey import proving_key_of, read_zkey, require_contributions
from paraloom.math.backend import AnyCurveBackend
from paraloom.zk.builder import Assignment, CircuitFunction, CircuitShape, build_assignment
from paraloom.zk.keys import Proof, ProvingKey, VerificationKey
from paraloom.zk.prover import PreparedProvingKey, prepare_proving_key, prove
from paraloom.zk.satisfiability import require_satisfied
from paraloom.zk.verifier import verify

PROVING_KEY_FILE = "final.zkey"
VERIFICATION_KEY_FILE = "verification_key.json"

_PREPARED: dict[tuple[str, int], tuple[AnyCurveBackend, PreparedProvingKey[Any, Any]]] = {}


@dataclass(frozen=True)
class ShippedCircuit:
    """A circuit with the keys of its ceremony, as the ``paraloom_circuits`` hook provides it.

    ``shape_of`` builds the circuit's constraint system when it is first asked for: a node
    that only verifies never needs it, and building it takes a noticeable part of a second.
    ``public_inputs`` names the public signals in the order a verifier passes them.
    """

    name: str
    circuit: CircuitFunction
    shape_of: Callable[[], CircuitShape]
    public_inputs: tuple[str, ...]

    @property
    def shape(self) -> CircuitShape:
        return self.shape_of()

    def assign(self, inputs: Mapping[str, int]) -> Assignment:
        """The witness builder: every wire solved from the named inputs."""
        return build_assignment(self.circuit, inputs)

    def proving_key(self) -> ProvingKey:
        return shipped_proving_key(self.name)

    def verification_key(self) -> VerificationKey:
        return shipped_verification_key(self.name)

    def prove(
        self, backend: AnyCurveBackend, inputs: Mapping[str, int]
    ) -> tuple[Proof, tuple[int, ...]]:
        """A proof and its public signals; an unsatisfied witness is named, not proven."""
        assignment = self.assign(inputs)
        require_satisfied(assignment.shape.system, assignment.witness, assignment.shape.names)
        proof, public = prove(backend, prepared_proving_key(self.name, backend), assignment.witness)
        if not self.verify(backend, public, proof):
            raise ProofRejectedError(f"the {self.name} proof just made does not verify")
        return proof, public

    def verify(self, backend: AnyCurveBackend, public: Sequence[int], proof: Proof) -> bool:
        return verify(backend, self.verification_key(), public, proof)


@cache
def shipped_proving_key(name: str) -> ProvingKey:
    """The final proving key of circuit ``name``'s ceremony (contributed to, or refused)."""
    zkey = read_zkey(io.BytesIO(shipped_key_bytes(name)))
    require_contributions(zkey)
    return proving_key_of(zkey)


def prepared_proving_key(name: str, backend: AnyCurveBackend) -> PreparedProvingKey[Any, Any]:
    """The key checked and converted for ``backend`` once per process: on the python backend
    that takes longer (about 5 s, mostly G2 subgroup checks) than a proof does (about 3 s).
    Backends need not be hashable, so they are told apart by identity (and kept alive)."""
    slot = (name, id(backend))
    if slot not in _PREPARED:
        _PREPARED[slot] = (backend, prepare_proving_key(backend, shipped_proving_key(name)))
    return _PREPARED[slot][1]


@cache
def shipped_verification_key(name: str) -> VerificationKey:
    """The verifying key of circuit ``name``'s ceremony."""
    return snarkjs_json.loads_verification_key(
        _data(name, VERIFICATION_KEY_FILE), name=f"{name}/{VERIFICATION_KEY_FILE}"
    )


def shipped_key_bytes(name: str) -> bytes:
    """The shipped .zkey's bytes, for tools that take files (snarkjs, the ceremony CLI)."""
    return _data(name, PROVING_KEY_FILE)


def _data(name: str, file: str) -> bytes:
    try:
        return resources.files("paraloom").joinpath("data", "circuits", name, file).read_bytes()
    except FileNotFoundError:
        raise SetupError(f"paraloom ships no {file} for a circuit named {name!r}") from None
