"""Signed messages of the coordinator role: elections, heartbeats and snapshot replication.

Protocol (others reimplement it, so every choice is fixed here):

- A message is a strict msgspec struct (:class:`~paraloom.network.wire.WireMessage`, tagged by
  ``type``) that names its sender by node id (the hex SHA-256 of its Ed25519 public key,
  :mod:`paraloom.crypto.identity`) and the sender's term.
- On the wire: MessagePack of ``Signed(message, signature)``, at most :data:`MAX_MESSAGE_SIZE`.
- signature = Ed25519(sender key, DOMAIN ‖ SHA-256(DOMAIN ‖ MessagePack(message))). The
  receiver re-encodes the message it decoded, so the signature covers exactly the values it
  acts on, however the sender encoded them.
- Why hash under the domain: a proof of execution signs result ‖ SHA-256(request id ‖ result ‖
  node id) with result chosen by a guest program, so any signed form that ends in bytes an
  attacker can fill could be obtained from an honest validator by a crafted job. Here the
  signed bytes are the domain and one hash; equal to a proof's only if SHA-256 collides, or if
  request id ‖ DOMAIN ‖ node id = DOMAIN ‖ body, which cannot be: the domain is longer than
  the 32-byte request id, and its 33rd byte is ASCII where a body starts with a MessagePack
  map header (>= 0x80).
- A node hears only members of the configured coordinator set, and never its own name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated

import msgspec

from paraloom.crypto.identity import SIGNATURE_SIZE, NodeIdentity, node_id_of, verify_signature
from paraloom.errors import CoordinationError
from paraloom.network.wire import WireCodec, WireMessage

DOMAIN = b"paraloom/node/coordination/v1/signed-message"
MAX_STATE_SIZE = 64 * 1024 * 1024
"""Largest coordinator state snapshot, in bytes."""
MAX_MESSAGE_SIZE = MAX_STATE_SIZE + 4096

Counter = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
NodeId = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]
Digest = Annotated[bytes, msgspec.Meta(min_length=32, max_length=32)]


class Position(msgspec.Struct, frozen=True, forbid_unknown_fields=True, order=True):
    """Where a snapshot stands: the term of the primary that made it, then its version.

    Ordered as the pair, so a snapshot made by a later primary supersedes whatever an earlier
    one left uncommitted, even at a higher version (Raft's "last term, last index").
    """

    term: Counter
    version: Counter


class Heartbeat(WireMessage, tag="heartbeat", frozen=True):
    """The primary is alive; ``sequence`` counts its beats in this term, so a replayed beat
    cannot postpone an election."""

    term: Counter
    sender: NodeId
    sequence: Counter
    snapshot: Position


class VoteRequest(WireMessage, tag="vote_request", frozen=True):
    """A candidate asks for a vote in ``term``, showing the snapshot it holds."""

    term: Counter
    sender: NodeId
    snapshot: Position


class VoteReply(WireMessage, tag="vote_reply", frozen=True):
    """A member's answer to ``candidate``; ``term`` is the member's, which may be higher."""

    term: Counter
    sender: NodeId
    candidate: NodeId
    granted: bool


class SnapshotPush(WireMessage, tag="snapshot_push", frozen=True):
    """The primary's state at ``snapshot``, with its SHA-256."""

    term: Counter
    sender: NodeId
    snapshot: Position
    sha256: Digest
    state: Annotated[bytes, msgspec.Meta(max_length=MAX_STATE_SIZE)]


class SnapshotAck(WireMessage, tag="snapshot_ack", frozen=True):
    """The snapshot a member holds (its answer to a push or a heartbeat), in its term."""

    term: Counter
    sender: NodeId
    snapshot: Position


Message = Heartbeat | VoteRequest | VoteReply | SnapshotPush | SnapshotAck


class Signed(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A message and its sender's signature over :func:`signing_form`."""

    message: Message
    signature: Annotated[bytes, msgspec.Meta(min_length=SIGNATURE_SIZE, max_length=SIGNATURE_SIZE)]


_CODEC: WireCodec[Signed] = WireCodec(Signed, MAX_MESSAGE_SIZE)
_BODY_ENCODER = msgspec.msgpack.Encoder()


@dataclass(frozen=True)
class Membership:
    """The configured coordinator set: node id (hex) to Ed25519 public key."""

    keys: Mapping[str, bytes]

    @classmethod
    def of(cls, public_keys: Iterable[bytes]) -> Membership:
        keys = {node_id_of(key).hex(): bytes(key) for key in public_keys}
        if not keys:
            raise CoordinationError("the coordinator set is empty")
        return cls(keys)

    @property
    def majority(self) -> int:
        return len(self.keys) // 2 + 1

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.keys

    def others(self, node_id: str) -> tuple[str, ...]:
        """Every member but ``node_id``, in a fixed order."""
        return tuple(sorted(member for member in self.keys if member != node_id))

    def key(self, node_id: str) -> bytes:
        if node_id not in self.keys:
            raise CoordinationError(f"node {node_id} is not in the coordinator set")
        return self.keys[node_id]


def signing_form(message: Message) -> bytes:
    """The bytes a sender signs (module docstring)."""
    body = _BODY_ENCODER.encode(message)
    return DOMAIN + hashlib.sha256(DOMAIN + body).digest()


def seal(identity: NodeIdentity, message: Message) -> bytes:
    """The wire bytes of ``message`` signed by ``identity``, which must be its sender."""
    if message.sender != identity.node_id_hex:
        raise CoordinationError(
            f"node {identity.node_id_hex} cannot sign a message sent by {message.sender}"
        )
    return _CODEC.encode(Signed(message, identity.sign(signing_form(message))))


def open_message(data: bytes, membership: Membership, receiver: str) -> Message:
    """The message in ``data`` once decoded strictly and its sender's signature checked.

    Raises FormatError (malformed, oversized), CoordinationError (a sender outside the set, or
    the receiver's own name) or SignatureError (forged or tampered).
    """
    signed = _CODEC.decode(data)
    sender = signed.message.sender
    if sender == receiver:
        raise CoordinationError(f"a message in this node's own name ({receiver}) is refused")
    verify_signature(membership.key(sender), signing_form(signed.message), signed.signature)
    return signed.message
