from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import FormatError, InvalidScalarError
from paraloom.formats.fields import FR
from paraloom.formats.r1cs import Constraint, R1cs, R1csReader, read_r1cs, write_r1cs

from .strategies import assert_strict, corruptions, r1cs_files

DATA = Path(__file__).parent / "data"
MINUS_ONE = FR.modulus - 1


def section(section_id: int, payload: bytes) -> bytes:
    return struct.pack("<IQ", section_id, len(payload)) + payload


def element(value: int) -> bytes:
    return value.to_bytes(32, "little")


def lc(terms: dict[int, int]) -> bytes:
    return struct.pack("<I", len(terms)) + b"".join(
        struct.pack("<I", wire) + element(coefficient) for wire, coefficient in terms.items()
    )


HEADER = struct.pack("<I", 32) + element(FR.modulus) + struct.pack("<IIIIQI", 4, 1, 0, 2, 4, 1)
CONSTRAINTS = lc({2: MINUS_ONE}) + lc({3: 1}) + lc({1: MINUS_ONE})
LABELS = struct.pack("<4Q", 0, 1, 2, 3)


def multiplier_r1cs(
    order: tuple[int, ...] = (2, 1, 3), extra: tuple[bytes, ...] = (), **payloads: bytes
) -> bytes:
    """`c <== a * b` laid out by hand from the r1cs format description.

    ``payloads`` replaces sections by name (header, constraints, labels); ``order`` lists
    section ids (circom writes 2, 1, 3); ``extra`` appends raw sections.
    """
    chosen = {1: HEADER, 2: CONSTRAINTS, 3: LABELS}
    for name, payload in payloads.items():
        chosen[{"header": 1, "constraints": 2, "labels": 3}[name]] = payload
    parts = (*(section(sid, chosen[sid]) for sid in order), *extra)
    return b"r1cs" + struct.pack("<II", 1, len(parts)) + b"".join(parts)


def encode(r1cs: R1cs) -> bytes:
    stream = io.BytesIO()
    write_r1cs(stream, r1cs)
    return stream.getvalue()


def test_hand_built_multiplier_reads_as_documented() -> None:
    r1cs = read_r1cs(io.BytesIO(multiplier_r1cs()))
    header = r1cs.header
    assert header.field == FR
    counts = (header.n_wires, header.n_pub_out, header.n_pub_in, header.n_prv_in)
    assert counts == (4, 1, 0, 2)
    assert (header.n_labels, header.n_constraints, header.n_public) == (4, 1, 1)
    assert r1cs.constraints == (Constraint({2: MINUS_ONE}, {3: 1}, {1: MINUS_ONE}),)
    assert r1cs.wire_to_label == (0, 1, 2, 3)


def test_hand_built_multiplier_equals_circom_output_and_round_trips() -> None:
    circom = (DATA / "mul.r1cs").read_bytes()
    assert multiplier_r1cs() == circom
    assert encode(read_r1cs(DATA / "mul.r1cs")) == circom


def test_larger_circom_file_round_trips_byte_for_byte() -> None:
    circom = (DATA / "chain.r1cs").read_bytes()
    r1cs = read_r1cs(DATA / "chain.r1cs")
    assert r1cs.header.n_constraints == len(r1cs.constraints) == 5
    assert (r1cs.header.n_pub_out, r1cs.header.n_pub_in, r1cs.header.n_prv_in) == (1, 1, 1)
    assert encode(r1cs) == circom


def test_sections_in_another_order_are_read() -> None:
    circom = read_r1cs(io.BytesIO(multiplier_r1cs()))
    assert read_r1cs(io.BytesIO(multiplier_r1cs(order=(3, 1, 2)))) == circom


def test_streaming_reader_yields_the_same_constraints() -> None:
    with (DATA / "chain.r1cs").open("rb") as stream:
        reader = R1csReader(stream)
        assert tuple(reader.constraints()) == read_r1cs(DATA / "chain.r1cs").constraints
        assert len(tuple(reader.wire_to_label())) == reader.header.n_wires


@given(r1cs_files())
def test_write_then_read_round_trips(r1cs: R1cs) -> None:
    data = encode(r1cs)
    assert read_r1cs(io.BytesIO(data)) == r1cs
    assert encode(read_r1cs(io.BytesIO(data))) == data


@given(st.data())
def test_corrupted_files_are_refused_or_read_faithfully(data: st.DataObject) -> None:
    original = encode(data.draw(r1cs_files()))
    corrupted = data.draw(corruptions(original))
    assert_strict(corrupted, original, lambda raw: encode(read_r1cs(io.BytesIO(raw))))


def test_write_to_path_is_atomic_and_readable(tmp_path: Path) -> None:
    r1cs = read_r1cs(DATA / "chain.r1cs")
    write_r1cs(tmp_path / "out.r1cs", r1cs)
    assert read_r1cs(tmp_path / "out.r1cs") == r1cs


def test_custom_gates_are_refused_clearly() -> None:
    with pytest.raises(FormatError, match="section 4: custom gates"):
        read_r1cs(io.BytesIO(multiplier_r1cs(extra=(section(4, b""),))))


@pytest.mark.parametrize(
    ("order", "message"),
    [((2, 1), "section 3: missing"), ((2, 1, 3, 1), "section 1: appears 2 times")],
)
def test_missing_and_duplicate_sections_are_refused(order: tuple[int, ...], message: str) -> None:
    with pytest.raises(FormatError, match=message):
        read_r1cs(io.BytesIO(multiplier_r1cs(order)))


@pytest.mark.parametrize(
    ("payloads", "error", "message"),
    [
        ({"constraints": lc({9: 1}) + lc({}) + lc({})}, FormatError, "wire 9 is not below nWires"),
        ({"constraints": lc({1: 1})}, FormatError, "section 2: needs 4 more bytes"),
        ({"constraints": CONSTRAINTS + b"\0"}, FormatError, "section 2: 1 unexpected bytes"),
        (
            {"constraints": lc({2: FR.modulus}) + lc({}) + lc({})},
            InvalidScalarError,
            "section 2: at byte 8",
        ),
        (
            {"constraints": lc({1: 2}) + lc({}) + lc({}), "labels": struct.pack("<3Q", 0, 1, 2)},
            FormatError,
            "section 3: needs 8 more bytes",
        ),
        ({"labels": LABELS + bytes(8)}, FormatError, "section 3: 8 unexpected bytes"),
        ({"header": HEADER[:-4] + struct.pack("<I", 2)}, FormatError, "section 2: needs 4 more"),
        (
            {"header": HEADER[:36] + struct.pack("<IIIIQI", 2, 1, 1, 1, 4, 1)},
            FormatError,
            "4 signals declared but only 2 wires",
        ),
        ({"header": struct.pack("<I", 31) + HEADER[4:]}, FormatError, "field size 31"),
        ({"header": struct.pack("<I", 32) + bytes(32) + HEADER[36:]}, FormatError, "modulus 0"),
        (
            {"constraints": struct.pack("<I", 2) + 2 * (struct.pack("<I", 1) + element(1))},
            FormatError,
            "wire 1 appears twice",
        ),
    ],
)
def test_inconsistent_sections_are_refused(
    payloads: dict[str, bytes], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        read_r1cs(io.BytesIO(multiplier_r1cs(**payloads)))


def test_writer_refuses_inconsistent_counts() -> None:
    r1cs = read_r1cs(DATA / "mul.r1cs")
    with pytest.raises(FormatError, match="constraints"):
        encode(R1cs(r1cs.header, (), r1cs.wire_to_label))
    with pytest.raises(FormatError, match="labels"):
        encode(R1cs(r1cs.header, r1cs.constraints, ()))
    with pytest.raises(FormatError, match="wire 7"):
        encode(R1cs(r1cs.header, (Constraint({7: 1}, {}, {}),), r1cs.wire_to_label))


def test_constraints_are_immutable_and_hashable() -> None:
    constraint = Constraint({1: 2}, {}, {3: 4})
    with pytest.raises(TypeError):
        constraint.a[1] = 5  # type: ignore[index]
    assert hash(constraint) == hash(Constraint({1: 2}, {}, {3: 4}))
