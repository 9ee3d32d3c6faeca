"""Proving and verifying with snarkjs' keys, witnesses, proofs and verifying keys.

The fixtures under tests/formats/data come from snarkjs 0.7.6: its proofs must verify here,
and proofs made here must verify against its verifying keys and give its public signals.
"""

from __future__ import annotations

import random
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import InvalidPointError, InvalidScalarError, LengthMismatchError
from paraloom.formats import snarkjs_json
from paraloom.formats.wtns import read_wtns
from paraloom.formats.zkey import proving_key_of, read_zkey
from paraloom.math.curve import G1_GENERATOR, G2_B
from paraloom.math.fields import FQ_MODULUS, FR_MODULUS, fq2, fq2_add, fq2_mul, fq2_sqrt
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.python_backend import PythonBackend
from paraloom.zk.keys import Proof, ProvingKey, VerificationKey
from paraloom.zk.prover import PreparedProvingKey, prepare_proving_key, prove
from paraloom.zk.verifier import (
    PreparedVerifyingKey,
    batch_verify,
    find_invalid,
    prepare_verifying_key,
    verify,
)

DATA = Path(__file__).parent.parent / "formats" / "data"
R = FR_MODULUS
BACKEND = PythonBackend()
CIRCUITS = ["mul", "chain"]


@cache
def proving_key(name: str) -> PreparedProvingKey[Any, Any]:
    return prepare_proving_key(BACKEND, proving_key_of(read_zkey(DATA / f"{name}_final.zkey")))


@cache
def verifying_key(name: str) -> PreparedVerifyingKey[Any, Any]:
    return prepare_verifying_key(BACKEND, vk_json(name))


def vk_json(name: str) -> VerificationKey:
    return snarkjs_json.read_verification_key(DATA / f"{name}_vk.json")


def witness(name: str) -> list[int]:
    return list(read_wtns(DATA / f"{name}.wtns").values)


@cache
def proofs(name: str, count: int = 6) -> list[tuple[tuple[int, ...], Proof]]:
    """Valid (public signals, proof) pairs made here with distinct randomness."""
    rng = random.Random(name)
    made = [prove(BACKEND, proving_key(name), witness(name), rng=rng) for _ in range(count)]
    return [(public, proof) for proof, public in made]


def shifted_g1(point: Any) -> Any:
    """Another valid G1 point: point + G."""
    moved = BACKEND.g1_add(BACKEND.g1_from_affine(point), BACKEND.g1_generator())
    return BACKEND.g1_to_affine(moved)


def shifted_g2(point: Any) -> Any:
    moved = BACKEND.g2_add(BACKEND.g2_from_affine(point), BACKEND.g2_generator())
    return BACKEND.g2_to_affine(moved)


def twist_point_outside_subgroup() -> Any:
    """A point on the twist whose order is not r (almost every twist point, the cofactor is big)."""
    for x0 in range(1, 100):
        x = fq2(x0, 1)
        y = fq2_sqrt(fq2_add(fq2_mul(fq2_mul(x, x), x), fq2(*G2_B)))
        if y is not None:
            point = ((int(x[0]), int(x[1])), (int(y[0]), int(y[1])))
            if BACKEND.g2_is_on_curve(point) and not BACKEND.g2_is_in_subgroup(point):
                return point
    raise AssertionError("no twist point found")


# -- proving with snarkjs keys -------------------------------------------------------------


@pytest.mark.parametrize("name", CIRCUITS)
def test_proofs_verify_against_snarkjs_keys_with_snarkjs_public_signals(name: str) -> None:
    proof, public = prove(
        BACKEND, proving_key_of(read_zkey(DATA / f"{name}_final.zkey")), witness(name)
    )
    assert public == snarkjs_json.read_public(DATA / f"{name}_public.json")
    assert verify(BACKEND, vk_json(name), public, proof)
    assert verify(BACKEND, verifying_key(name), public, proof)


@pytest.mark.parametrize("name", CIRCUITS)
def test_snarkjs_proofs_verify(name: str) -> None:
    proof = snarkjs_json.read_proof(DATA / f"{name}_proof.json")
    public = snarkjs_json.read_public(DATA / f"{name}_public.json")
    assert verify(BACKEND, vk_json(name), public, proof)


@pytest.mark.parametrize("name", CIRCUITS)
def test_the_proving_keys_verifying_half_is_snarkjs_export(name: str) -> None:
    exported = vk_json(name)
    assert proving_key(name).key.verification_key() == replace(exported, alphabeta_12=None)


def test_proofs_are_randomised_but_reproducible_from_the_rng() -> None:
    key, values = proving_key("mul"), witness("mul")
    first = prove(BACKEND, key, values, rng=random.Random(7))
    assert prove(BACKEND, key, values, rng=random.Random(7)) == first
    second = prove(BACKEND, key, values, rng=random.Random(8))
    assert second[0] != first[0]
    assert verify(BACKEND, verifying_key("mul"), second[1], second[0])


def test_progress_names_each_phase() -> None:
    phases: list[str] = []
    prove(BACKEND, proving_key("mul"), witness("mul"), progress=phases.append)
    assert phases == ["QAP", "MSM A", "MSM B2", "MSM B1", "MSM C"]
    phases.clear()
    prove(BACKEND, proving_key("mul").key, witness("mul"), progress=phases.append)
    assert phases == ["check key", "QAP", "MSM A", "MSM B2", "MSM B1", "MSM C"]


def test_an_unsatisfying_witness_gives_a_proof_that_fails() -> None:
    values = witness("mul")
    values[3] = (values[3] + 1) % R  # c = a·b no longer holds
    proof, public = prove(BACKEND, proving_key("mul"), values)
    assert not verify(BACKEND, verifying_key("mul"), public, proof)


def test_witness_errors_are_typed() -> None:
    key, values = proving_key("chain"), witness("chain")
    with pytest.raises(LengthMismatchError, match="witness has 7 values but the proving key has 8"):
        prove(BACKEND, key, values[:-1])
    with pytest.raises(InvalidScalarError, match="witness value at index 4"):
        prove(BACKEND, key, [*values[:4], R, *values[5:]])
    with pytest.raises(InvalidScalarError, match="ONE wire"):
        prove(BACKEND, key, [2, *values[1:]])


def test_malformed_proving_keys_are_refused() -> None:
    key: ProvingKey = proving_key("mul").key
    with pytest.raises(LengthMismatchError, match="H query has 3 points"):
        prepare_proving_key(BACKEND, replace(key, h=key.h[:3]))
    off_curve = (1, 3)
    with pytest.raises(InvalidPointError, match="not on the curve"):
        prove(BACKEND, replace(key, a=(off_curve, *key.a[1:])), witness("mul"))
    with pytest.raises(InvalidPointError, match="subgroup"):
        prepare_proving_key(BACKEND, replace(key, delta_2=twist_point_outside_subgroup()))


# -- verifying -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", CIRCUITS)
@pytest.mark.parametrize("field", ["a", "b", "c"])
def test_a_changed_proof_point_fails(name: str, field: str) -> None:
    public, proof = proofs(name)[0]
    shift = shifted_g2 if field == "b" else shifted_g1
    tampered = replace(proof, **{field: shift(getattr(proof, field))})
    assert not verify(BACKEND, verifying_key(name), public, tampered)


@pytest.mark.parametrize("name", CIRCUITS)
def test_each_changed_public_signal_fails(name: str) -> None:
    public, proof = proofs(name)[0]
    for index in range(len(public)):
        changed = list(public)
        changed[index] = (changed[index] + 1) % R
        assert not verify(BACKEND, verifying_key(name), changed, proof)


def test_swapped_a_and_c_fail() -> None:
    public, proof = proofs("mul")[0]
    assert not verify(BACKEND, verifying_key("mul"), public, replace(proof, a=proof.c, c=proof.a))


@pytest.mark.parametrize(
    ("field", "point", "message"),
    [
        ("a", (1, 3), "not on the curve"),
        ("c", (G1_GENERATOR[0] + FQ_MODULUS, G1_GENERATOR[1]), "below q"),
        ("b", ((1, 0), (1, 0)), "not on the twist"),
        ("b", None, None),
    ],
)
def test_invalid_proof_points_raise(field: str, point: Any, message: str | None) -> None:
    public, proof = proofs("mul")[0]
    point = twist_point_outside_subgroup() if message is None else point
    with pytest.raises(InvalidPointError, match=message or "subgroup"):
        verify(BACKEND, verifying_key("mul"), public, replace(proof, **{field: point}))


@pytest.mark.parametrize(
    ("public", "error", "message"),
    [
        ((R, 5), InvalidScalarError, "public signal at index 0"),
        ((1, -1), InvalidScalarError, "public signal at index 1"),
        ((1,), LengthMismatchError, "1 public signals given, the verifying key expects 2"),
        ((1, 2, 3), LengthMismatchError, "3 public signals"),
    ],
)
def test_bad_public_signals_raise(
    public: tuple[int, ...], error: type[Exception], message: str
) -> None:
    _, proof = proofs("chain")[0]
    with pytest.raises(error, match=message):
        verify(BACKEND, verifying_key("chain"), public, proof)


def test_invalid_verifying_keys_raise() -> None:
    key = vk_json("mul")
    with pytest.raises(InvalidPointError):
        prepare_verifying_key(BACKEND, replace(key, ic=(key.ic[0], (1, 3))))
    with pytest.raises(InvalidPointError, match="subgroup"):
        verify(
            BACKEND,
            replace(key, gamma_2=twist_point_outside_subgroup()),
            (33,),
            proofs("mul")[0][1],
        )


def test_python_proofs_verify_on_the_py_ecc_oracle() -> None:
    public, proof = proofs("mul")[0]
    oracle = PyEccBackend()
    assert verify(oracle, vk_json("mul"), public, proof)
    assert not verify(oracle, vk_json("mul"), [(public[0] + 1) % R], proof)


# -- batches -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CIRCUITS)
def test_a_batch_of_valid_proofs_passes(name: str) -> None:
    snarkjs_proof = snarkjs_json.read_proof(DATA / f"{name}_proof.json")
    snarkjs_public = snarkjs_json.read_public(DATA / f"{name}_public.json")
    items = [*proofs(name), (snarkjs_public, snarkjs_proof)]
    assert batch_verify(BACKEND, vk_json(name), items)
    assert find_invalid(BACKEND, verifying_key(name), items) == []


def test_an_empty_batch_passes() -> None:
    assert batch_verify(BACKEND, verifying_key("mul"), [])
    assert find_invalid(BACKEND, verifying_key("mul"), []) == []


@settings(max_examples=8, deadline=None)
@given(st.sets(st.integers(0, 5)), st.sampled_from(["c", "public"]))
def test_the_finder_names_exactly_the_bad_proofs(bad: set[int], how: str) -> None:
    items = list(proofs("chain"))
    for index in bad:
        public, proof = items[index]
        if how == "c":
            items[index] = (public, replace(proof, c=shifted_g1(proof.c)))
        else:
            items[index] = ((public[0], (public[1] + 1) % R), proof)
    assert batch_verify(BACKEND, verifying_key("chain"), items) == (not bad)
    assert find_invalid(BACKEND, verifying_key("chain"), items) == sorted(bad)


def test_batch_errors_name_the_item() -> None:
    items = list(proofs("mul"))
    public, proof = items[2]
    items[2] = (public, replace(proof, a=(1, 3)))
    with pytest.raises(InvalidPointError, match="batch item 2: G1 point"):
        batch_verify(BACKEND, verifying_key("mul"), items)
    items[2] = (public, replace(proof, b=twist_point_outside_subgroup()))
    with pytest.raises(InvalidPointError, match=r"batch item 2: .*subgroup"):
        find_invalid(BACKEND, verifying_key("mul"), items)
    items[2] = ((), proof)
    with pytest.raises(LengthMismatchError, match="batch item 2: 0 public signals"):
        batch_verify(BACKEND, verifying_key("mul"), items)
    items[2] = ((R,), proof)
    with pytest.raises(InvalidScalarError, match="batch item 2: public signal"):
        batch_verify(BACKEND, verifying_key("mul"), items)
