from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import FormatError, InvalidScalarError
from paraloom.formats.fields import FR, PrimeField
from paraloom.formats.wtns import Witness, WtnsReader, read_wtns, write_wtns

from .strategies import assert_strict, corruptions, witnesses

DATA = Path(__file__).parent / "data"


def multiplier_wtns(values: tuple[int, ...] = (1, 33, 3, 11), *, version: int = 2) -> bytes:
    """The witness of `c <== a * b` for a = 3, b = 11, laid out by hand from the format."""
    header = struct.pack("<I", 32) + FR.modulus.to_bytes(32, "little") + struct.pack("<I", 4)
    witness = b"".join(v.to_bytes(32, "little") for v in values)
    sections = struct.pack("<IQ", 1, len(header)) + header
    sections += struct.pack("<IQ", 2, len(witness)) + witness
    return b"wtns" + struct.pack("<II", version, 2) + sections


def encode(witness: Witness) -> bytes:
    stream = io.BytesIO()
    write_wtns(stream, witness)
    return stream.getvalue()


def test_hand_built_witness_equals_snarkjs_output() -> None:
    snarkjs = (DATA / "mul.wtns").read_bytes()
    assert multiplier_wtns() == snarkjs
    assert read_wtns(io.BytesIO(snarkjs)) == Witness(FR, (1, 33, 3, 11))
    assert encode(read_wtns(DATA / "mul.wtns")) == snarkjs


def test_larger_snarkjs_witness_round_trips() -> None:
    witness = read_wtns(DATA / "chain.wtns")
    assert witness.values[:3] == (1, 8593, 5)
    assert encode(witness) == (DATA / "chain.wtns").read_bytes()


def test_streaming_reader_exposes_the_header_before_the_values() -> None:
    with (DATA / "chain.wtns").open("rb") as stream:
        reader = WtnsReader(stream)
        assert (reader.field, reader.n_witness) == (FR, 8)
        assert next(reader.values()) == 1


@given(witnesses())
def test_write_then_read_round_trips(witness: Witness) -> None:
    data = encode(witness)
    assert read_wtns(io.BytesIO(data)) == witness


@given(st.data())
def test_corrupted_files_are_refused_or_read_faithfully(data: st.DataObject) -> None:
    original = encode(data.draw(witnesses()))
    corrupted = data.draw(corruptions(original))
    assert_strict(corrupted, original, lambda raw: encode(read_wtns(io.BytesIO(raw))))


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (multiplier_wtns(version=1), FormatError, "unsupported version 1"),
        (multiplier_wtns((1, 33, 3)), FormatError, "section 2: needs 32 more bytes"),
        (multiplier_wtns((1, 33, 3, 11, 0)), FormatError, "section 2: 32 unexpected bytes"),
        (multiplier_wtns((1, 33, FR.modulus, 11)), InvalidScalarError, "section 2: at byte 64"),
    ],
)
def test_malformed_witnesses_are_refused(data: bytes, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        read_wtns(io.BytesIO(data))


def test_values_must_be_reduced_when_writing() -> None:
    with pytest.raises(InvalidScalarError):
        encode(Witness(PrimeField(7, 8), (7,)))


def test_write_to_path(tmp_path: Path) -> None:
    witness = Witness(FR, (1, 2, 3))
    write_wtns(tmp_path / "w.wtns", witness)
    assert read_wtns(str(tmp_path / "w.wtns")) == witness
