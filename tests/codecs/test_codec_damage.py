"""Damaged encodings: refused with a paraloom error, or read as exactly what they say."""

from __future__ import annotations

import pytest
from codec_helpers import CODECS, FORMAT_DATA, VALUES, assert_damage_detected, damaged, kind
from hypothesis import assume, given, settings
from hypothesis import strategies as st

KIND_NAMES = sorted(VALUES)
CODEC_NAMES = sorted(CODECS)


@pytest.mark.parametrize("codec_name", CODEC_NAMES)
@pytest.mark.parametrize("kind_name", KIND_NAMES)
@settings(max_examples=40)
@given(data=st.data())
def test_damage_is_detected(codec_name: str, kind_name: str, data: st.DataObject) -> None:
    codec, artifact = CODECS[codec_name], kind(kind_name)
    value = data.draw(VALUES[kind_name])
    encoded = artifact.encode(codec, value)
    assume(encoded)
    assert_damage_detected(codec, artifact, data.draw(damaged(encoded)), value)


@pytest.mark.parametrize("codec_name", CODEC_NAMES)
def test_every_byte_of_the_fixture_proof(codec_name: str) -> None:
    """Each byte of a real proof replaced (by a value that varies with the position), and
    every prefix: none is silently accepted as the original."""
    codec, artifact = CODECS[codec_name], kind("proof")
    proof = CODECS["snarkjs-json"].decode_proof((FORMAT_DATA / "mul_proof.json").read_bytes())
    encoded = codec.encode_proof(proof)
    for position, byte in enumerate(encoded):
        replacement = byte ^ (1 << (position % 8)) if position % 3 else byte ^ 0xFF
        corrupted = encoded[:position] + bytes([replacement]) + encoded[position + 1 :]
        assert_damage_detected(codec, artifact, corrupted, proof)
        assert_damage_detected(codec, artifact, encoded[:position], proof)
