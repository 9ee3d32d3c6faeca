"""A node's one identity: an Ed25519 key, the same keypair as its Solana validator identity.

Protocol (others reimplement it, so every choice is fixed here):

- node_id = SHA-256 of the raw 32-byte Ed25519 public key; its hex form names the node in
  logs, hooks and configuration. Anyone holding the public key derives it, so a node id is
  never assigned and cannot be claimed by a node that lacks the key.
- Key file: Solana's keypair format, a JSON array of 64 integers 0..255, the 32-byte secret
  seed followed by the 32-byte public key, so ``solana-keygen pubkey`` reads the file
  paraloom writes and a validator's existing identity file serves as the node's. Loading
  checks that the public half belongs to the seed; saving is atomic with mode 0600.
- Encryption key: job keys of private jobs are wrapped to an X25519 key (see
  :mod:`paraloom.crypto.envelope`). It is derived from the Ed25519 seed,
  X25519 secret = HKDF-SHA256(seed, no salt, info = b"paraloom/identity/v1/x25519"), rather
  than converted from the signing key: ``cryptography`` exposes no Ed25519→X25519 conversion,
  and deriving an independent key avoids using one scalar for both signatures and key
  agreement, while still leaving a single file to keep and back up. Since others cannot
  compute it from the public identity, a node announces it signed:
  announcement = X25519 public (32) ‖ Ed25519 signature (64) over
  b"paraloom/identity/v1/x25519-key" ‖ X25519 public. The domain prefix keeps the
  announcement signature from being usable as any other message the identity signs.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from paraloom.errors import FormatError, SignatureError
from paraloom.formats.files import atomic_write

#: Bytes of an Ed25519 public key, secret seed and signature, and of a node id.
PUBLIC_KEY_SIZE = 32
SEED_SIZE = 32
SIGNATURE_SIZE = 64
NODE_ID_SIZE = 32
#: Bytes of a signed encryption-key announcement.
ANNOUNCEMENT_SIZE = PUBLIC_KEY_SIZE + SIGNATURE_SIZE

ENCRYPTION_KEY_INFO = b"paraloom/identity/v1/x25519"
ANNOUNCEMENT_DOMAIN = b"paraloom/identity/v1/x25519-key"

_KEY_FILE_MODE = 0o600


def node_id_of(public_key: bytes) -> bytes:
    """The node id of a raw Ed25519 public key: its SHA-256."""
    return hashlib.sha256(require_public_key(public_key)).digest()


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> None:
    """Return if ``signature`` is the key's Ed25519 signature of ``message``, else SignatureError.

    A public key that is not 32 bytes is malformed input (FormatError); a signature of the
    wrong length simply does not verify.
    """
    verifier = Ed25519PublicKey.from_public_bytes(require_public_key(public_key))
    try:
        verifier.verify(signature, message)
    except InvalidSignature:
        raise SignatureError(
            f"the signature does not verify under Ed25519 key {public_key.hex()}"
        ) from None


def verify_encryption_key(public_key: bytes, announcement: bytes) -> bytes:
    """The X25519 public key a node announced, once its identity's signature is checked."""
    if len(announcement) != ANNOUNCEMENT_SIZE:
        raise FormatError(
            f"an encryption key announcement has {ANNOUNCEMENT_SIZE} bytes, not {len(announcement)}"
        )
    encryption_key = announcement[:PUBLIC_KEY_SIZE]
    signature = announcement[PUBLIC_KEY_SIZE:]
    verify_signature(public_key, ANNOUNCEMENT_DOMAIN + encryption_key, signature)
    return encryption_key


@dataclass(frozen=True, eq=False)
class NodeIdentity:
    """A node's Ed25519 private key and what derives from it (module docstring).

    Equality is object identity: comparing would mean comparing secrets.
    """

    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> NodeIdentity:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> NodeIdentity:
        """The identity of a 32-byte secret seed (the first half of a Solana keypair)."""
        if len(seed) != SEED_SIZE:
            raise FormatError(f"an Ed25519 secret seed has {SEED_SIZE} bytes, not {len(seed)}")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> NodeIdentity:
        """Read a Solana keypair file; a damaged one, or one whose halves disagree, is refused."""
        try:
            document = json.loads(Path(path).read_bytes())
        except OSError as error:
            raise FormatError(f"{path}: cannot read the identity key: {error.strerror}") from None
        except ValueError:
            raise FormatError(f"{path}: the identity key is not JSON") from None
        keypair = _keypair_bytes(document, path)
        identity = cls.from_seed(keypair[:SEED_SIZE])
        if identity.public_key != keypair[SEED_SIZE:]:
            raise FormatError(f"{path}: the public key does not belong to the secret seed")
        return identity

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the Solana keypair file atomically, readable by the owner only."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        keypair = list(self.seed + self.public_key)
        with atomic_write(target, mode=_KEY_FILE_MODE) as stream:
            stream.write(json.dumps(keypair, separators=(",", ":")).encode())

    @property
    def seed(self) -> bytes:
        return self.private_key.private_bytes_raw()

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        return self.private_key.public_key().public_bytes_raw()

    @property
    def node_id(self) -> bytes:
        return node_id_of(self.public_key)

    @property
    def node_id_hex(self) -> str:
        return self.node_id.hex()

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self.private_key.sign(message)

    def encryption_key(self) -> X25519PrivateKey:
        """The X25519 key that job keys are wrapped to, derived from the seed."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=ENCRYPTION_KEY_INFO)
        return X25519PrivateKey.from_private_bytes(hkdf.derive(self.seed))

    def encryption_key_announcement(self) -> bytes:
        """The X25519 public key signed by this identity, for :func:`verify_encryption_key`."""
        encryption_key = self.encryption_key().public_key().public_bytes_raw()
        return encryption_key + self.sign(ANNOUNCEMENT_DOMAIN + encryption_key)


def require_public_key(public_key: bytes) -> bytes:
    """The key as bytes, or FormatError when it cannot be an Ed25519 public key."""
    if len(public_key) != PUBLIC_KEY_SIZE:
        raise FormatError(
            f"an Ed25519 public key has {PUBLIC_KEY_SIZE} bytes, not {len(public_key)}"
        )
    return bytes(public_key)


def _keypair_bytes(document: object, path: str | os.PathLike[str]) -> bytes:
    """The 64 bytes of a Solana keypair document: a list of 64 integers 0..255."""
    size = SEED_SIZE + PUBLIC_KEY_SIZE
    if (
        not isinstance(document, list)
        or len(document) != size
        or not all(type(item) is int and 0 <= item <= 0xFF for item in document)
    ):
        raise FormatError(f"{path}: an identity key is a JSON array of {size} integers 0..255")
    return bytes(document)
