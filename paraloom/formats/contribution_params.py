"""The parameter list snarkjs appends to every ceremony contribution (.zkey and .ptau alike).

``u32 length`` then type-length-value entries in ascending type order: 1 = name (u8 length,
UTF-8), 2 = beacon iteration exponent (u8), 3 = beacon hash (u8 length, bytes). The beacon
entries let anyone recompute a beacon contribution. Entries out of order or repeated are
refused, because the writer could not reproduce such bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from paraloom.errors import FormatError

if TYPE_CHECKING:
    from paraloom.formats.container import SectionReader, SectionWriter

_NAME, _ITERATIONS, _BEACON_HASH = 1, 2, 3


@dataclass(frozen=True)
class ContributionParams:
    name: str | None = None
    num_iterations_exp: int | None = None
    beacon_hash: bytes | None = None


def read_params(section: SectionReader) -> ContributionParams:
    length = section.u32()
    if length > section.remaining:
        raise section.error(f"contribution parameters declare {length} bytes past the end")
    end = section.remaining - length
    params = ContributionParams()
    last_kind = 0
    while section.remaining > end:
        kind = section.read(1)[0]
        if not last_kind < kind <= _BEACON_HASH:
            raise section.error(f"contribution parameter type {kind} unknown or out of order")
        last_kind = kind
        if kind == _NAME:
            params = replace(params, name=_decode_name(section, _read_short(section)))
        elif kind == _ITERATIONS:
            params = replace(params, num_iterations_exp=section.read(1)[0])
        else:
            params = replace(params, beacon_hash=_read_short(section))
    if section.remaining != end:
        raise section.error("contribution parameters overrun their declared length")
    return params


def write_params(section: SectionWriter, params: ContributionParams) -> None:
    encoded = b""
    if params.name is not None:
        encoded += bytes([_NAME]) + _short(params.name.encode())
    if params.num_iterations_exp is not None:
        encoded += bytes([_ITERATIONS, params.num_iterations_exp])
    if params.beacon_hash is not None:
        encoded += bytes([_BEACON_HASH]) + _short(params.beacon_hash)
    section.u32(len(encoded))
    section.write(encoded)


def _read_short(section: SectionReader) -> bytes:
    return section.read(section.read(1)[0])


def _short(data: bytes) -> bytes:
    if len(data) > 255:
        raise FormatError(f"contribution parameter of {len(data)} bytes exceeds 255")
    return bytes([len(data)]) + data


def _decode_name(section: SectionReader, raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise section.error("contribution name is not UTF-8") from None
