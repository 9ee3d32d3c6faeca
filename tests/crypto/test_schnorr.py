"""Schnorr proofs of knowledge: completeness, the documented transcript, tampering, bytes."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from py_ecc import bn128

from paraloom.crypto.schnorr import (
    KNOWLEDGE_DOMAIN,
    OWNERSHIP_DOMAIN,
    PROOF_SIZE,
    KeyPair,
    SchnorrProof,
    challenge,
    prove,
    sign,
    verify,
    verify_signature,
)
from paraloom.errors import FormatError, InvalidPointError, InvalidScalarError
from paraloom.math.fields import FQ_MODULUS, FR_MODULUS
from paraloom.math.py_ecc_backend import PyEccBackend

secrets_ = st.integers(1, FR_MODULUS - 1)
bound_data = st.lists(st.binary(max_size=40), max_size=4)
domains = st.binary(min_size=1, max_size=40)

KEYS = KeyPair.from_secret(0x1234567890ABCDEF)
OTHER = KeyPair.from_secret(0xFEDCBA0987654321)
PROOF = prove(KEYS.secret, bound=(b"job-7", b"commitment"))
BOUND = (b"job-7", b"commitment")


def be_point(point: tuple[int, int] | None) -> bytes:
    x, y = point or (0, 0)
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


def spec_challenge(
    domain: bytes, public: tuple[int, int], r: tuple[int, int], bound: list[bytes]
) -> int:
    """The transcript of the module docstring, written out from the spec."""

    def frame(data: bytes) -> bytes:
        return len(data).to_bytes(8, "big") + data

    transcript = frame(domain) + be_point((1, 2)) + be_point(public) + be_point(r)
    transcript += len(bound).to_bytes(4, "big") + b"".join(frame(item) for item in bound)
    return int.from_bytes(hashlib.sha256(transcript).digest(), "big") % FR_MODULUS


def py_ecc_point(point: tuple[int, int] | None) -> object:
    assert point is not None
    return (bn128.FQ(point[0]), bn128.FQ(point[1]))


@settings(max_examples=25)
@given(secrets_, domains, bound_data)
def test_honest_proofs_verify(secret: int, domain: bytes, bound: list[bytes]) -> None:
    keys = KeyPair.from_secret(secret)
    proof = prove(secret, domain=domain, bound=bound)
    assert verify(keys.public, proof, domain=domain, bound=bound)


@settings(max_examples=10)
@given(secrets_, bound_data)
def test_proofs_satisfy_the_spec_equation_in_py_ecc(secret: int, bound: list[bytes]) -> None:
    """s·G = R + c·P with c from the documented transcript, computed without paraloom."""
    keys = KeyPair.from_secret(secret)
    proof = prove(secret, bound=bound)
    assert keys.public is not None
    assert proof.nonce_point is not None
    c = spec_challenge(KNOWLEDGE_DOMAIN, keys.public, proof.nonce_point, bound)
    assert c == challenge(KNOWLEDGE_DOMAIN, keys.public, proof.nonce_point, bound)
    left = bn128.multiply(bn128.G1, proof.response)
    right = bn128.add(py_ecc_point(proof.nonce_point), bn128.multiply(py_ecc_point(keys.public), c))
    assert left == right
    assert keys.public == tuple(int(v) for v in bn128.multiply(bn128.G1, secret))


def test_py_ecc_backend_verifies_python_backend_proofs() -> None:
    assert verify(KEYS.public, PROOF, bound=BOUND, backend=PyEccBackend())
    assert prove(KEYS.secret, backend=PyEccBackend()).response != PROOF.response


def test_nonces_are_fresh() -> None:
    assert prove(KEYS.secret, bound=BOUND) != prove(KEYS.secret, bound=BOUND)


@settings(max_examples=20)
@given(st.integers(1, FR_MODULUS - 1))
def test_a_shifted_response_is_rejected(delta: int) -> None:
    tampered = replace(PROOF, response=(PROOF.response + delta) % FR_MODULUS)
    assert not verify(KEYS.public, tampered, bound=BOUND)


@settings(max_examples=20)
@given(secrets_)
def test_another_nonce_point_is_rejected(k: int) -> None:
    other = KeyPair.from_secret(k).public
    assume(other != PROOF.nonce_point)
    assert not verify(KEYS.public, replace(PROOF, nonce_point=other), bound=BOUND)


@settings(max_examples=20)
@given(secrets_)
def test_another_public_key_is_rejected(secret: int) -> None:
    assume(secret != KEYS.secret)
    assert not verify(KeyPair.from_secret(secret).public, PROOF, bound=BOUND)


@settings(max_examples=20)
@given(bound_data)
def test_other_bound_data_is_rejected(bound: list[bytes]) -> None:
    assume(tuple(bound) != BOUND)
    assert not verify(KEYS.public, PROOF, bound=bound)


@settings(max_examples=20)
@given(domains)
def test_another_domain_is_rejected(domain: bytes) -> None:
    assume(domain != KNOWLEDGE_DOMAIN)
    assert not verify(KEYS.public, PROOF, domain=domain, bound=BOUND)


@given(bound_data, bound_data)
def test_the_framing_separates_bound_items(first: list[bytes], second: list[bytes]) -> None:
    assume(first != second)
    r = KEYS.public
    assert challenge(b"d", KEYS.public, r, first) != challenge(b"d", KEYS.public, r, second)


def test_signatures_bind_the_message_and_their_domain() -> None:
    signature = sign(KEYS.secret, b"I own job 7")
    assert verify_signature(KEYS.public, b"I own job 7", signature)
    assert not verify_signature(KEYS.public, b"I own job 8", signature)
    assert not verify_signature(OTHER.public, b"I own job 7", signature)
    assert not verify(KEYS.public, signature, bound=(b"I own job 7",))
    assert verify(KEYS.public, signature, domain=OWNERSHIP_DOMAIN, bound=(b"I own job 7",))


@settings(max_examples=30)
@given(secrets_, st.integers(0, FR_MODULUS - 1))
def test_proof_bytes_round_trip(k: int, s: int) -> None:
    proof = SchnorrProof(KeyPair.from_secret(k).public, s)
    data = proof.to_bytes()
    assert len(data) == PROOF_SIZE
    assert data == be_point(proof.nonce_point) + s.to_bytes(32, "big")
    assert SchnorrProof.from_bytes(data) == proof


@pytest.mark.parametrize("length", [0, 64, 95, 97, 192])
def test_proof_bytes_of_the_wrong_length_are_refused(length: int) -> None:
    data = (PROOF.to_bytes() * 2)[:length]
    with pytest.raises(FormatError, match="schnorr proof"):
        SchnorrProof.from_bytes(data)


def test_a_response_of_r_or_more_is_refused() -> None:
    data = PROOF.to_bytes()
    for s in (FR_MODULUS, 2**256 - 1):
        with pytest.raises(InvalidScalarError, match="schnorr proof: s"):
            SchnorrProof.from_bytes(data[:64] + s.to_bytes(32, "big"))
        with pytest.raises(InvalidScalarError, match="schnorr proof: s"):
            SchnorrProof(PROOF.nonce_point, s)
    with pytest.raises(InvalidScalarError, match="not an integer"):
        SchnorrProof(PROOF.nonce_point, True)


def test_nonce_points_off_the_curve_at_infinity_or_unreduced_are_refused() -> None:
    s = PROOF.to_bytes()[64:]
    with pytest.raises(InvalidPointError, match=r"R: .*not on the curve"):
        SchnorrProof.from_bytes(be_point((1, 3)) + s)
    with pytest.raises(InvalidPointError, match="R is the point at infinity"):
        SchnorrProof.from_bytes(bytes(64) + s)
    x, y = PROOF.nonce_point or (0, 0)
    with pytest.raises(InvalidScalarError, match="below the base field modulus"):
        SchnorrProof.from_bytes((x + FQ_MODULUS).to_bytes(32, "big") + y.to_bytes(32, "big") + s)


def test_verify_refuses_degenerate_points() -> None:
    with pytest.raises(InvalidPointError, match="public key is the point at infinity"):
        verify(None, PROOF, bound=BOUND)
    with pytest.raises(InvalidPointError, match="public key"):
        verify((1, 3), PROOF, bound=BOUND)
    with pytest.raises(InvalidPointError, match="R is the point at infinity"):
        verify(KEYS.public, replace(PROOF, nonce_point=None), bound=BOUND)
    with pytest.raises(InvalidPointError, match=r"R: .*not on the curve"):
        verify(KEYS.public, replace(PROOF, nonce_point=(1, 3)), bound=BOUND)


@pytest.mark.parametrize("secret", [0, FR_MODULUS, -1, True])
def test_secrets_outside_one_to_r_are_refused(secret: int) -> None:
    with pytest.raises(InvalidScalarError, match="schnorr secret key"):
        prove(secret)


def test_generated_keys_are_distinct_and_consistent() -> None:
    first, second = KeyPair.generate(), KeyPair.generate()
    assert first != second
    assert KeyPair.from_secret(first.secret) == first
