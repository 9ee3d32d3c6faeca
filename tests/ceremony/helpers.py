"""Shared by the ceremony tests: the snarkjs fixtures, keys rebuilt from them, byte surgery."""

from __future__ import annotations

import io
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

from paraloom.ceremony.beacon import beacon_rng
from paraloom.ceremony.keypair import draw_secret
from paraloom.formats.container import ContainerReader
from paraloom.formats.zkey import CONTRIBUTIONS, MAGIC, Zkey, read_zkey, write_zkey
from paraloom.math.fields import fr_inv
from paraloom.math.python_backend import create_backend

DATA = Path(__file__).parents[1] / "formats" / "data"
PTAU = DATA / "pot4_final.ptau"
BACKEND = create_backend()
#: Bytes of a contribution record that its hash covers: three G1, one G2, the transcript.
PUBLIC_KEY_BYTES = 3 * 64 + 128 + 64


def fixture(name: str) -> Path:
    return DATA / name


def key_before_beacon(final: Zkey) -> Zkey:
    """The key snarkjs applied the closing beacon of ``final`` to, rebuilt from ``final``.

    The beacon's x is public (its parameters derive it), so undoing the step is scaling C and
    H back by x and delta by 1/x; the record list loses its last entry.
    """
    params = final.contributions[-1].params
    assert params.beacon_hash is not None
    assert params.num_iterations_exp is not None
    secret, _, _ = draw_secret(BACKEND, beacon_rng(params.beacon_hash, params.num_iterations_exp))
    backend = BACKEND

    def scaled(points: tuple[Any, ...]) -> tuple[Any, ...]:
        internal = backend.g1_batch_from_affine(list(points))
        return tuple(backend.g1_batch_to_affine(backend.g1_batch_mul(internal, secret)))

    delta_2 = backend.g2_mul(backend.g2_from_affine(final.header.delta_2), fr_inv(secret))
    header = replace(
        final.header,
        delta_1=final.contributions[-2].delta_after,
        delta_2=backend.g2_to_affine(delta_2),
    )
    return replace(
        final,
        header=header,
        c=scaled(final.c),
        h=scaled(final.h),
        contributions=final.contributions[:-1],
    )


def zkey_bytes(zkey: Zkey) -> bytes:
    stream = io.BytesIO()
    write_zkey(stream, zkey)
    return stream.getvalue()


def write_key(path: Path, zkey: Zkey) -> Path:
    path.write_bytes(zkey_bytes(zkey))
    return path


def load(path: Path) -> Zkey:
    return read_zkey(path)


def verified_positions(data: bytes) -> list[int]:
    """Offsets of every byte a verification covers: all payload bytes of sections 1-9, and of
    section 10 all but each record's type and parameters (names are not hashed by anyone)."""
    container = ContainerReader(io.BytesIO(data), magic=MAGIC, versions={1})
    positions: list[int] = []
    for section_id in range(1, CONTRIBUTIONS):
        section = container.section(section_id)
        positions.extend(range(section.offset, section.offset + section.size))
    section = container.section(CONTRIBUTIONS)
    cursor = section.offset
    positions.extend(range(cursor, cursor + 68))  # csHash and the record count
    (count,) = struct.unpack_from("<I", data, cursor + 64)
    cursor += 68
    for _ in range(count):
        positions.extend(range(cursor, cursor + PUBLIC_KEY_BYTES))
        cursor += PUBLIC_KEY_BYTES + 4
        (params_length,) = struct.unpack_from("<I", data, cursor)
        cursor += 4 + params_length
    return positions


def flip(data: bytes, position: int, mask: int) -> bytes:
    """``data`` with the byte at ``position`` XORed with a non-zero ``mask``."""
    changed = bytearray(data)
    changed[position] ^= mask
    return bytes(changed)
