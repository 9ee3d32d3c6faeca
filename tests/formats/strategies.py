"""Hypothesis strategies and a corruption oracle shared by the format tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import strategies as st

from paraloom.errors import FormatError, InvalidScalarError
from paraloom.formats.fields import FQ, FR, PrimeField
from paraloom.formats.r1cs import Constraint, R1cs, R1csHeader
from paraloom.formats.wtns import Witness

if TYPE_CHECKING:
    from collections.abc import Callable

#: What a reader may raise for bad bytes; anything else escaping is a bug.
FORMAT_ERRORS = (FormatError, InvalidScalarError)

U32 = st.integers(0, 2**32 - 1)
U64 = st.integers(0, 2**64 - 1)


@st.composite
def prime_fields(draw: st.DrawFn) -> PrimeField:
    """BN254's fields mostly, sometimes an arbitrary modulus of another width."""
    n8 = draw(st.sampled_from([8, 16, 32]))
    odd_moduli = st.integers(1, 2 ** (8 * n8 - 1) - 1).map(lambda half: 2 * half + 1)
    other = st.builds(PrimeField, odd_moduli, st.just(n8))
    return draw(st.one_of(st.just(FR), st.just(FQ), other))


def elements(field: PrimeField) -> st.SearchStrategy[int]:
    edges = st.sampled_from([0, 1, field.modulus - 1])
    return st.one_of(edges, st.integers(0, field.modulus - 1))


@st.composite
def r1cs_files(draw: st.DrawFn) -> R1cs:
    field = draw(prime_fields())
    n_wires = draw(st.integers(1, 8))
    n_pub_out = draw(st.integers(0, n_wires - 1))
    n_pub_in = draw(st.integers(0, n_wires - 1 - n_pub_out))
    n_prv_in = draw(st.integers(0, n_wires - 1 - n_pub_out - n_pub_in))
    lcs = st.dictionaries(st.integers(0, n_wires - 1), elements(field), max_size=4)
    constraints = draw(st.lists(st.builds(Constraint, lcs, lcs, lcs), max_size=5))
    header = R1csHeader(
        field,
        n_wires=n_wires,
        n_pub_out=n_pub_out,
        n_pub_in=n_pub_in,
        n_prv_in=n_prv_in,
        n_labels=draw(U64),
        n_constraints=len(constraints),
    )
    labels = draw(st.lists(U64, min_size=n_wires, max_size=n_wires))
    return R1cs(header, tuple(constraints), tuple(labels))


@st.composite
def witnesses(draw: st.DrawFn) -> Witness:
    field = draw(prime_fields())
    return Witness(field, tuple(draw(st.lists(elements(field), max_size=10))))


@st.composite
def corruptions(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with one byte changed, a prefix cut off, or bytes appended."""
    kind = draw(st.sampled_from(["flip", "truncate", "append"]))
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    if kind == "append":
        return data + draw(st.binary(min_size=1, max_size=16))
    position = draw(st.integers(0, len(data) - 1))
    mask = draw(st.integers(1, 255))
    return data[:position] + bytes([data[position] ^ mask]) + data[position + 1 :]


def assert_strict(data: bytes, original: bytes, decode_encode: Callable[[bytes], bytes]) -> None:
    """A corrupted file is either refused with a format error or re-encodes to itself.

    Re-encoding to the same bytes means the reader did not silently repair, drop or reorder
    anything: the value it returned is exactly what the bytes say. A truncated or extended file
    must always be refused.
    """
    try:
        reencoded = decode_encode(data)
    except FORMAT_ERRORS:
        return
    assert len(data) == len(original), "a truncated or extended file was accepted"
    assert reencoded == data
