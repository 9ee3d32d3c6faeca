"""Every check of the decoders and encoders, each failing with a typed error naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from codec_helpers import (
    CODECS,
    FORMAT_DATA,
    OFF_CURVE_G1,
    TOO_LARGE_COORDINATE,
    g1_multiple,
    g2_multiple,
    kind,
    twist_point_outside_subgroup,
)

from paraloom.codecs import altbn128, compressed
from paraloom.errors import FormatError, InvalidPointError, InvalidScalarError, ParaloomError
from paraloom.math.curve import G2_B
from paraloom.math.fields import FQ_MODULUS, FR_MODULUS, fq2, fq2_add, fq2_mul, fq2_sqr
from paraloom.zk.keys import Proof, VerificationKey

COMPACT, SOLANA, JSON = CODECS["compact"], CODECS["solana"], CODECS["snarkjs-json"]
PROOF = Proof(g1_multiple(3), g2_multiple(5), g1_multiple(7))
KEY = VerificationKey(
    g1_multiple(2), g2_multiple(3), g2_multiple(1), g2_multiple(4), (g1_multiple(5), None)
)
OUTSIDE = twist_point_outside_subgroup()


def le(value: int) -> bytes:
    return value.to_bytes(32, "little")


def be(value: int) -> bytes:
    return value.to_bytes(32, "big")


# -- compressed points (compact) --------------------------------------------------------------


def test_both_flags_are_refused() -> None:
    data = bytearray(compressed.encode_g1(g1_multiple(9)))
    data[31] |= 0xC0
    with pytest.raises(FormatError, match=r"A: x: both the infinity and the negative-y flag"):
        COMPACT.decode_proof(bytes(data) + COMPACT.encode_proof(PROOF)[32:])


@pytest.mark.parametrize("size", [32, 64])
def test_infinity_with_a_nonzero_x_is_refused(size: int) -> None:
    data = bytearray(size)
    data[0] = 1
    data[-1] = compressed.INFINITY
    decode = compressed.decode_g1 if size == 32 else compressed.decode_g2
    with pytest.raises(FormatError, match="infinity flag is set but x is not zero"):
        decode(bytes(data), "point")


def test_compressed_coordinates_must_be_below_q() -> None:
    with pytest.raises(InvalidScalarError, match=r"point: x: .* not below the base field modulus"):
        compressed.decode_g1(le(FQ_MODULUS), "point")
    with pytest.raises(InvalidScalarError, match=r"point: x\.c0"):
        compressed.decode_g2(le(FQ_MODULUS) + le(0), "point")
    with pytest.raises(InvalidScalarError, match=r"point: x\.c1"):
        compressed.decode_g2(le(0) + le(FQ_MODULUS), "point")


def test_an_x_without_a_curve_point_is_refused() -> None:
    x = next(x for x in range(1, 50) if _no_g1_point_at(x))
    with pytest.raises(InvalidPointError, match=f"no point of y² = x³ \\+ 3 has x = {x}"):
        compressed.decode_g1(le(x), "point")


def _no_g1_point_at(x: int) -> bool:
    return pow(x**3 + 3, (FQ_MODULUS - 1) // 2, FQ_MODULUS) != 1


def test_a_g2_x_without_a_twist_point_is_refused() -> None:
    x = next(n for n in range(1, 50) if _no_g2_point_at((n, 1)))
    with pytest.raises(InvalidPointError, match=r"no point of y² = x³ \+ 3/\(9 \+ u\)"):
        compressed.decode_g2(le(x) + le(1), "point")


def _no_g2_point_at(x: tuple[int, int]) -> bool:
    """Independent of fq2_sqrt: a is a square in Fq2 iff its norm a0² + a1² is one in Fq."""
    value = fq2_add(fq2_mul(fq2_sqr(fq2(*x)), fq2(*x)), fq2(*G2_B))
    norm = (value[0] ** 2 + value[1] ** 2) % FQ_MODULUS
    return pow(norm, (FQ_MODULUS - 1) // 2, FQ_MODULUS) != 1


@pytest.mark.parametrize("codec_name", ["compact", "solana", "snarkjs-json"])
def test_g2_points_outside_the_subgroup_are_refused(codec_name: str) -> None:
    codec = CODECS[codec_name]
    encode_g2 = {"compact": compressed.encode_g2, "solana": altbn128.encode_g2}.get(codec_name)
    if encode_g2 is None:
        document = json.loads(codec.encode_proof(PROOF))
        (x0, x1), (y0, y1) = OUTSIDE
        document["pi_b"] = [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]
        data = json.dumps(document).encode()
    else:
        encoded = codec.encode_proof(PROOF)
        g1 = len(encoded) // 4
        data = encoded[:g1] + encode_g2(OUTSIDE) + encoded[3 * g1 :]
    with pytest.raises(InvalidPointError, match=r"B: G2 point .* not in the order-r subgroup"):
        codec.decode_proof(data)


# -- big-endian points (solana) ---------------------------------------------------------------


def test_solana_coordinates_must_be_below_q() -> None:
    data = bytearray(SOLANA.encode_proof(PROOF))
    data[64 + 32 : 64 + 64] = be(FQ_MODULUS)
    with pytest.raises(InvalidScalarError, match=r"solana proof: B: x\.c0"):
        SOLANA.decode_proof(bytes(data))


def test_solana_g1_off_the_curve_is_refused() -> None:
    data = be(OFF_CURVE_G1[0]) + be(OFF_CURVE_G1[1]) + SOLANA.encode_proof(PROOF)[64:]
    with pytest.raises(InvalidPointError, match=r"solana proof: A: .* not on the curve"):
        SOLANA.decode_proof(data)


def test_solana_g2_off_the_twist_is_refused() -> None:
    encoded = SOLANA.encode_proof(PROOF)
    bad = encoded[:64] + encoded[64:191] + bytes([encoded[191] ^ 1]) + encoded[192:]
    with pytest.raises(InvalidPointError, match=r"solana proof: B: .* not on the twist"):
        SOLANA.decode_proof(bad)


def test_solana_g2_is_imaginary_part_first() -> None:
    """The G2 generator as groth16-solana's tests store snarkjs' gamma (vk_gamme_g2)."""
    expected_start = bytes([25, 142, 147, 147, 146, 13, 72, 58])
    expected_end = bytes([230, 204, 1, 102, 250, 125, 170])
    encoded = altbn128.encode_g2(g2_multiple(1))
    assert encoded.startswith(expected_start)
    assert encoded.endswith(expected_end)


def test_solana_public_length_must_be_a_multiple_of_32() -> None:
    with pytest.raises(FormatError, match="solana public inputs: length: 33 bytes"):
        SOLANA.decode_public(bytes(33))


@pytest.mark.parametrize(
    ("codec_name", "data", "message"),
    [
        ("solana", be(1) + be(FR_MODULUS), r"solana public inputs: \[1\] .* not in \[0, r\)"),
        ("compact", (1).to_bytes(8, "little") + le(FR_MODULUS), r"compact public inputs: \[0\]"),
        ("snarkjs-json", f'["{FR_MODULUS}"]'.encode(), r"public\.json: \$\[0\]: .* below"),
    ],
)
def test_public_values_must_be_below_r(codec_name: str, data: bytes, message: str) -> None:
    with pytest.raises(InvalidScalarError, match=message):
        CODECS[codec_name].decode_public(data)


# -- lengths ----------------------------------------------------------------------------------


@pytest.mark.parametrize("codec_name", ["compact", "solana"])
def test_trailing_bytes_are_refused(codec_name: str) -> None:
    codec = CODECS[codec_name]
    with pytest.raises(FormatError, match="proof: end: 1 trailing bytes"):
        codec.decode_proof(codec.encode_proof(PROOF) + b"\0")


@pytest.mark.parametrize("codec_name", ["compact", "solana"])
def test_truncation_names_the_field(codec_name: str) -> None:
    codec = CODECS[codec_name]
    encoded = codec.encode_proof(PROOF)
    with pytest.raises(FormatError, match=r"proof: C: truncated"):
        codec.decode_proof(encoded[:-1])


@pytest.mark.parametrize(
    ("codec_name", "offset", "width"), [("compact", 224, 8), ("solana", 448, 4)]
)
def test_key_counts_must_match_the_points(codec_name: str, offset: int, width: int) -> None:
    codec = CODECS[codec_name]
    encoded = codec.encode_verification_key(KEY)
    assert int.from_bytes(encoded[offset : offset + width], "little") == len(KEY.ic)
    wrong = encoded[:offset] + (3).to_bytes(width, "little") + encoded[offset + width :]
    with pytest.raises(FormatError, match="IC: declares 3 entries"):
        codec.decode_verification_key(wrong)
    empty = encoded[:offset] + bytes(width)
    with pytest.raises(FormatError, match="IC is empty"):
        codec.decode_verification_key(empty)


def test_compact_public_count_must_match() -> None:
    with pytest.raises(FormatError, match="compact public inputs: values: declares 2 entries"):
        COMPACT.decode_public((2).to_bytes(8, "little") + le(1))


# -- JSON -------------------------------------------------------------------------------------


def test_json_must_be_utf8() -> None:
    with pytest.raises(FormatError, match=r"proof\.json: not UTF-8"):
        JSON.decode_proof(b'{"pi_a": "\xff"}')


def test_json_points_must_be_on_the_curve() -> None:
    document = json.loads((FORMAT_DATA / "mul_proof.json").read_bytes())
    document["pi_c"] = [str(OFF_CURVE_G1[0]), str(OFF_CURVE_G1[1]), "1"]
    with pytest.raises(InvalidPointError, match=r"proof\.json: C: .* not on the curve"):
        JSON.decode_proof(json.dumps(document).encode())


def test_json_keys_are_checked_point_by_point() -> None:
    document = json.loads((FORMAT_DATA / "mul_vk.json").read_bytes())
    document["IC"][1] = [str(OFF_CURVE_G1[0]), str(OFF_CURVE_G1[1]), "1"]
    with pytest.raises(InvalidPointError, match=r"verification_key\.json: IC\[1\]"):
        JSON.decode_verification_key(json.dumps(document).encode())


# -- encoders ---------------------------------------------------------------------------------

INVALID_VALUES: list[tuple[str, Any, type[ParaloomError], str]] = [
    ("proof", Proof(OFF_CURVE_G1, PROOF.b, PROOF.c), InvalidPointError, "proof: A"),
    ("proof", Proof(PROOF.a, OUTSIDE, PROOF.c), InvalidPointError, "proof: B"),
    ("proof", Proof(PROOF.a, PROOF.b, (TOO_LARGE_COORDINATE, 2)), InvalidPointError, "proof: C"),
    (
        "vk",
        VerificationKey(KEY.alpha_1, KEY.beta_2, KEY.gamma_2, KEY.delta_2, ()),
        FormatError,
        "IC is empty",
    ),
    (
        "vk",
        VerificationKey(KEY.alpha_1, KEY.beta_2, KEY.gamma_2, KEY.delta_2, (OFF_CURVE_G1,)),
        InvalidPointError,
        r"IC\[0\]",
    ),
    ("public", (1, FR_MODULUS), InvalidScalarError, "public input 1"),
    ("public", (-1,), InvalidScalarError, "public input 0"),
    ("public", (True,), InvalidScalarError, "not an integer"),
]


@pytest.mark.parametrize("codec_name", sorted(CODECS))
@pytest.mark.parametrize(("kind_name", "value", "error", "message"), INVALID_VALUES)
def test_encoders_refuse_invalid_values(
    codec_name: str, kind_name: str, value: Any, error: type[ParaloomError], message: str
) -> None:
    with pytest.raises(error, match=message):
        kind(kind_name).encode(CODECS[codec_name], value)
