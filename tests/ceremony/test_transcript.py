"""Transcript and contribution hashes in snarkjs' layout, checked against snarkjs' output."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.ceremony.transcript import (
    Transcript,
    contribution_hash,
    format_hash,
    public_key_bytes,
)
from paraloom.formats.zkey import read_zkey

from .helpers import PUBLIC_KEY_BYTES, fixture

#: The hashes `snarkjs zkey verify` printed for tests/formats/data/mul_final.zkey.
SNARKJS_MUL_FINAL = {
    1: """
        9d527788 7e02966a 21f3fa4d 1a972387
        494392ba e9a81ea1 2967afa2 7283727a
        4b3db150 b841de63 0d1d20d8 51106c3c
        ec4e185c d57fb27d 7ed2bd83 cbc5b00a""",
    2: """
        e5b9f653 dc279ec5 b725c357 a9a72f86
        a0768bec aa4b5c7a 9b907b22 4c5750b0
        52f8fbbb 9f94d66a 1a36542b 892e7dd2
        0e1aa336 88c4eb79 6010dddd bce16333""",
}


def parse_hash_block(block: str) -> bytes:
    return bytes.fromhex("".join(block.split()))


@pytest.mark.parametrize("name", ["mul_final.zkey", "chain_final.zkey"])
def test_stored_transcripts_are_recomputed(name: str) -> None:
    zkey = read_zkey(fixture(name))
    transcript = Transcript(zkey.cs_hash)
    for contribution in zkey.contributions:
        assert (
            transcript.challenge(contribution.g1_s, contribution.g1_sx) == contribution.transcript
        )
        transcript.append(contribution)


def test_a_transcript_depends_on_the_history() -> None:
    zkey = read_zkey(fixture("mul_final.zkey"))
    second = zkey.contributions[1]
    without_history = Transcript(zkey.cs_hash).challenge(second.g1_s, second.g1_sx)
    assert without_history != second.transcript
    other_circuit = Transcript(bytes(64), zkey.contributions[:1])
    assert other_circuit.challenge(second.g1_s, second.g1_sx) != second.transcript


def test_contribution_hashes_are_the_ones_snarkjs_printed() -> None:
    zkey = read_zkey(fixture("mul_final.zkey"))
    for number, contribution in enumerate(zkey.contributions, 1):
        assert len(public_key_bytes(contribution)) == PUBLIC_KEY_BYTES
        assert contribution_hash(contribution) == parse_hash_block(SNARKJS_MUL_FINAL[number])


def test_the_printed_block_is_snarkjs_layout() -> None:
    zkey = read_zkey(fixture("mul_final.zkey"))
    text = format_hash(contribution_hash(zkey.contributions[0]), "contribution #1 alice:")
    expected = "\n".join(
        ["contribution #1 alice:"]
        + ["\t\t" + line.strip() for line in SNARKJS_MUL_FINAL[1].strip().splitlines()]
    )
    assert text == expected


@given(st.binary(min_size=64, max_size=64))
def test_the_block_reads_back_as_the_digest(digest: bytes) -> None:
    lines = format_hash(digest).split("\n")
    assert len(lines) == 4
    for line in lines:
        assert line.startswith("\t\t")
        words = line[2:].split(" ")
        assert [len(word) for word in words] == [8, 8, 8, 8]
    assert parse_hash_block(format_hash(digest)) == digest
