"""Pedersen commitments: the generator derivation, homomorphism, binding, bytes and refusals."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from py_ecc import bn128

from paraloom.crypto.pedersen import (
    COMMITMENT_SIZE,
    H_TAG,
    VECTOR_TAG,
    Commitment,
    Opening,
    Pedersen,
    blinding_generator,
    value_of_bytes,
    vector_generators,
)
from paraloom.errors import FormatError, InvalidPointError, InvalidScalarError, LengthMismatchError
from paraloom.math.fields import FQ_MODULUS, FR_MODULUS
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.python_backend import PythonBackend

scalars = st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))
openings = st.builds(Opening, scalars, scalars)

PEDERSEN = Pedersen()


def spec_hash_to_g1(tag: bytes) -> tuple[int, int]:
    """The documented try-and-increment, written out independently of paraloom's field code."""
    counter = 0
    while True:
        digest = hashlib.sha256(tag + counter.to_bytes(4, "big")).digest()
        x = int.from_bytes(digest, "big") % FQ_MODULUS
        rhs = (pow(x, 3, FQ_MODULUS) + 3) % FQ_MODULUS
        y = pow(rhs, (FQ_MODULUS + 1) // 4, FQ_MODULUS)
        if y * y % FQ_MODULUS == rhs:
            return x, min(y, FQ_MODULUS - y)
        counter += 1


def test_h_follows_the_documented_derivation() -> None:
    h = blinding_generator()
    assert h == spec_hash_to_g1(H_TAG)
    assert bn128.is_on_curve((bn128.FQ(h[0]), bn128.FQ(h[1])), bn128.b)
    assert h[1] <= (FQ_MODULUS - 1) // 2


def test_h_is_no_small_multiple_of_g() -> None:
    backend = PythonBackend()
    g, h = backend.g1_generator(), backend.g1_from_affine(blinding_generator())
    multiple = backend.g1_identity()
    for k in range(1, 1 << 12):
        multiple = backend.g1_add(multiple, g)
        assert not backend.g1_eq(multiple, h), k
        assert not backend.g1_eq(backend.g1_neg(multiple), h), -k


def test_vector_generators_are_g_then_derived_points() -> None:
    generators = vector_generators(4)
    assert generators[0] == (1, 2)
    for index in (1, 2, 3):
        assert generators[index] == spec_hash_to_g1(VECTOR_TAG + index.to_bytes(4, "big"))
    assert len({*generators, blinding_generator()}) == 5
    assert vector_generators(0) == []


@settings(max_examples=30)
@given(openings, openings)
def test_commitments_add_and_subtract_like_their_openings(a: Opening, b: Opening) -> None:
    ca, cb = PEDERSEN.commit_opening(a), PEDERSEN.commit_opening(b)
    assert PEDERSEN.add(ca, cb) == PEDERSEN.commit_opening(a + b)
    assert PEDERSEN.sub(ca, cb) == PEDERSEN.commit_opening(a - b)
    assert PEDERSEN.verify_opening(PEDERSEN.add(ca, cb), a + b)


@settings(max_examples=30)
@given(openings, openings)
def test_a_commitment_opens_only_to_its_own_opening(a: Opening, b: Opening) -> None:
    assume(a != b)
    commitment = PEDERSEN.commit_opening(a)
    assert PEDERSEN.verify_opening(commitment, a)
    assert not PEDERSEN.verify_opening(commitment, b)


@settings(max_examples=10)
@given(openings)
def test_the_python_backend_agrees_with_py_ecc(opening: Opening) -> None:
    assert Pedersen(PyEccBackend()).commit_opening(opening) == PEDERSEN.commit_opening(opening)


def test_commit_is_v_g_plus_b_h_by_py_ecc_arithmetic() -> None:
    value, blinding = 123456789, FR_MODULUS - 5
    h = tuple(bn128.FQ(c) for c in blinding_generator())
    expected = bn128.add(bn128.multiply(bn128.G1, value), bn128.multiply(h, blinding))
    assert PEDERSEN.commit(value, blinding).point == tuple(int(c) for c in expected)


def test_commit_random_opens_and_hides() -> None:
    first, opening = PEDERSEN.commit_random(42)
    second, _ = PEDERSEN.commit_random(42)
    assert opening.value == 42
    assert PEDERSEN.verify_opening(first, opening)
    assert first != second


def test_the_zero_commitment_is_infinity() -> None:
    zero = PEDERSEN.commit(0, 0)
    assert zero.point is None
    assert zero.to_bytes() == bytes(COMMITMENT_SIZE)
    assert Commitment.from_bytes(zero.to_bytes()) == zero


@settings(max_examples=30)
@given(openings)
def test_commitment_bytes_round_trip(opening: Opening) -> None:
    commitment = PEDERSEN.commit_opening(opening)
    data = commitment.to_bytes()
    assert len(data) == COMMITMENT_SIZE
    assert Commitment.from_bytes(data) == commitment


@pytest.mark.parametrize("length", [0, 63, 65, 128])
def test_commitment_bytes_of_the_wrong_length_are_refused(length: int) -> None:
    data = (PEDERSEN.commit(1, 2).to_bytes() * 2)[:length]
    with pytest.raises(FormatError, match="pedersen commitment"):
        Commitment.from_bytes(data)


def test_commitment_bytes_off_the_curve_are_refused() -> None:
    with pytest.raises(InvalidPointError, match="pedersen commitment"):
        Commitment.from_bytes((1).to_bytes(32, "big") + (3).to_bytes(32, "big"))


def test_commitment_coordinates_above_q_are_refused() -> None:
    x, y = PEDERSEN.commit(1, 2).point or (0, 0)
    data = (x + FQ_MODULUS).to_bytes(32, "big") + y.to_bytes(32, "big")
    with pytest.raises(InvalidScalarError, match="below the base field modulus"):
        Commitment.from_bytes(data)


def test_verifying_an_off_curve_commitment_is_refused() -> None:
    with pytest.raises(InvalidPointError, match="pedersen commitment"):
        PEDERSEN.verify_opening(Commitment((1, 3)), Opening(0, 0))
    with pytest.raises(InvalidPointError, match="second commitment"):
        PEDERSEN.add(PEDERSEN.commit(1, 1), Commitment((1, 3)))


@pytest.mark.parametrize("bad", [FR_MODULUS, FR_MODULUS + 1, -1, True, 1.0, "1", None])
def test_scalars_outside_fr_are_refused(bad: object) -> None:
    with pytest.raises(InvalidScalarError, match="committed value"):
        PEDERSEN.commit(bad, 0)  # type: ignore[arg-type]
    with pytest.raises(InvalidScalarError, match="blinding"):
        PEDERSEN.commit(0, bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidScalarError, match="committed value 1"):
        PEDERSEN.commit_vector([0, bad], 0)  # type: ignore[list-item]


@settings(max_examples=15)
@given(st.lists(st.tuples(scalars, scalars), min_size=1, max_size=4), scalars)
def test_vector_commitments_bind_every_value(pairs: list[tuple[int, int]], blinding: int) -> None:
    values = [value for value, _ in pairs]
    other = [value for _, value in pairs]  # the same length: binding is per agreed length
    commitment = PEDERSEN.commit_vector(values, blinding)
    assert PEDERSEN.verify_vector_opening(commitment, values, blinding)
    assume(other != values)
    assert not PEDERSEN.verify_vector_opening(commitment, other, blinding)


def test_vector_commitments_do_not_record_their_length() -> None:
    """Documented limit: trailing zeros do not change the commitment."""
    commitment = PEDERSEN.commit_vector([5, 0], 7)
    assert PEDERSEN.verify_vector_opening(commitment, [5], 7)


def test_a_one_element_vector_commitment_is_the_scalar_commitment() -> None:
    assert PEDERSEN.commit_vector([7], 11) == PEDERSEN.commit(7, 11)


def test_an_empty_vector_is_refused() -> None:
    with pytest.raises(LengthMismatchError, match="at least one value"):
        PEDERSEN.commit_vector([], 1)


def test_bytes_are_committed_through_sha256_mod_r() -> None:
    data = b"job input"
    assert value_of_bytes(data) == int(hashlib.sha256(data).hexdigest(), 16) % FR_MODULUS
    assert value_of_bytes(data) != value_of_bytes(data + b"!")
