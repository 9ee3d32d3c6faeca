from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import FormatError, InvalidScalarError
from paraloom.formats.fields import FQ, FR, PrimeField

from .strategies import elements, prime_fields


@given(st.data())
def test_standard_and_montgomery_encodings_round_trip(data: st.DataObject) -> None:
    field = data.draw(prime_fields())
    value = data.draw(elements(field))
    for montgomery in (False, True):
        encoded = field.encode(value, montgomery=montgomery)
        assert len(encoded) == field.n8
        assert field.decode(encoded, montgomery=montgomery) == value


def test_montgomery_radix_is_two_to_the_256_mod_the_modulus() -> None:
    for field in (FQ, FR):
        assert field.montgomery_r == 2**256 % field.modulus
        assert field.encode(1, montgomery=True) == field.montgomery_r.to_bytes(32, "little")


def test_coefficient_r_squared_encoding_is_montgomery_applied_twice() -> None:
    """zkey section 4 stores v·R² mod r; two Montgomery conversions produce exactly that."""
    value = 123456789
    assert FR.to_montgomery(FR.to_montgomery(value)) == value * pow(2, 512, FR.modulus) % FR.modulus


@pytest.mark.parametrize("field", [FQ, FR])
@pytest.mark.parametrize("montgomery", [False, True])
def test_values_at_or_above_the_modulus_are_refused(field: PrimeField, montgomery: bool) -> None:
    with pytest.raises(InvalidScalarError):
        field.encode(field.modulus, montgomery=montgomery)
    with pytest.raises(InvalidScalarError):
        field.encode(-1, montgomery=montgomery)
    with pytest.raises(InvalidScalarError):
        field.decode(field.modulus.to_bytes(32, "little"), montgomery=montgomery)
    with pytest.raises(InvalidScalarError):
        field.decode(b"\xff" * 32, montgomery=montgomery)


def test_modulus_must_fit_the_declared_width() -> None:
    with pytest.raises(FormatError, match="does not fit"):
        PrimeField(2**64 + 13, 8)
    with pytest.raises(FormatError, match="does not fit"):
        PrimeField(1, 8)
    with pytest.raises(FormatError, match="even"):
        PrimeField(2**61, 8)
