"""Contributions: what changes, what does not, where the randomness comes from, names."""

from __future__ import annotations

import io
import secrets
from dataclasses import replace
from pathlib import Path

import gmpy2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.ceremony.bases import FromInitial
from paraloom.ceremony.contribute import NAME_UNITS, contribute, snarkjs_name
from paraloom.ceremony.info import NORMAL
from paraloom.ceremony.transcript import contribution_hash
from paraloom.ceremony.verify import verify_key
from paraloom.errors import FormatError, InvalidPointError
from paraloom.formats.fields import PrimeField
from paraloom.formats.zkey import B1, B2, COEFFICIENTS, IC, A, ZkeyReader, read_zkey
from paraloom.math.fields import FQ_MODULUS

from .helpers import BACKEND, fixture, load, write_key

UNCHANGED = (IC, COEFFICIENTS, A, B1, B2)


def sections(path: Path, section_id: int) -> bytes:
    with path.open("rb") as stream:
        return b"".join(ZkeyReader(stream).chunks(section_id))


def test_a_contribution_rescales_delta_c_and_h_only(tmp_path: Path) -> None:
    source, output = fixture("mul_0.zkey"), tmp_path / "out.zkey"
    result = contribute(BACKEND, source, output, name="alice")
    before, after = read_zkey(source), read_zkey(output)
    for section_id in UNCHANGED:
        assert sections(source, section_id) == sections(output, section_id)
    assert after.header.delta_1 != before.header.delta_1
    assert after.header.delta_1 == result.contribution.delta_after
    assert after.c != before.c
    assert after.h != before.h
    assert after.contributions == (result.contribution,)
    assert result.number == 1
    assert result.contribution.type == NORMAL
    assert result.contribution.params.name == "alice"
    assert result.hash == contribution_hash(result.contribution)
    verify_key(BACKEND, output, FromInitial(source))


def test_contributions_are_appended_after_the_history(tmp_path: Path) -> None:
    output = tmp_path / "out.zkey"
    result = contribute(BACKEND, fixture("mul_final.zkey"), output, name="carol")
    history = read_zkey(fixture("mul_final.zkey")).contributions
    assert read_zkey(output).contributions == (*history, result.contribution)
    assert result.number == 3


def test_a_key_can_be_replaced_in_place(tmp_path: Path) -> None:
    key = tmp_path / "key.zkey"
    key.write_bytes(fixture("mul_0.zkey").read_bytes())
    contribute(BACKEND, key, key, name="in place")
    verify_key(BACKEND, key, FromInitial(fixture("mul_0.zkey")))


def test_streams_work_as_well_as_paths() -> None:
    output = io.BytesIO()
    with fixture("mul_0.zkey").open("rb") as source:
        contribute(BACKEND, source, output, name="streams")
    assert len(read_zkey(io.BytesIO(output.getvalue())).contributions) == 1


def test_the_secret_comes_from_the_os_and_the_text_is_mixed_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the OS bytes fixed, the output depends on the text and on nothing else."""
    monkeypatch.setattr(secrets, "token_bytes", lambda size: bytes(range(size)))
    outputs = []
    for index, text in enumerate(["one", "one", "two", None]):
        path = tmp_path / f"{index}.zkey"
        contribute(BACKEND, fixture("mul_0.zkey"), path, name="x", entropy=text)
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]
    assert len(set(outputs)) == 3


def test_fresh_contributions_differ(tmp_path: Path) -> None:
    first, second = tmp_path / "a.zkey", tmp_path / "b.zkey"
    for path in (first, second):
        contribute(BACKEND, fixture("mul_0.zkey"), path, name="same", entropy="same")
    assert first.read_bytes() != second.read_bytes()


def test_an_off_curve_point_in_the_input_is_refused(tmp_path: Path) -> None:
    zkey = load(fixture("mul_0.zkey"))
    point = zkey.h[0]
    assert point is not None
    off_curve = (point[0], point[1] + 1)
    broken = write_key(tmp_path / "broken.zkey", replace(zkey, h=(off_curve, *zkey.h[1:])))
    with pytest.raises(InvalidPointError, match="not on the curve"):
        contribute(BACKEND, broken, tmp_path / "out.zkey", name="x")
    assert not (tmp_path / "out.zkey").exists()


def test_names_are_kept_as_snarkjs_keeps_them() -> None:
    assert snarkjs_name(None) is None
    assert snarkjs_name("") is None
    assert snarkjs_name("alice") == "alice"
    assert snarkjs_name("é" * 70) == "é" * NAME_UNITS
    # a character outside the BMP is two UTF-16 units; cut in half it becomes U+FFFD
    assert snarkjs_name("a" * 63 + "😀") == "a" * 63 + "\ufffd"


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@given(st.text(min_size=1))
def test_a_kept_name_is_the_first_64_utf16_units(name: str) -> None:
    kept = snarkjs_name(name)
    assert kept is not None
    if utf16_units(name) <= NAME_UNITS:
        assert kept == name
    elif name.startswith(kept):
        assert utf16_units(kept) == NAME_UNITS
    else:  # the cut fell inside a surrogate pair
        assert kept.endswith("\ufffd")
        assert name.startswith(kept[:-1])
        assert utf16_units(kept) == NAME_UNITS


def test_a_key_over_another_curve_is_refused(tmp_path: Path) -> None:
    zkey = load(fixture("mul_0.zkey"))
    other_q = PrimeField(int(gmpy2.next_prime(FQ_MODULUS)), 32)
    other = write_key(
        tmp_path / "other.zkey", replace(zkey, header=replace(zkey.header, q=other_q))
    )
    with pytest.raises(FormatError, match="not over BN254"):
        contribute(BACKEND, other, tmp_path / "out.zkey", name="x")
