"""snarkjs as the oracle for the withdraw circuit: it accepts the shipped key's ceremony, proves
with the key from a witness paraloom solved, and accepts paraloom's proofs."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from npm_tools import SNARKJS, interop_marks

from paraloom.circuits.shipped import ShippedCircuit
from paraloom.formats import snarkjs_json
from paraloom.formats.wtns import Witness, write_wtns
from paraloom.manager import build_plugin_manager
from paraloom.registry import Registry

from .cases import base_witness

pytestmark = interop_marks("snarkjs")

ROOT = Path(__file__).parents[2]
SHIPPED = ROOT / "paraloom" / "data" / "circuits" / "withdraw"
FINAL, VK = SHIPPED / "final.zkey", SHIPPED / "verification_key.json"


def snarkjs(*arguments: object) -> str:
    assert SNARKJS is not None, "snarkjs is not on PATH"
    command = [SNARKJS, *map(str, arguments)]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=300).stdout


def registry_parts() -> tuple[ShippedCircuit, Any]:
    registry = Registry(build_plugin_manager())
    circuit = registry.get("circuit", "withdraw").spec.factory({})
    return circuit, registry.get("curve", "auto").spec.factory({})


def test_snarkjs_verifies_the_shipped_key_from_the_circuit_and_phase_1() -> None:
    r1cs = ROOT / "circuits" / "withdraw" / "withdraw.r1cs"
    ptau = ROOT / "ceremony" / "withdraw" / "pot12_final.ptau"
    assert "ZKey Ok!" in snarkjs("zkey", "verify", r1cs, ptau, FINAL)


def test_snarkjs_proves_from_our_witness_and_we_verify(tmp_path: Path) -> None:
    circuit, backend = registry_parts()
    witness = tmp_path / "withdraw.wtns"
    write_wtns(witness, Witness.from_fr_values(base_witness().assignment().witness))
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    snarkjs("groth16", "prove", FINAL, witness, proof, public)
    signals = snarkjs_json.read_public(public)
    assert signals == base_witness().public_inputs()
    assert circuit.verify(backend, signals, snarkjs_json.read_proof(proof))


def test_snarkjs_verifies_our_proof(tmp_path: Path) -> None:
    circuit, backend = registry_parts()
    proof, public = circuit.prove(backend, base_witness().inputs())
    snarkjs_json.write_proof(tmp_path / "proof.json", proof)
    snarkjs_json.write_public(tmp_path / "public.json", public)
    assert "OK!" in snarkjs(
        "groth16", "verify", VK, tmp_path / "public.json", tmp_path / "proof.json"
    )
