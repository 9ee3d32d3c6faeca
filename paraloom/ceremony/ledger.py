"""The coordinator's signed transcript: one JSON line per accepted contribution.

Each entry names the participant, the contribution hash (the 64 bytes ``paraloom-ceremony``
and snarkjs print), the SHA-256 of the key file it produced, the hash of the entry before it
(a chain, so no entry can be dropped, reordered or edited unnoticed) and the time. The
coordinator signs each entry with its Ed25519 key, so anyone with the public key can check
the whole file offline and find their contribution in it.

An entry's hash and signature cover the canonical JSON of its fields (sorted keys, no spaces)
without the signature, so they do not depend on how the line itself was formatted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from paraloom.ceremony.info import BEACON, KeyInfo
from paraloom.crypto.identity import require_public_key, verify_signature
from paraloom.errors import CeremonyVerificationError, FormatError, SignatureError
from paraloom.formats.files import atomic_write

#: What the first entry names as its predecessor.
GENESIS = "00" * 32
_FIELDS = ("index", "name", "contribution_hash", "key_sha256", "previous", "time")
_HEX_LENGTHS = {"contribution_hash": 128, "key_sha256": 64, "previous": 64, "signature": 128}


@dataclass(frozen=True)
class LedgerEntry:
    """One accepted contribution; ``index`` is its 1-based number in the key."""

    index: int
    name: str
    contribution_hash: str
    key_sha256: str
    previous: str
    time: str
    signature: str

    def body(self) -> bytes:
        """The canonical bytes the hash and the signature cover."""
        fields = {field: getattr(self, field) for field in _FIELDS}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def digest(self) -> str:
        """The hash the next entry names as ``previous``."""
        return hashlib.sha256(self.body()).hexdigest()

    def line(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode() + b"\n"


def public_key_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def signed_entry(
    key: Ed25519PrivateKey,
    previous: LedgerEntry | None,
    *,
    name: str,
    contribution_hash: bytes,
    key_sha256: str,
) -> LedgerEntry:
    """The entry after ``previous`` (None: the first), signed with ``key``."""
    unsigned = LedgerEntry(
        index=1 if previous is None else previous.index + 1,
        name=name,
        contribution_hash=contribution_hash.hex(),
        key_sha256=key_sha256,
        previous=GENESIS if previous is None else previous.digest(),
        time=datetime.now(UTC).isoformat(timespec="seconds"),
        signature="",
    )
    return _with_signature(unsigned, key.sign(unsigned.body()).hex())


def append_entry(path: Path, entries: list[LedgerEntry], entry: LedgerEntry) -> None:
    """Write ``entries`` plus ``entry`` atomically: a crash leaves the old file or the new."""
    with atomic_write(path) as stream:
        stream.write(b"".join(item.line() for item in [*entries, entry]))


def read_ledger(path: Path) -> list[LedgerEntry]:
    """Parse a transcript file (missing: empty); malformed lines raise FormatError."""
    if not path.exists():
        return []
    return parse_ledger(path.read_bytes())


def parse_ledger(data: bytes) -> list[LedgerEntry]:
    lines = [line for line in data.split(b"\n") if line.strip()]
    return [_parse_line(line, number) for number, line in enumerate(lines, 1)]


def verify_ledger(entries: list[LedgerEntry], public_key: bytes) -> None:
    """Raise CeremonyVerificationError unless the entries are one signed, unbroken chain."""
    require_public_key(public_key)
    previous = GENESIS
    for number, entry in enumerate(entries, 1):
        if entry.index != number:
            raise CeremonyVerificationError(f"entry {number} has index {entry.index}")
        if entry.previous != previous:
            raise CeremonyVerificationError(f"entry {number} does not follow entry {number - 1}")
        try:
            verify_signature(public_key, entry.body(), bytes.fromhex(entry.signature))
        except SignatureError:
            raise CeremonyVerificationError(
                f"entry {number} ({entry.name}) is not signed by this coordinator key"
            ) from None
        previous = entry.digest()


def check_key(entries: list[LedgerEntry], info: KeyInfo, key_sha256: str) -> None:
    """Raise CeremonyVerificationError unless the key's contributions are the entries'.

    Only beacons (the public closing step, which no participant uploads) may follow them;
    with none, the file must be the very one the last entry names.
    """
    if len(info.contributions) < len(entries):
        raise CeremonyVerificationError(
            f"the key has {len(info.contributions)} contributions, the transcript {len(entries)}"
        )
    for entry, contribution in zip(entries, info.contributions, strict=False):
        if entry.contribution_hash != contribution.hash.hex():
            raise CeremonyVerificationError(
                f"{contribution.label} is not transcript entry {entry.index}"
            )
    extra = info.contributions[len(entries) :]
    for contribution in extra:
        if contribution.type != BEACON:
            raise CeremonyVerificationError(f"{contribution.label} is not in the transcript")
    if not extra and entries and entries[-1].key_sha256 != key_sha256:
        raise CeremonyVerificationError("the key file is not the one the last entry names")


def find_contribution(entries: list[LedgerEntry], contribution_hash: bytes) -> LedgerEntry | None:
    return next((e for e in entries if e.contribution_hash == contribution_hash.hex()), None)


def _with_signature(entry: LedgerEntry, signature: str) -> LedgerEntry:
    return LedgerEntry(**{**asdict(entry), "signature": signature})


def _parse_line(line: bytes, number: int) -> LedgerEntry:
    try:
        document = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise FormatError(f"transcript line {number} is not JSON") from None
    if not isinstance(document, dict) or set(document) != {*_FIELDS, "signature"}:
        raise FormatError(
            f"transcript line {number} must have exactly the fields {', '.join(_FIELDS)}, signature"
        )
    _check_types(document, number)
    return LedgerEntry(**document)


def _check_types(document: dict[str, Any], number: int) -> None:
    index = document["index"]
    if not isinstance(index, int) or isinstance(index, bool) or index < 1:
        raise FormatError(f"transcript line {number}: index must be a positive integer")
    for field in ("name", "time", *_HEX_LENGTHS):
        if not isinstance(document[field], str):
            raise FormatError(f"transcript line {number}: {field} must be a string")
    for field, length in _HEX_LENGTHS.items():
        if not _is_hex(document[field], length):
            raise FormatError(f"transcript line {number}: {field} must be {length} hex digits")


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and all(c in "0123456789abcdef" for c in text)
