"""Sections a key shares byte for byte with its base are still checked, once, on the key."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from paraloom.ceremony import sections
from paraloom.ceremony.bases import FromInitial
from paraloom.ceremony.sections import RHO_BITS
from paraloom.ceremony.verify import verify_key
from paraloom.errors import CeremonyVerificationError, InvalidScalarError
from paraloom.formats.zkey import COEFFICIENTS, ZkeyReader, read_zkey

from .helpers import BACKEND, fixture, write_key
from .test_verify import MUL_0, MUL_FINAL, twist_point_outside_the_subgroup

if TYPE_CHECKING:
    from pathlib import Path


def both_tampered(tmp_path: Path, **changes: Any) -> tuple[Path, Path]:
    """The initial key and its contributed key, both with the same change."""
    initial, final = (
        write_key(tmp_path / name, replace(read_zkey(path), **changes))
        for name, path in (("initial.zkey", MUL_0), ("final.zkey", MUL_FINAL))
    )
    return initial, final


def test_a_shared_point_outside_the_subgroup_is_invalid(tmp_path: Path) -> None:
    b2 = read_zkey(MUL_0).b2
    initial, final = both_tampered(tmp_path, b2=(twist_point_outside_the_subgroup(), *b2[1:]))
    with pytest.raises(CeremonyVerificationError, match=r"section 7 \(B2\): point 0: .*subgroup"):
        verify_key(BACKEND, final, FromInitial(initial))


def test_a_shared_point_off_the_curve_is_invalid(tmp_path: Path) -> None:
    a = list(read_zkey(MUL_0).a)
    index = next(i for i, point in enumerate(a) if point is not None)
    x, y = a[index]  # type: ignore[misc]
    a[index] = (x, y + 1)
    initial, final = both_tampered(tmp_path, a=tuple(a))
    with pytest.raises(
        CeremonyVerificationError, match=rf"section 5 \(A\): point {index}: .*curve"
    ):
        verify_key(BACKEND, final, FromInitial(initial))


def unreduced_first_coefficient(raw: bytes) -> bytes:
    """``raw`` with the value of section 4's first entry set to 2^256 - 1 (not below r)."""
    with io.BytesIO(raw) as stream:
        payload = b"".join(ZkeyReader(stream).chunks(COEFFICIENTS))
    value = raw.index(payload) + 4 + 12
    return raw[:value] + b"\xff" * 32 + raw[value + 32 :]


def test_a_shared_unreduced_coefficient_is_refused(tmp_path: Path) -> None:
    initial, final = tmp_path / "initial.zkey", tmp_path / "final.zkey"
    for source, target in ((MUL_0, initial), (MUL_FINAL, final)):
        target.write_bytes(unreduced_first_coefficient(source.read_bytes()))
    with pytest.raises(InvalidScalarError, match=r"section 4: coefficient \(\d+, \d+\)"):
        verify_key(BACKEND, final, FromInitial(initial))


def test_rhos_are_nonzero_and_of_the_promised_width() -> None:
    rhos = sections._random_rhos(1000)
    assert len(rhos) == 1000
    assert all(0 < rho < 1 << RHO_BITS for rho in rhos)
    assert max(rhos).bit_length() > RHO_BITS - 16  # 1000 draws: the top bits are used


def test_a_draw_with_a_zero_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter([bytes(32), b"\1" * 32])
    monkeypatch.setattr(sections.secrets, "token_bytes", lambda size: next(draws)[:size])
    assert sections._random_rhos(2) == [int.from_bytes(b"\1" * 16, "little")] * 2


def test_the_fixture_chain_still_verifies() -> None:
    report = verify_key(BACKEND, MUL_FINAL, FromInitial(fixture("mul_0.zkey")))
    assert report.first_checked == 1
