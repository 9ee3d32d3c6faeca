from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import FormatError
from paraloom.formats.fields import FQ
from paraloom.formats.ptau import (
    LAGRANGE_TAU_G1,
    Ptau,
    PtauHeader,
    PtauReader,
    read_ptau,
    write_ptau,
)

from .strategies import assert_strict, corruptions
from .test_zkey import g1, g2, on_g1, on_g2, replace_section

DATA = Path(__file__).parent / "data"
POT4 = (DATA / "pot4_final.ptau").read_bytes()


def encode(ptau: Ptau) -> bytes:
    stream = io.BytesIO()
    write_ptau(stream, ptau)
    return stream.getvalue()


def test_prepared_snarkjs_ptau_round_trips_byte_for_byte() -> None:
    ptau = read_ptau(io.BytesIO(POT4))
    assert ptau.header == PtauHeader(FQ, 4, 4)
    assert ptau.lagrange is not None
    assert len(ptau.tau_g1) == 31
    assert len(ptau.lagrange.tau_g1) == 63
    assert encode(ptau) == POT4


def test_points_and_contribution_keys_decode_onto_the_curve() -> None:
    ptau = read_ptau(DATA / "pot4_final.ptau")
    assert ptau.tau_g1[0] == (1, 2)
    (contribution,) = ptau.contributions
    assert contribution.params.name == "first"
    keys = (contribution.tau, contribution.alpha, contribution.beta)
    assert all(on_g1(p) for key in keys for p in (key.g1_s, key.g1_sx))
    assert all(on_g2(key.g2_spx) for key in keys)
    assert on_g2(ptau.beta_g2)
    assert contribution.tau_g1 == ptau.tau_g1[1]


def test_unprepared_file_without_lagrange_sections_round_trips() -> None:
    ptau = replace(read_ptau(DATA / "pot4_final.ptau"), lagrange=None)
    data = encode(ptau)
    assert not PtauReader(io.BytesIO(data)).prepared
    assert read_ptau(io.BytesIO(data)) == ptau


@st.composite
def ptaus(draw: st.DrawFn) -> Ptau:
    n = 1 << draw(st.integers(0, 1))
    header = PtauHeader(FQ, n.bit_length() - 1, draw(st.integers(0, 28)))

    def points(strategy: st.SearchStrategy[object], count: int) -> tuple[object, ...]:
        return tuple(draw(st.lists(strategy, min_size=count, max_size=count)))

    return Ptau(
        header,
        points(g1, 2 * n - 1),  # type: ignore[arg-type]
        points(g2, n),  # type: ignore[arg-type]
        points(g1, n),  # type: ignore[arg-type]
        points(g1, n),  # type: ignore[arg-type]
        draw(g2),
        (),
    )


@settings(max_examples=30)
@given(ptaus())
def test_synthetic_files_round_trip(ptau: Ptau) -> None:
    assert read_ptau(io.BytesIO(encode(ptau))) == ptau


@settings(max_examples=30)
@given(st.data())
def test_corrupted_files_are_refused_or_read_faithfully(data: st.DataObject) -> None:
    original = encode(data.draw(ptaus()))
    corrupted = data.draw(corruptions(original))
    assert_strict(corrupted, original, lambda raw: encode(read_ptau(io.BytesIO(raw))))


def test_partial_lagrange_sections_are_refused() -> None:
    header_end = 12
    without_12 = POT4[:8] + (10).to_bytes(4, "little") + POT4[header_end:]
    position = len(POT4) - (12 + 1984) * 2 - (12 + 3968) - (12 + 4032)
    truncated = without_12[:position] + without_12[position + 12 + 4032 :]
    with pytest.raises(FormatError, match="sections 12-15 must be all present"):
        read_ptau(io.BytesIO(truncated))


def test_section_lengths_follow_the_power() -> None:
    short = replace_section(POT4, LAGRANGE_TAU_G1, bytes(64 * 62))
    with pytest.raises(FormatError, match="section 12: needs 32 more bytes"):
        read_ptau(io.BytesIO(short))
    ptau = read_ptau(io.BytesIO(POT4))
    with pytest.raises(FormatError, match="section 2: 30 points"):
        encode(replace(ptau, tau_g1=ptau.tau_g1[:30]))
