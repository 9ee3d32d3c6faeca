"""The job guests shipped with paraloom, and the byte layouts of their inputs and outputs.

The guests (programs/guests/*.wat, compiled into package data) let users, the demo and the
node run real jobs with no toolchain. Their inputs and outputs are raw bytes; the codecs live
here once so that the CLI, the demo and the node agree on them. Each guest's header comment is
the specification; these functions follow it.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources

from paraloom.errors import FormatError

#: The job programs a user can submit by name.
GUEST_NAMES: tuple[str, ...] = ("aggregate", "hash_chain", "inference", "reverse")

#: Number of features the inference guest's network takes.
FEATURE_COUNT = 8

_AGGREGATE_OUTPUT = struct.Struct("<Q4q")
_INFERENCE_OUTPUT = struct.Struct("<3i")


def guest_wasm(name: str) -> bytes:
    """The compiled module of a shipped guest."""
    if name not in GUEST_NAMES:
        raise FormatError(f"unknown guest program {name!r}; shipped: {', '.join(GUEST_NAMES)}")
    return resources.files("paraloom").joinpath(f"data/guests/{name}.wasm").read_bytes()


# -- aggregate ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Aggregate:
    """The aggregate guest's statistics; min, max and mean are None over no records."""

    count: int
    total: int
    minimum: int | None
    maximum: int | None
    mean_floor: int | None

    @property
    def mean(self) -> Fraction | None:
        """The exact mean, which the guest's floored one only approximates."""
        return None if self.count == 0 else Fraction(self.total, self.count)


def encode_records(records: Sequence[int]) -> bytes:
    """The aggregate guest's input: each record a little-endian i64."""
    return b"".join(_pack_int("q", value, f"record {index}") for index, value in enumerate(records))


def decode_aggregate(output: bytes) -> Aggregate:
    """Read the aggregate guest's 40-byte output."""
    count, total, minimum, maximum, mean_floor = _unpack(_AGGREGATE_OUTPUT, output, "aggregate")
    if count == 0:
        return Aggregate(0, total, None, None, None)
    return Aggregate(count, total, minimum, maximum, mean_floor)


# -- hash chain ---------------------------------------------------------------------------


def encode_hash_chain_input(iterations: int, seed: bytes) -> bytes:
    """The hash-chain guest's input: the iteration count as a little-endian u32, then the seed."""
    return _pack_int("I", iterations, "the iteration count") + seed


# -- inference ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Inference:
    """The inference guest's logits and the class they pick (the larger; 0 on a tie)."""

    logits: tuple[int, int]
    label: int


def encode_features(features: Sequence[int]) -> bytes:
    """The inference guest's input: exactly FEATURE_COUNT little-endian i32."""
    if len(features) != FEATURE_COUNT:
        raise FormatError(f"the network takes {FEATURE_COUNT} features, got {len(features)}")
    return b"".join(
        _pack_int("i", value, f"feature {index}") for index, value in enumerate(features)
    )


def decode_inference(output: bytes) -> Inference:
    """Read the inference guest's 12-byte output."""
    first, second, label = _unpack(_INFERENCE_OUTPUT, output, "inference")
    return Inference((first, second), label)


# -- helpers ------------------------------------------------------------------------------


def _pack_int(code: str, value: int, what: str) -> bytes:
    """One integer as a little-endian struct field, or an error that names it."""
    layout = struct.Struct(f"<{code}")
    try:
        return layout.pack(value)
    except struct.error:
        signedness = "signed" if code.islower() else "unsigned"
        raise FormatError(
            f"{what} is {value!r}, not a {8 * layout.size}-bit {signedness} integer"
        ) from None


def _unpack(layout: struct.Struct, output: bytes, guest: str) -> tuple[int, ...]:
    if len(output) != layout.size:
        raise FormatError(f"{guest} output must be {layout.size} bytes, got {len(output)}")
    return layout.unpack(output)
