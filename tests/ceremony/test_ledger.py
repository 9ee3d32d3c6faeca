"""The signed transcript: round trips, the hash chain, signatures, matching a key."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from paraloom.ceremony.info import key_info
from paraloom.ceremony.ledger import (
    GENESIS,
    LedgerEntry,
    append_entry,
    check_key,
    find_contribution,
    parse_ledger,
    public_key_hex,
    read_ledger,
    signed_entry,
    verify_ledger,
)
from paraloom.ceremony.receipt import file_digests
from paraloom.errors import CeremonyVerificationError, FormatError

from .coordinator_support import contributed
from .helpers import fixture

KEY = Ed25519PrivateKey.generate()
PUBLIC = bytes.fromhex(public_key_hex(KEY))
names = st.text(min_size=1, max_size=64)
digests = st.binary(min_size=64, max_size=64)


def chain(records: list[tuple[str, bytes]], key: Ed25519PrivateKey = KEY) -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    for name, digest in records:
        previous = entries[-1] if entries else None
        entry = signed_entry(
            key, previous, name=name, contribution_hash=digest, key_sha256="ab" * 32
        )
        entries.append(entry)
    return entries


records = st.lists(st.tuples(names, digests), min_size=1, max_size=5)


@given(records)
def test_a_written_chain_reads_back_and_verifies(
    tmp_path_factory: pytest.TempPathFactory, items: list[tuple[str, bytes]]
) -> None:
    path = tmp_path_factory.mktemp("ledger") / "t.jsonl"
    entries: list[LedgerEntry] = []
    for entry in chain(items):
        append_entry(path, entries, entry)
        entries.append(entry)
    assert read_ledger(path) == entries
    verify_ledger(read_ledger(path), PUBLIC)
    assert [entry.index for entry in entries] == list(range(1, len(items) + 1))
    assert entries[0].previous == GENESIS
    for _name, digest in items:
        found = find_contribution(entries, digest)
        assert found is not None
        assert found.contribution_hash == digest.hex()
    used = {digest for _, digest in items}
    absent = next(
        bytes([byte]) * 64 for byte in range(len(items) + 1) if bytes([byte]) * 64 not in used
    )
    assert find_contribution(entries, absent) is None


@given(records, st.data())
def test_any_edited_field_breaks_the_chain(
    items: list[tuple[str, bytes]], data: st.DataObject
) -> None:
    entries = chain(items)
    position = data.draw(st.integers(0, len(entries) - 1))
    field = data.draw(
        st.sampled_from(
            ["index", "name", "contribution_hash", "key_sha256", "previous", "time", "signature"]
        )
    )
    original = entries[position]
    if field == "index":
        edited = replace(original, index=original.index + 1)
    elif field in ("name", "time"):
        edited = replace(original, **{field: getattr(original, field) + "x"})
    else:
        text = getattr(original, field)
        edited = replace(original, **{field: ("0" if text[0] != "0" else "1") + text[1:]})
    entries[position] = edited
    with pytest.raises(
        CeremonyVerificationError, match=f"entry {position + 1}|entry {position + 2}"
    ):
        verify_ledger(entries, PUBLIC)


@given(st.lists(st.tuples(names, digests), min_size=2, max_size=5), st.data())
def test_dropped_or_reordered_entries_are_found(
    items: list[tuple[str, bytes]], data: st.DataObject
) -> None:
    entries = chain(items)
    dropped = data.draw(st.integers(0, len(entries) - 2))
    with pytest.raises(CeremonyVerificationError):
        verify_ledger(entries[:dropped] + entries[dropped + 1 :], PUBLIC)
    with pytest.raises(CeremonyVerificationError):
        verify_ledger(list(reversed(entries)), PUBLIC)


def test_another_coordinators_signature_is_refused() -> None:
    entries = chain([("alice", b"\1" * 64)], key=Ed25519PrivateKey.generate())
    with pytest.raises(CeremonyVerificationError, match="not signed by this coordinator"):
        verify_ledger(entries, PUBLIC)
    with pytest.raises(FormatError, match="32 bytes"):
        verify_ledger(entries, PUBLIC[:31])


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: "not json", "not JSON"),
        (lambda d: json.dumps({**d, "extra": 1}), "exactly the fields"),
        (lambda d: json.dumps({k: v for k, v in d.items() if k != "time"}), "exactly the fields"),
        (lambda d: json.dumps({**d, "index": 0}), "index"),
        (lambda d: json.dumps({**d, "index": True}), "index"),
        (lambda d: json.dumps({**d, "name": 5}), "name must be a string"),
        (lambda d: json.dumps({**d, "key_sha256": "AB" * 32}), "key_sha256 must be 64 hex"),
        (lambda d: json.dumps({**d, "signature": "00"}), "signature must be 128 hex"),
        (lambda d: json.dumps([d]), "exactly the fields"),
    ],
)
def test_malformed_lines_are_format_errors(change: object, words: str) -> None:
    document = json.loads(chain([("alice", b"\1" * 64)])[0].line())
    line = change(document)  # type: ignore[operator]
    with pytest.raises(FormatError, match=words):
        parse_ledger(line.encode())


def test_missing_file_is_an_empty_transcript(tmp_path: Path) -> None:
    assert read_ledger(tmp_path / "none.jsonl") == []


def test_check_key_matches_contributions(tmp_path: Path) -> None:
    first = tmp_path / "k1.zkey"
    contributed(fixture("mul_0.zkey"), first, "alice")
    contributed(first, tmp_path / "k2.zkey", "bob")
    info = key_info(tmp_path / "k2.zkey")
    digest = file_digests(tmp_path / "k2.zkey")["sha256"]
    entries = [
        signed_entry(
            KEY,
            None,
            name="alice",
            contribution_hash=info.contributions[0].hash,
            key_sha256="00" * 32,
        )
    ]
    entries.append(
        signed_entry(
            KEY,
            entries[0],
            name="bob",
            contribution_hash=info.contributions[1].hash,
            key_sha256=digest,
        )
    )
    check_key(entries, info, digest)
    with pytest.raises(CeremonyVerificationError, match="not the one the last entry names"):
        check_key(entries, info, "11" * 32)
    with pytest.raises(CeremonyVerificationError, match="not in the transcript"):
        check_key(entries[:1], info, digest)
    with pytest.raises(CeremonyVerificationError, match="2 contributions, the transcript 3"):
        check_key([*entries, entries[0]], info, digest)
    swapped = [replace(entries[0], contribution_hash=entries[1].contribution_hash), entries[1]]
    with pytest.raises(CeremonyVerificationError, match="is not transcript entry 1"):
        check_key(swapped, info, digest)
