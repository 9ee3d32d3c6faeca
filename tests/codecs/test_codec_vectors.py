"""Bytes written by other implementations: arkworks for `compact`, groth16-solana for `solana`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from codec_helpers import BACKEND, CODECS, DATA, g1_multiple, g2_multiple

from paraloom.codecs import compressed
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.keys import Proof, VerificationKey

COMPACT, SOLANA = CODECS["compact"], CODECS["solana"]
ARKWORKS = [json.loads(line) for line in (DATA / "arkworks_vectors.jsonl").read_text().splitlines()]
SOLANA_VECTORS = json.loads((DATA / "groth16_solana_vectors.json").read_text())


def arkworks(kind: str) -> list[dict[str, Any]]:
    return [vector for vector in ARKWORKS if vector["kind"] == kind]


def affine(point: Any) -> Any:
    """arkworks' decimal coordinates as an affine point (G2 as [[x0, x1], [y0, y1]])."""
    if point is None:
        return None
    if isinstance(point[0], str):
        return int(point[0]), int(point[1])
    (x0, x1), (y0, y1) = point
    return (int(x0), int(x1)), (int(y0), int(y1))


@pytest.mark.parametrize(
    "vector", arkworks("g1") + arkworks("g2"), ids=lambda v: f"{v['kind']}:{v['k']}"
)
def test_points_match_arkworks(vector: dict[str, Any]) -> None:
    multiple = g1_multiple if vector["kind"] == "g1" else g2_multiple
    point = affine(vector["point"])
    assert point == multiple(vector["k"] % FR_MODULUS)
    encode = compressed.encode_g1 if vector["kind"] == "g1" else compressed.encode_g2
    decode = compressed.decode_g1 if vector["kind"] == "g1" else compressed.decode_g2
    assert encode(point).hex() == vector["hex"]
    assert decode(bytes.fromhex(vector["hex"]), "point") == point


def test_proof_matches_arkworks() -> None:
    (vector,) = arkworks("proof")
    proof = Proof(g1_multiple(vector["a"]), g2_multiple(vector["b"]), g1_multiple(vector["c"]))
    assert COMPACT.encode_proof(proof).hex() == vector["hex"]
    assert COMPACT.decode_proof(bytes.fromhex(vector["hex"])) == proof


def test_verifying_key_matches_arkworks() -> None:
    (vector,) = arkworks("vk")
    key = VerificationKey(
        g1_multiple(vector["alpha"]),
        g2_multiple(vector["beta"]),
        g2_multiple(vector["gamma"]),
        g2_multiple(vector["delta"]),
        tuple(g1_multiple(k) for k in vector["ic"]),
    )
    assert COMPACT.encode_verification_key(key).hex() == vector["hex"]
    assert COMPACT.decode_verification_key(bytes.fromhex(vector["hex"])) == key


def test_public_inputs_match_arkworks() -> None:
    (vector,) = arkworks("public")
    values = tuple(int(value) for value in vector["values"])
    assert COMPACT.encode_public(values).hex() == vector["hex"]
    assert COMPACT.decode_public(bytes.fromhex(vector["hex"])) == values


def test_groth16_solana_proof_verifies_after_decoding() -> None:
    """The Groth16 equation e(A, B) = e(alpha, beta)·e(vk_x, gamma)·e(C, delta) holds only if
    the layout was read as groth16-solana wrote it (G2 order, A un-negated)."""
    key = SOLANA.decode_verification_key(bytes.fromhex(SOLANA_VECTORS["verifying_key"]))
    proof = SOLANA.decode_proof(bytes.fromhex(SOLANA_VECTORS["proof"]))
    public = SOLANA.decode_public(bytes.fromhex(SOLANA_VECTORS["public"]))
    assert len(public) == key.n_public == 9
    g1, g2 = BACKEND.g1_from_affine, BACKEND.g2_from_affine
    vk_x = g1(key.ic[0])
    for value, point in zip(public, key.ic[1:], strict=True):
        vk_x = BACKEND.g1_add(vk_x, BACKEND.g1_mul(g1(point), value))
    pairs = [
        (BACKEND.g1_neg(g1(proof.a)), g2(proof.b)),
        (g1(key.alpha_1), g2(key.beta_2)),
        (vk_x, g2(key.gamma_2)),
        (g1(proof.c), g2(key.delta_2)),
    ]
    assert BACKEND.multi_pairing_check(pairs)
    assert SOLANA.encode_proof(proof).hex() == SOLANA_VECTORS["proof"]
    assert SOLANA.encode_verification_key(key).hex() == SOLANA_VECTORS["verifying_key"]
    assert SOLANA.encode_public(public).hex() == SOLANA_VECTORS["public"]
    assert key.gamma_2 == g2_multiple(1)
