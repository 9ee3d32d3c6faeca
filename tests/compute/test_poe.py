"""Proof of execution: the seed's formula, coordinator-side checks, forgeries, the wire form."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.compute.poe import ENCODED_SIZE, ProofOfExecution, make_poe, poe_digest, verify_poe
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ProofOfExecutionError

NODE = NodeIdentity.from_seed(bytes([7]) * 32)
OTHER = NodeIdentity.from_seed(bytes([8]) * 32)
REQUEST = bytes(range(32))
OTHER_REQUEST = bytes(range(1, 33))
RESULT = b"the inference result"

request_ids = st.binary(min_size=32, max_size=32)
results = st.binary(max_size=200)


def flip(data: bytes, index: int, mask: int = 1) -> bytes:
    return data[:index] + bytes([data[index] ^ mask]) + data[index + 1 :]


def verify(proof: ProofOfExecution, **overrides: bytes) -> None:
    """What the coordinator checks: it issued REQUEST to NODE and got RESULT back."""
    expected = {"request_id": REQUEST, "result": RESULT, "node_id": NODE.node_id} | overrides
    verify_poe(proof, **expected)


@settings(max_examples=30)
@given(request_ids, results)
def test_a_proof_follows_the_seed_formula(request_id: bytes, result: bytes) -> None:
    """Recompute it with hashlib and the raw Ed25519 key, as seed 004's coordinator does (plus
    the domain tag that starts every message the node key signs)."""
    proof = make_poe(NODE, request_id, result)
    node_id = hashlib.sha256(NODE.public_key).digest()
    assert proof.node_id == node_id
    assert proof.digest == hashlib.sha256(request_id + result + node_id).digest()
    Ed25519PublicKey.from_public_bytes(proof.public_key).verify(
        proof.signature, b"paraloom-proof-of-execution-v1\x00" + result + proof.digest
    )
    verify_poe(proof, request_id=request_id, result=result, node_id=node_id)


def test_an_auditor_may_accept_any_node() -> None:
    verify_poe(make_poe(OTHER, REQUEST, RESULT), request_id=REQUEST, result=RESULT)


# -- forgeries --------------------------------------------------------------------------------


def test_a_proof_for_another_request_is_refused() -> None:
    with pytest.raises(ProofOfExecutionError, match=f"made for request {OTHER_REQUEST.hex()}"):
        verify(make_poe(NODE, OTHER_REQUEST, RESULT))


def test_a_request_id_rewritten_to_this_request_breaks_the_digest() -> None:
    proof = dataclasses.replace(make_poe(NODE, OTHER_REQUEST, RESULT), request_id=REQUEST)
    with pytest.raises(ProofOfExecutionError, match="digest does not commit"):
        verify(proof)


def test_a_proof_of_another_result_is_refused() -> None:
    with pytest.raises(ProofOfExecutionError, match="digest does not commit"):
        verify(make_poe(NODE, REQUEST, RESULT), result=b"a fabricated result")


def test_a_node_id_that_is_not_the_keys_is_refused() -> None:
    proof = dataclasses.replace(make_poe(NODE, REQUEST, RESULT), node_id=OTHER.node_id)
    with pytest.raises(ProofOfExecutionError, match="node id does not match the public key"):
        verify(proof, node_id=OTHER.node_id)


def test_a_valid_proof_by_a_node_that_was_not_dispatched_is_refused() -> None:
    with pytest.raises(ProofOfExecutionError, match=f"made by node {OTHER.node_id.hex()}"):
        verify(make_poe(OTHER, REQUEST, RESULT))


def test_another_public_key_with_its_node_id_breaks_the_digest() -> None:
    """Claiming someone else's proof as one's own: the digest binds the original node."""
    proof = dataclasses.replace(
        make_poe(NODE, REQUEST, RESULT), public_key=OTHER.public_key, node_id=OTHER.node_id
    )
    with pytest.raises(ProofOfExecutionError, match="digest does not commit"):
        verify(proof, node_id=OTHER.node_id)


def test_another_public_key_with_a_recomputed_digest_has_a_bad_signature() -> None:
    digest = poe_digest(REQUEST, RESULT, OTHER.node_id)
    proof = dataclasses.replace(
        make_poe(NODE, REQUEST, RESULT),
        public_key=OTHER.public_key,
        node_id=OTHER.node_id,
        digest=digest,
    )
    with pytest.raises(ProofOfExecutionError, match="bad signature"):
        verify(proof, node_id=OTHER.node_id)


@settings(max_examples=30)
@given(st.integers(0, 63), st.integers(1, 255))
def test_a_changed_signature_is_refused(index: int, mask: int) -> None:
    proof = make_poe(NODE, REQUEST, RESULT)
    forged = dataclasses.replace(proof, signature=flip(proof.signature, index, mask))
    with pytest.raises(ProofOfExecutionError, match=f"bad signature by node {NODE.node_id.hex()}"):
        verify(forged)


def test_a_signature_over_the_digest_alone_is_refused() -> None:
    proof = make_poe(NODE, REQUEST, RESULT)
    forged = dataclasses.replace(proof, signature=NODE.sign(proof.digest))
    with pytest.raises(ProofOfExecutionError, match="bad signature"):
        verify(forged)


@settings(max_examples=60)
@given(st.data())
def test_any_changed_byte_on_the_wire_is_refused(data: st.DataObject) -> None:
    encoded = make_poe(NODE, REQUEST, RESULT).to_bytes()
    index = data.draw(st.integers(0, len(encoded) - 1))
    mask = data.draw(st.integers(1, 255))
    with pytest.raises(ProofOfExecutionError):
        verify(ProofOfExecution.from_bytes(flip(encoded, index, mask)))


@pytest.mark.parametrize("size", [0, 31, 33])
def test_a_request_id_of_the_wrong_length_is_refused(size: int) -> None:
    proof = make_poe(NODE, REQUEST, RESULT)
    with pytest.raises(ProofOfExecutionError, match=f"request id is {size} bytes, not 32"):
        verify_poe(proof, request_id=bytes(size), result=RESULT)
    with pytest.raises(ProofOfExecutionError, match=f"request id is {size} bytes, not 32"):
        make_poe(NODE, bytes(size), RESULT)


# -- the wire form ----------------------------------------------------------------------------


proofs = st.builds(
    ProofOfExecution,
    request_id=request_ids,
    node_id=st.binary(min_size=32, max_size=32),
    public_key=st.binary(min_size=32, max_size=32),
    digest=st.binary(min_size=32, max_size=32),
    signature=st.binary(min_size=64, max_size=64),
)


@given(proofs)
def test_the_encoding_round_trips_in_the_documented_layout(proof: ProofOfExecution) -> None:
    encoded = proof.to_bytes()
    assert len(encoded) == ENCODED_SIZE == 197
    assert encoded[:5] == b"PLPE\x01"
    fields = (proof.request_id, proof.node_id, proof.public_key, proof.digest, proof.signature)
    assert encoded[5:] == b"".join(fields)
    assert ProofOfExecution.from_bytes(encoded) == proof


@given(proofs, st.data())
def test_a_truncated_encoding_is_refused(proof: ProofOfExecution, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, ENCODED_SIZE - 1))
    with pytest.raises(ProofOfExecutionError, match="truncated"):
        ProofOfExecution.from_bytes(proof.to_bytes()[:cut])


@given(proofs, st.binary(min_size=1, max_size=40))
def test_trailing_bytes_are_refused(proof: ProofOfExecution, extra: bytes) -> None:
    with pytest.raises(ProofOfExecutionError, match="trailing bytes"):
        ProofOfExecution.from_bytes(proof.to_bytes() + extra)


@pytest.mark.parametrize(
    ("index", "problem"), [(0, "magic"), (3, "magic"), (4, "version: 0 is not the supported")]
)
def test_another_magic_or_version_is_refused(index: int, problem: str) -> None:
    encoded = make_poe(NODE, REQUEST, RESULT).to_bytes()
    with pytest.raises(ProofOfExecutionError, match=problem):
        ProofOfExecution.from_bytes(flip(encoded, index))


@pytest.mark.parametrize(
    ("field", "size"),
    [("request_id", 31), ("node_id", 33), ("public_key", 0), ("digest", 16), ("signature", 63)],
)
def test_a_field_of_the_wrong_length_is_refused(field: str, size: int) -> None:
    proof = make_poe(NODE, REQUEST, RESULT)
    what = field.replace("_", " ")
    with pytest.raises(ProofOfExecutionError, match=f"{what} is {size} bytes"):
        dataclasses.replace(proof, **{field: bytes(size)})


def test_a_signature_without_the_domain_tag_is_refused() -> None:
    """The seed's untagged ``result ‖ poe`` form: a signature over bytes that a guest chose."""
    proof = make_poe(NODE, REQUEST, RESULT)
    forged = dataclasses.replace(proof, signature=NODE.sign(RESULT + proof.digest))
    with pytest.raises(ProofOfExecutionError, match="bad signature"):
        verify(forged)
