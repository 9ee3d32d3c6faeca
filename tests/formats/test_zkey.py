from __future__ import annotations

import io
import struct
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import FormatError, InvalidPointError
from paraloom.formats.contribution_params import ContributionParams
from paraloom.formats.fields import FQ, FR
from paraloom.formats.zkey import (
    Coefficient,
    Groth16Header,
    Zkey,
    ZkeyContribution,
    ZkeyReader,
    read_zkey,
    write_zkey,
)
from paraloom.math.fields import fq2_add, fq2_inv, fq2_mul, fq2_scale

from .strategies import assert_strict, corruptions, elements

if TYPE_CHECKING:
    from paraloom.math.backend import G1Affine

DATA = Path(__file__).parent / "data"
Q = FQ.modulus
G2_B = fq2_scale(fq2_inv((9, 1)), 3)

fq = elements(FQ)
g1 = st.one_of(st.none(), st.tuples(fq, fq).filter(lambda p: p != (0, 0)))
g2 = st.one_of(
    st.none(),
    st.tuples(st.tuples(fq, fq), st.tuples(fq, fq)).filter(lambda p: p != ((0, 0), (0, 0))),
)


def encode(zkey: Zkey) -> bytes:
    stream = io.BytesIO()
    write_zkey(stream, zkey)
    return stream.getvalue()


def on_g1(point: tuple[int, int] | None) -> bool:
    return point is None or (point[1] ** 2 - point[0] ** 3 - 3) % Q == 0


def on_g2(point: tuple[tuple[int, int], tuple[int, int]] | None) -> bool:
    if point is None:
        return True
    x, y = point
    rhs = fq2_add(fq2_mul(fq2_mul(x, x), x), G2_B)
    return tuple(v % Q for v in fq2_mul(y, y)) == tuple(v % Q for v in rhs)


@pytest.mark.parametrize("name", ["mul_final", "chain_final"])
def test_snarkjs_keys_round_trip_byte_for_byte(name: str) -> None:
    raw = (DATA / f"{name}.zkey").read_bytes()
    assert encode(read_zkey(io.BytesIO(raw))) == raw


@pytest.mark.parametrize("name", ["mul_0", "chain_0"])
def test_zkey_new_section_order_is_read(name: str) -> None:
    """`zkey new` writes sections 1,2,4,3,9,8,5,6,7,10; the same content re-reads equal."""
    zkey = read_zkey(DATA / f"{name}.zkey")
    assert read_zkey(io.BytesIO(encode(zkey))) == zkey
    assert zkey.contributions == ()


def test_snarkjs_points_decode_onto_the_curve() -> None:
    """Wrong Montgomery handling would give coordinates off the curve."""
    zkey = read_zkey(DATA / "chain_final.zkey")
    header = zkey.header
    g1_points = [header.alpha_1, header.beta_1, header.delta_1, *zkey.ic, *zkey.a, *zkey.b1]
    g1_points += [*zkey.c, *zkey.h, *(c.g1_s for c in zkey.contributions)]
    assert all(map(on_g1, g1_points))
    g2_points = [header.beta_2, header.gamma_2, header.delta_2, *zkey.b2]
    assert all(map(on_g2, g2_points))
    assert header.gamma_2 == (
        (
            10857046999023057135944570762232829481370756359578518086990519993285655852781,
            11559732032986387107991004021392285783925812861821192530917403151452391805634,
        ),
        (
            8495653923123431417604973247489272438418190587263600148770280649306958101930,
            4082367875863433681332203403145435568316851327593401208105741076214120093531,
        ),
    )


def test_coefficients_undo_the_r_squared_factor() -> None:
    """c <== a*b: A = {a: -1}, B = {b: 1}, plus one A row per public signal (value 1)."""
    zkey = read_zkey(DATA / "mul_final.zkey")
    assert zkey.coefficients == (
        Coefficient(0, 0, 2, FR.modulus - 1),
        Coefficient(1, 0, 3, 1),
        Coefficient(0, 1, 0, 1),
        Coefficient(0, 2, 1, 1),
    )
    raw = (DATA / "mul_final.zkey").read_bytes()
    one_times_r_squared = pow(2, 512, FR.modulus).to_bytes(32, "little")
    assert struct.pack("<III", 1, 0, 3) + one_times_r_squared in raw


def test_contribution_records_and_beacon_parameters() -> None:
    zkey = read_zkey(DATA / "mul_final.zkey")
    alice, beacon = zkey.contributions
    assert (alice.type, alice.params) == (0, ContributionParams(name="alice"))
    assert beacon.type == 1
    assert beacon.params == ContributionParams("final", 10, bytes(range(1, 32)))
    assert beacon.delta_after == zkey.header.delta_1
    assert len(zkey.cs_hash) == len(alice.transcript) == 64


def test_streaming_reader_gives_sections_separately() -> None:
    with (DATA / "chain_final.zkey").open("rb") as stream:
        reader = ZkeyReader(stream)
        whole = read_zkey(DATA / "chain_final.zkey")
        assert tuple(reader.h()) == whole.h
        b2 = b"".join(reader.chunks(7))
        assert len(b2) == 128 * reader.header.n_vars
        assert b2 == _section(whole, 7)


def _section(zkey: Zkey, section_id: int) -> bytes:
    with io.BytesIO(encode(zkey)) as stream:
        return b"".join(ZkeyReader(stream).chunks(section_id))


@st.composite
def zkeys(draw: st.DrawFn) -> Zkey:
    n_public = draw(st.integers(0, 2))
    n_vars = n_public + 1 + draw(st.integers(0, 2))
    domain_size = draw(st.sampled_from([1, 2, 4]))
    header = Groth16Header(
        FQ, FR, n_vars, n_public, domain_size, *draw(st.tuples(g1, g1, g2, g2, g1, g2))
    )
    coefficient = st.builds(
        Coefficient,
        st.integers(0, 1),
        st.integers(0, domain_size - 1),
        st.integers(0, n_vars - 1),
        elements(FR),
    )
    params = st.builds(
        ContributionParams,
        st.none() | st.text(max_size=8),
        st.none() | st.integers(0, 255),
        st.none() | st.binary(max_size=32),
    )
    contribution = st.builds(
        ZkeyContribution,
        g1,
        g1,
        g1,
        g2,
        st.binary(min_size=64, max_size=64),
        st.integers(0, 1),
        params,
    )

    def g1s(count: int) -> tuple[G1Affine, ...]:
        return tuple(draw(st.lists(g1, min_size=count, max_size=count)))

    return Zkey(
        header,
        g1s(n_public + 1),
        tuple(draw(st.lists(coefficient, max_size=3))),
        g1s(n_vars),
        g1s(n_vars),
        tuple(draw(st.lists(g2, min_size=n_vars, max_size=n_vars))),
        g1s(header.n_private),
        g1s(domain_size),
        draw(st.binary(min_size=64, max_size=64)),
        tuple(draw(st.lists(contribution, max_size=2))),
    )


@settings(max_examples=50)
@given(zkeys())
def test_write_then_read_round_trips(zkey: Zkey) -> None:
    data = encode(zkey)
    assert read_zkey(io.BytesIO(data)) == zkey


@settings(max_examples=50)
@given(st.data())
def test_corrupted_keys_are_refused_or_read_faithfully(data: st.DataObject) -> None:
    original = encode(data.draw(zkeys()))
    corrupted = data.draw(corruptions(original))
    assert_strict(corrupted, original, lambda raw: encode(read_zkey(io.BytesIO(raw))))


def replace_section(raw: bytes, section_id: int, payload: bytes) -> bytes:
    """Rebuild a container with one section's payload swapped (sizes recomputed)."""
    out, position = [raw[:12]], 12
    while position < len(raw):
        sid, size = struct.unpack_from("<IQ", raw, position)
        body = payload if sid == section_id else raw[position + 12 : position + 12 + size]
        out.append(struct.pack("<IQ", sid, len(body)) + body)
        position += 12 + size
    return b"".join(out)


MUL = (DATA / "mul_final.zkey").read_bytes()


@pytest.mark.parametrize(
    ("section_id", "payload", "message"),
    [
        (1, struct.pack("<I", 2), r"section 1: protocol 2 \(plonk\) is not supported"),
        (4, struct.pack("<I", 1) + struct.pack("<III", 2, 0, 0) + bytes(32), "matrix 2"),
        (
            4,
            struct.pack("<I", 1) + struct.pack("<III", 0, 4, 0) + bytes(32),
            r"\(4, 0\) is outside",
        ),
        (3, bytes(64), "section 3: needs 32 more bytes"),
        (9, bytes(64 * 5), "section 9: 64 unexpected bytes"),
        (10, MUL[-901:-1], "section 10"),
    ],
)
def test_malformed_sections_are_refused(section_id: int, payload: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        read_zkey(io.BytesIO(replace_section(MUL, section_id, payload)))


def test_header_sanity_checks() -> None:
    header = read_zkey(DATA / "mul_final.zkey")
    assert header.header.n_private == 2
    section_2 = _section(header, 2)
    bad_domain = section_2[:80] + struct.pack("<I", 3) + section_2[84:]
    with pytest.raises(FormatError, match="domain size 3 is not a power of two"):
        read_zkey(io.BytesIO(replace_section(MUL, 2, bad_domain)))


def test_writer_refuses_inconsistent_sections_and_aliased_points() -> None:
    zkey = read_zkey(DATA / "mul_final.zkey")
    with pytest.raises(FormatError, match="H has 3 entries"):
        encode(replace(zkey, h=zkey.h[:3]))
    with pytest.raises(InvalidPointError):
        encode(replace(zkey, ic=((0, 0), zkey.ic[1])))
