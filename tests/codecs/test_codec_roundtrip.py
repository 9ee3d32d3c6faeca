"""Round trips in every codec, conversion between codecs, and snarkjs' own files."""

from __future__ import annotations

from typing import Any

import pytest
from codec_helpers import CODECS, FORMAT_DATA, VALUES, kind, proofs, without_alphabeta
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.codecs.snarkjs import SnarkjsJsonCodec
from paraloom.components import ProofCodec

KIND_NAMES = sorted(VALUES)
CODEC_NAMES = sorted(CODECS)
#: How many examples per property: G2 multiplications cost milliseconds each.
EXAMPLES = settings(max_examples=15)


def comparable(codec: ProofCodec, kind_name: str, value: Any) -> Any:
    """What a codec can be expected to give back: binary layouts do not store e(alpha, beta)."""
    if kind_name == "vk" and not isinstance(codec, SnarkjsJsonCodec):
        return without_alphabeta(value)
    return value


@pytest.mark.parametrize("codec_name", CODEC_NAMES)
@pytest.mark.parametrize("kind_name", KIND_NAMES)
@EXAMPLES
@given(data=st.data())
def test_decode_inverts_encode(codec_name: str, kind_name: str, data: st.DataObject) -> None:
    codec, artifact = CODECS[codec_name], kind(kind_name)
    value = data.draw(VALUES[kind_name])
    encoded = artifact.encode(codec, value)
    assert artifact.decode(codec, encoded) == value
    assert artifact.encode(codec, artifact.decode(codec, encoded)) == encoded


@pytest.mark.parametrize("source", CODEC_NAMES)
@pytest.mark.parametrize("target", CODEC_NAMES)
@pytest.mark.parametrize("kind_name", KIND_NAMES)
@settings(max_examples=5)
@given(data=st.data())
def test_conversion_preserves_values(
    source: str, target: str, kind_name: str, data: st.DataObject
) -> None:
    artifact = kind(kind_name)
    value = data.draw(VALUES[kind_name])
    converted = artifact.convert(
        artifact.encode(CODECS[source], value), CODECS[source], CODECS[target]
    )
    assert artifact.decode(CODECS[target], converted) == value


@EXAMPLES
@given(proof=proofs)
def test_binary_proofs_have_fixed_sizes(proof: Any) -> None:
    assert len(CODECS["compact"].encode_proof(proof)) == 32 + 64 + 32
    assert len(CODECS["solana"].encode_proof(proof)) == 64 + 128 + 64


@pytest.mark.parametrize("circuit", ["mul", "chain"])
@pytest.mark.parametrize(
    ("kind_name", "suffix"), [("proof", "proof"), ("vk", "vk"), ("public", "public")]
)
def test_snarkjs_files_travel_through_every_codec(
    circuit: str, kind_name: str, suffix: str
) -> None:
    artifact = kind(kind_name)
    original = (FORMAT_DATA / f"{circuit}_{suffix}.json").read_bytes()
    json_codec = CODECS["snarkjs-json"]
    value = artifact.decode(json_codec, original)
    assert artifact.encode(json_codec, value) == original
    data = original
    for source, target in [("snarkjs-json", "compact"), ("compact", "solana")]:
        data = artifact.convert(data, CODECS[source], CODECS[target])
        assert artifact.decode(CODECS[target], data) == comparable(CODECS[target], kind_name, value)
    back = artifact.convert(data, CODECS["solana"], json_codec)
    assert back == artifact.encode(json_codec, comparable(CODECS["solana"], kind_name, value))


def test_snarkjs_json_reads_other_provers_layout() -> None:
    """rapidsnark writes compact JSON: the same values, other whitespace."""
    original = (FORMAT_DATA / "mul_proof.json").read_bytes()
    json_codec = CODECS["snarkjs-json"]
    squeezed = b"".join(original.split())
    assert json_codec.decode_proof(squeezed) == json_codec.decode_proof(original)
