"""Groth16 at a size where the MSM windows, NTT lengths and H query are those of real circuits.

Marked slow (several seconds): `tox -e slow` runs them.
"""

from __future__ import annotations

import random
from functools import partial
from pathlib import Path

import pytest

from paraloom.formats.zkey import proving_key_of, read_zkey, write_zkey, zkey_of
from paraloom.math.fields import FR_MODULUS
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.python_backend import PythonBackend
from paraloom.zk.builder import build_assignment, build_shape
from paraloom.zk.keys import Proof, ProvingKey
from paraloom.zk.prover import prove
from paraloom.zk.qap import domain_size
from paraloom.zk.satisfiability import check_satisfied
from paraloom.zk.setup import toxic_setup
from paraloom.zk.verifier import batch_verify, find_invalid, verify

from .builder_programs import chain

pytestmark = pytest.mark.slow

BACKEND = PythonBackend()
LINKS = 4000  # 4000 constraints + 3 public rows: a 2^12 domain


Large = tuple[ProvingKey, tuple[int, ...], tuple[int, ...]]


@pytest.fixture(scope="module")
def large() -> Large:
    circuit = partial(chain, n=LINKS)
    shape = build_shape(circuit)
    assignment = build_assignment(circuit, {"x": 5, "y": 7})
    assert check_satisfied(shape.system, assignment.witness).ok
    assert domain_size(shape.system) == 1 << 12
    key = toxic_setup(BACKEND, shape.system, rng=random.Random(12))
    return key, assignment.witness, assignment.public_signals


def test_proof_at_2_12_verifies_on_both_backends(large: Large, tmp_path: Path) -> None:
    key, witness, public = large
    written = tmp_path / "large.zkey"
    write_zkey(written, zkey_of(key, cs_hash=bytes(64)))
    reread = proving_key_of(read_zkey(written))
    assert reread == key
    proof, signals = prove(BACKEND, reread, witness)
    assert signals == public
    assert verify(BACKEND, key.verification_key(), signals, proof)
    assert verify(PyEccBackend(), key.verification_key(), signals, proof)
    wrong = (signals[0], (signals[1] + 1) % FR_MODULUS)
    assert not verify(BACKEND, key.verification_key(), wrong, proof)


def test_batch_of_proofs_at_2_12_and_the_finder(large: Large) -> None:
    key, witness, public = large
    proofs = [prove(BACKEND, key, witness)[0] for _ in range(4)]
    items: list[tuple[tuple[int, ...], Proof]] = [(public, proof) for proof in proofs]
    assert batch_verify(BACKEND, key.verification_key(), items)
    items[2] = (public, Proof(proofs[2].c, proofs[2].b, proofs[2].a))
    assert not batch_verify(BACKEND, key.verification_key(), items)
    assert find_invalid(BACKEND, key.verification_key(), items) == [2]
