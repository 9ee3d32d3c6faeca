"""Groth16 through the arkworks backend on snarkjs' own files (tests/formats/data).

The zk and formats suites run on the python backend; this module takes their flows through
arkworks: snarkjs' proofs verify, proofs made here verify on both backends and give snarkjs'
public signals, batches and the bad-proof finder work, and key generation (new_zkey from the
ptau, toxic_setup) gives the same bytes and points as on the python backend.
"""

from __future__ import annotations

import io
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from paraloom.errors import InvalidPointError
from paraloom.formats import snarkjs_json
from paraloom.formats.ptau import read_ptau
from paraloom.formats.r1cs import read_r1cs
from paraloom.formats.wtns import read_wtns
from paraloom.formats.zkey import proving_key_of, read_zkey, write_zkey
from paraloom.formats.zkey_new import new_zkey
from paraloom.math.backend import AnyCurveBackend
from paraloom.math.fields import FR_MODULUS
from paraloom.math.python_backend import PythonBackend
from paraloom.zk.constraints import Constraint, ConstraintSystem
from paraloom.zk.keys import Proof
from paraloom.zk.prover import prepare_proving_key, prove
from paraloom.zk.setup import toxic_setup
from paraloom.zk.verifier import batch_verify, find_invalid, prepare_verifying_key, verify

DATA = Path(__file__).parent.parent / "formats" / "data"
CIRCUITS = ["mul", "chain"]


def fixture_proof(name: str) -> tuple[list[int], Proof]:
    public = list(snarkjs_json.read_public(DATA / f"{name}_public.json"))
    return public, snarkjs_json.read_proof(DATA / f"{name}_proof.json")


def made_proofs(ark: AnyCurveBackend, name: str, count: int) -> list[tuple[Any, Proof]]:
    key = prepare_proving_key(ark, proving_key_of(read_zkey(DATA / f"{name}_final.zkey")))
    witness = read_wtns(DATA / f"{name}.wtns").values
    rng = random.Random(name)
    return [
        (public, proof)
        for proof, public in (prove(ark, key, witness, rng=rng) for _ in range(count))
    ]


@pytest.mark.parametrize("name", CIRCUITS)
def test_snarkjs_proofs_verify(ark: AnyCurveBackend, name: str) -> None:
    vk = snarkjs_json.read_verification_key(DATA / f"{name}_vk.json")
    public, proof = fixture_proof(name)
    assert verify(ark, vk, public, proof)
    assert not verify(ark, vk, [(public[0] + 1) % FR_MODULUS, *public[1:]], proof)
    assert not verify(ark, vk, public, replace(proof, a=proof.c))


@pytest.mark.parametrize("name", CIRCUITS)
def test_proofs_made_with_arkworks_verify_on_both_backends(
    ark: AnyCurveBackend, fast: PythonBackend, name: str
) -> None:
    vk = snarkjs_json.read_verification_key(DATA / f"{name}_vk.json")
    expected_public, _ = fixture_proof(name)
    for public, proof in made_proofs(ark, name, 2):
        assert list(public) == expected_public
        assert verify(ark, vk, public, proof)
        assert verify(fast, vk, public, proof)


@pytest.mark.parametrize("name", CIRCUITS)
def test_batches_and_the_bad_proof_finder(ark: AnyCurveBackend, name: str) -> None:
    vk = prepare_verifying_key(ark, snarkjs_json.read_verification_key(DATA / f"{name}_vk.json"))
    items = [fixture_proof(name), *made_proofs(ark, name, 5)]
    assert batch_verify(ark, vk, items, rng=random.Random(1))
    public, proof = items[3]
    items[3] = ([(public[0] + 1) % FR_MODULUS, *public[1:]], proof)
    items[5] = (items[5][0], replace(items[5][1], c=items[0][1].c))
    assert not batch_verify(ark, vk, items, rng=random.Random(2))
    assert find_invalid(ark, vk, items, rng=random.Random(3)) == [3, 5]


def test_verify_refuses_points_off_the_curve(ark: AnyCurveBackend) -> None:
    vk = snarkjs_json.read_verification_key(DATA / "mul_vk.json")
    public, proof = fixture_proof("mul")
    with pytest.raises(InvalidPointError, match="not on the curve"):
        verify(ark, vk, public, replace(proof, a=(1, 3)))


@pytest.mark.parametrize("name", CIRCUITS)
def test_new_zkey_is_snarkjs_setup_byte_for_byte(ark: AnyCurveBackend, name: str) -> None:
    zkey = new_zkey(
        read_r1cs(DATA / f"{name}.r1cs"), read_ptau(DATA / "pot4_final.ptau"), backend=ark
    )
    stream = io.BytesIO()
    write_zkey(stream, zkey, order="new")
    assert stream.getvalue() == (DATA / f"{name}_0.zkey").read_bytes()


def test_toxic_setup_gives_the_same_key_on_both_backends(
    ark: AnyCurveBackend, fast: PythonBackend
) -> None:
    r = FR_MODULUS
    cs = ConstraintSystem(
        5, 2, (Constraint({3: 1}, {2: 1}, {4: 1}), Constraint({4: 1}, {2: r - 1}, {1: r - 1}))
    )
    ark_key = toxic_setup(ark, cs, rng=random.Random(7))
    assert ark_key == toxic_setup(fast, cs, rng=random.Random(7))
    x, y = 3, 5
    witness = [1, x * y * y % r, y, x, x * y % r]
    proof, public = prove(ark, ark_key, witness, rng=random.Random(8))
    assert verify(fast, ark_key.verification_key(), public, proof)
    assert prove(fast, ark_key, witness, rng=random.Random(8)) == (proof, public)
