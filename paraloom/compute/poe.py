"""Proof of execution v1: a node's signed commitment to the result it returned for a request.

Protocol (seed 004's formula, signed with the node's Ed25519 identity instead of RSA, DESIGN §3):

    poe       = SHA-256(request_id ‖ result ‖ node_id)
    signature = Ed25519(node key, SIGNING_DOMAIN ‖ result ‖ poe)

with request_id exactly 32 bytes and node_id = SHA-256 of the node's public key
(:mod:`paraloom.crypto.identity`). Both are fixed-length, so the unframed concatenation parses
one way: no other (request, result, node) triple hashes the same bytes.

The signed bytes start with a domain tag, which the seed's ``result ‖ poe`` lacks: the result
is chosen by the guest program, and the node key also signs votes and coordination messages,
so without the tag a crafted job could make an honest node sign bytes that another protocol
reads as its own message. Every format the node key signs starts with its own tag.

A PoE makes a result attributable, not correct: a node can sign a fabricated result. Honesty
comes from replication and sampled re-dispatch, which compare results across nodes.

Wire encoding, 197 bytes: magic b"PLPE" (4) ‖ version 0x01 (1) ‖ request_id (32) ‖
node_id (32) ‖ public key (32) ‖ poe (32) ‖ signature (64). The result is not part of it: it
travels beside the proof, as the bytes the coordinator compares between nodes. The node id is
carried although the public key determines it, so that a coordinator can route and index by
node id before it checks anything; verification checks that the two agree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from paraloom.codecs.reader import ByteReader
from paraloom.crypto.identity import (
    NODE_ID_SIZE,
    PUBLIC_KEY_SIZE,
    SIGNATURE_SIZE,
    NodeIdentity,
    node_id_of,
    verify_signature,
)
from paraloom.errors import FormatError, ProofOfExecutionError, SignatureError

VERSION = 1
MAGIC = b"PLPE"
#: Starts the bytes a proof's signature covers (see the module doc).
SIGNING_DOMAIN = b"paraloom-proof-of-execution-v1\x00"
#: Bytes of a request id (also a job's id) and of the PoE digest.
REQUEST_ID_SIZE = 32
DIGEST_SIZE = 32

#: Field order and sizes of the wire encoding, after the magic and the version.
_LAYOUT = (
    ("request id", REQUEST_ID_SIZE),
    ("node id", NODE_ID_SIZE),
    ("public key", PUBLIC_KEY_SIZE),
    ("digest", DIGEST_SIZE),
    ("signature", SIGNATURE_SIZE),
)
#: Bytes of an encoded proof.
ENCODED_SIZE = len(MAGIC) + 1 + sum(size for _, size in _LAYOUT)


@dataclass(frozen=True)
class ProofOfExecution:
    """What a node returns beside a result; every field has its fixed length once built."""

    request_id: bytes
    node_id: bytes
    public_key: bytes
    digest: bytes
    signature: bytes

    def __post_init__(self) -> None:
        values = (self.request_id, self.node_id, self.public_key, self.digest, self.signature)
        for (what, size), value in zip(_LAYOUT, values, strict=True):
            _require_length(value, size, what)

    def to_bytes(self) -> bytes:
        return b"".join(
            (
                MAGIC,
                bytes([VERSION]),
                self.request_id,
                self.node_id,
                self.public_key,
                self.digest,
                self.signature,
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> ProofOfExecution:
        """The strict parser: magic, version and exactly :data:`ENCODED_SIZE` bytes."""
        reader = ByteReader(data, "proof of execution")
        try:
            reader.expect_header(MAGIC, VERSION)
            fields = [reader.take(size, what) for what, size in _LAYOUT]
            reader.finish()
        except FormatError as error:
            raise ProofOfExecutionError(str(error)) from None
        return cls(*fields)


def poe_digest(request_id: bytes, result: bytes, node_id: bytes) -> bytes:
    """SHA-256(request_id ‖ result ‖ node_id), the seed's formula."""
    _require_length(request_id, REQUEST_ID_SIZE, "request id")
    _require_length(node_id, NODE_ID_SIZE, "node id")
    return hashlib.sha256(request_id + result + node_id).digest()


def make_poe(identity: NodeIdentity, request_id: bytes, result: bytes) -> ProofOfExecution:
    """The node's proof that it returned ``result`` for ``request_id``."""
    digest = poe_digest(request_id, result, identity.node_id)
    return ProofOfExecution(
        request_id=bytes(request_id),
        node_id=identity.node_id,
        public_key=identity.public_key,
        digest=digest,
        signature=identity.sign(SIGNING_DOMAIN + result + digest),
    )


def verify_poe(
    proof: ProofOfExecution, *, request_id: bytes, result: bytes, node_id: bytes | None = None
) -> None:
    """Return if ``proof`` binds ``result`` to ``request_id`` and its node; else the failed check.

    ``request_id`` is the request the coordinator issued and ``node_id`` the node it dispatched
    to (None accepts any node, for auditors who only ask who signed). A valid proof from
    another node, or for another request, is a forgery here.
    """
    _require_length(request_id, REQUEST_ID_SIZE, "request id")
    if proof.request_id != request_id:
        raise ProofOfExecutionError(
            f"proof of execution: made for request {proof.request_id.hex()}, not {request_id.hex()}"
        )
    if node_id_of(proof.public_key) != proof.node_id:
        raise ProofOfExecutionError("proof of execution: the node id does not match the public key")
    if node_id is not None and proof.node_id != node_id:
        raise ProofOfExecutionError(
            f"proof of execution: made by node {proof.node_id.hex()}, not {node_id.hex()}"
        )
    if proof.digest != poe_digest(request_id, result, proof.node_id):
        raise ProofOfExecutionError(
            "proof of execution: the digest does not commit to this request, result and node"
        )
    try:
        verify_signature(proof.public_key, SIGNING_DOMAIN + result + proof.digest, proof.signature)
    except SignatureError:
        raise ProofOfExecutionError(
            f"proof of execution: bad signature by node {proof.node_id.hex()}"
        ) from None


def _require_length(value: bytes, size: int, what: str) -> None:
    if len(value) != size:
        raise ProofOfExecutionError(
            f"proof of execution: the {what} is {len(value)} bytes, not {size}"
        )
