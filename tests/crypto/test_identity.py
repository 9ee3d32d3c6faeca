"""Node identity: node ids, signatures, the Solana key file, the announced X25519 key."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.crypto.envelope import open_envelope, seal
from paraloom.crypto.identity import (
    ANNOUNCEMENT_DOMAIN,
    NodeIdentity,
    node_id_of,
    verify_encryption_key,
    verify_signature,
)
from paraloom.errors import FormatError, SignatureError

# RFC 8032, section 7.1, TEST 1: secret seed, public key, and the signature of the empty message.
RFC_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)

ALICE = NodeIdentity.from_seed(bytes([1]) * 32)
BOB = NodeIdentity.from_seed(bytes([2]) * 32)


def flip(data: bytes, index: int, mask: int = 1) -> bytes:
    return data[:index] + bytes([data[index] ^ mask]) + data[index + 1 :]


def test_a_seed_gives_the_rfc_8032_key_and_signature() -> None:
    identity = NodeIdentity.from_seed(RFC_SEED)
    assert identity.public_key == RFC_PUBLIC
    assert identity.sign(b"") == RFC_SIGNATURE
    verify_signature(RFC_PUBLIC, b"", RFC_SIGNATURE)


def test_the_node_id_is_the_sha256_of_the_raw_public_key() -> None:
    identity = NodeIdentity.from_seed(RFC_SEED)
    expected = hashlib.sha256(RFC_PUBLIC).digest()
    assert identity.node_id == node_id_of(RFC_PUBLIC) == expected
    assert identity.node_id_hex == expected.hex()


def test_generated_identities_differ() -> None:
    assert NodeIdentity.generate().public_key != NodeIdentity.generate().public_key


@settings(max_examples=30)
@given(st.binary(max_size=200))
def test_signatures_verify_under_their_own_key_only(message: bytes) -> None:
    signature = ALICE.sign(message)
    verify_signature(ALICE.public_key, message, signature)
    with pytest.raises(SignatureError, match="does not verify"):
        verify_signature(BOB.public_key, message, signature)
    with pytest.raises(SignatureError):
        verify_signature(ALICE.public_key, message + b"!", signature)


@settings(max_examples=30)
@given(st.integers(0, 63), st.integers(1, 255))
def test_any_changed_signature_byte_is_refused(index: int, mask: int) -> None:
    signature = ALICE.sign(b"vote")
    with pytest.raises(SignatureError):
        verify_signature(ALICE.public_key, b"vote", flip(signature, index, mask))


@pytest.mark.parametrize("signature", [b"", bytes(63), ALICE.sign(b"m") + b"\x00"])
def test_a_signature_of_the_wrong_length_does_not_verify(signature: bytes) -> None:
    with pytest.raises(SignatureError):
        verify_signature(ALICE.public_key, b"m", signature)


@pytest.mark.parametrize("key", [b"", bytes(31), bytes(33)])
def test_a_public_key_of_the_wrong_length_is_malformed_input(key: bytes) -> None:
    with pytest.raises(FormatError, match=f"not {len(key)}"):
        node_id_of(key)
    with pytest.raises(FormatError, match="Ed25519 public key"):
        verify_signature(key, b"m", ALICE.sign(b"m"))


def test_a_seed_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(FormatError, match="secret seed has 32 bytes, not 31"):
        NodeIdentity.from_seed(bytes(31))


# -- the key file ---------------------------------------------------------------------------


def test_the_key_file_is_a_solana_keypair_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "identity.key"
    NodeIdentity.from_seed(RFC_SEED).save(path)
    assert json.loads(path.read_bytes()) == list(RFC_SEED + RFC_PUBLIC)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert NodeIdentity.load(path).public_key == RFC_PUBLIC


def test_saving_over_a_readable_file_makes_it_private(tmp_path: Path) -> None:
    path = tmp_path / "identity.key"
    path.write_text("old")
    path.chmod(0o644)
    ALICE.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert NodeIdentity.load(path).seed == ALICE.seed


def test_a_keypair_file_written_by_hand_loads(tmp_path: Path) -> None:
    """The layout solana-keygen writes: a JSON array, seed then public key, with spaces."""
    path = tmp_path / "validator-keypair.json"
    path.write_text(json.dumps(list(RFC_SEED + RFC_PUBLIC)))
    identity = NodeIdentity.load(path)
    assert (identity.seed, identity.public_key) == (RFC_SEED, RFC_PUBLIC)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not json", "not JSON"),
        ('{"seed": 1}', "JSON array of 64 integers"),
        (json.dumps(list(range(63))), "JSON array of 64 integers"),
        (json.dumps([*range(63), 256]), "JSON array of 64 integers"),
        (json.dumps([*range(63), -1]), "JSON array of 64 integers"),
        (json.dumps([*range(63), True]), "JSON array of 64 integers"),
        (json.dumps([*range(63), 1.0]), "JSON array of 64 integers"),
        (json.dumps(list(RFC_SEED + flip(RFC_PUBLIC, 0))), "does not belong to the secret seed"),
    ],
)
def test_a_damaged_key_file_is_refused(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "identity.key"
    path.write_text(content)
    with pytest.raises(FormatError, match=problem):
        NodeIdentity.load(path)


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"absent\.key: cannot read the identity key"):
        NodeIdentity.load(tmp_path / "absent.key")


# -- the encryption key ---------------------------------------------------------------------


def test_the_encryption_key_is_the_documented_hkdf_of_the_seed() -> None:
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"paraloom/identity/v1/x25519"
    )
    expected = hkdf.derive(RFC_SEED)
    key = NodeIdentity.from_seed(RFC_SEED).encryption_key()
    assert key.private_bytes_raw() == expected


def test_the_encryption_key_survives_a_restart(tmp_path: Path) -> None:
    """A job key wrapped before a restart still opens after it."""
    path = tmp_path / "identity.key"
    ALICE.save(path)
    public = ALICE.encryption_key().public_key().public_bytes_raw()
    envelope = seal(b"input", [public])
    assert open_envelope(envelope, NodeIdentity.load(path).encryption_key()).plaintext == b"input"


def test_an_announced_key_verifies_and_opens_envelopes() -> None:
    announced = verify_encryption_key(ALICE.public_key, ALICE.encryption_key_announcement())
    assert announced == ALICE.encryption_key().public_key().public_bytes_raw()
    assert open_envelope(seal(b"x", [announced]), ALICE.encryption_key()).plaintext == b"x"


def test_the_announcement_signs_the_domain_and_the_key() -> None:
    announcement = ALICE.encryption_key_announcement()
    key, signature = announcement[:32], announcement[32:]
    verify_signature(ALICE.public_key, ANNOUNCEMENT_DOMAIN + key, signature)
    with pytest.raises(SignatureError):
        verify_signature(ALICE.public_key, key, signature)


@settings(max_examples=30)
@given(st.integers(0, 95), st.integers(1, 255))
def test_a_changed_announcement_is_refused(index: int, mask: int) -> None:
    announcement = flip(ALICE.encryption_key_announcement(), index, mask)
    with pytest.raises(SignatureError):
        verify_encryption_key(ALICE.public_key, announcement)


def test_an_announcement_by_another_node_is_refused() -> None:
    with pytest.raises(SignatureError):
        verify_encryption_key(ALICE.public_key, BOB.encryption_key_announcement())


@pytest.mark.parametrize("size", [0, 95, 97])
def test_an_announcement_of_the_wrong_length_is_refused(size: int) -> None:
    announcement = (ALICE.encryption_key_announcement() + b"\x00")[:size].ljust(size, b"\x00")
    with pytest.raises(FormatError, match=f"96 bytes, not {size}"):
        verify_encryption_key(ALICE.public_key, announcement)
