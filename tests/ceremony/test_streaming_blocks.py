"""A verification's way through point sections: stored bytes to checked backend points."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from formats.test_zkey import replace_section

from paraloom.ceremony.streaming import g1_blocks, g2_blocks
from paraloom.errors import CeremonyVerificationError, FormatError, InvalidScalarError
from paraloom.formats.zkey import B2, H, ZkeyReader

from .helpers import BACKEND, fixture

if TYPE_CHECKING:
    from collections.abc import Callable

RAW = fixture("mul_final.zkey").read_bytes()


def reader(raw: bytes = RAW) -> ZkeyReader:
    return ZkeyReader(io.BytesIO(raw))


def with_h(change: Callable[[bytearray], bytes]) -> ZkeyReader:
    """The key with its H section's payload changed by ``change``."""
    payload = bytearray(b"".join(reader().chunks(H)))
    return reader(replace_section(RAW, H, change(payload)))


def test_blocks_hold_the_points_the_reader_reads() -> None:
    key = reader()
    size, n_vars = key.header.domain_size, key.header.n_vars
    (h,) = g1_blocks(BACKEND, key, H, size, "H")
    assert BACKEND.g1_batch_to_affine(h) == list(key.h())
    (b2,) = g2_blocks(BACKEND, key, B2, n_vars, "B2")
    assert BACKEND.g2_batch_to_affine(b2) == list(key.b2())


def unreduced(payload: bytearray) -> bytes:
    payload[5 * 32 : 6 * 32] = b"\xff" * 32  # point 2's y
    return bytes(payload)


def off_curve(payload: bytearray) -> bytes:
    payload[5 * 32] ^= 1
    return bytes(payload)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (unreduced, InvalidScalarError, f"^H: point 2: element 1 is {2**256 - 1}, not below"),
        (off_curve, CeremonyVerificationError, r"^H: point 2: G1 point .* not on the curve"),
        (lambda payload: bytes(payload[:-1]), FormatError, r"^H is not the 4 points of 64 bytes"),
        (lambda payload: bytes(payload + bytes(64)), FormatError, r"^H is not the 4 points"),
    ],
)
def test_each_damage_is_named(
    change: Callable[[bytearray], bytes], error: type[Exception], message: str
) -> None:
    key = with_h(change)
    with pytest.raises(error, match=message):
        list(g1_blocks(BACKEND, key, H, key.header.domain_size, "H"))
