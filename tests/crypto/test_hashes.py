"""The common hash interface: hash_elements for byte hashes, and every hash component's spec."""

from __future__ import annotations

import hashlib

import gmpy2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.components import HashFunction
from paraloom.config import Selection
from paraloom.crypto.hashes import hashlib_hash, require_elements
from paraloom.crypto.poseidon import poseidon_hash
from paraloom.errors import InvalidScalarError
from paraloom.math.fields import FR_MODULUS
from paraloom.registry import Registry
from paraloom.zk.builder import CircuitBuilder
from paraloom.zk.satisfiability import check_satisfied

elements = st.one_of(st.sampled_from([0, 1, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))


@pytest.mark.parametrize("algorithm", ["sha256", "blake2b"])
@given(values=st.lists(elements, max_size=5))
def test_byte_hashes_hash_elements_as_32_byte_words_mod_r(
    algorithm: str, values: list[int]
) -> None:
    words = b"".join(value.to_bytes(32, "big") for value in values)
    expected = int(hashlib.new(algorithm, words).hexdigest(), 16) % FR_MODULUS
    assert hashlib_hash(algorithm).hash_elements(values) == expected


def test_byte_hash_elements_of_nothing_is_the_empty_digest_reduced() -> None:
    empty = int.from_bytes(hashlib.sha256(b"").digest(), "big")
    assert hashlib_hash("sha256").hash_elements([]) == empty % FR_MODULUS


@pytest.mark.parametrize("bad", [FR_MODULUS, -1, True, 2.0, "3", None])
def test_byte_hashes_refuse_non_elements(bad: object) -> None:
    with pytest.raises(InvalidScalarError, match="hash input at index 1"):
        hashlib_hash("sha256").hash_elements([5, bad])  # type: ignore[list-item]


def test_require_elements_accepts_integer_likes_in_range() -> None:
    require_elements([0, gmpy2.mpz(FR_MODULUS - 1)], "value")
    with pytest.raises(InvalidScalarError, match="value at index 0 is 2188"):
        require_elements([gmpy2.mpz(FR_MODULUS)], "value")


@pytest.mark.parametrize(
    ("name", "field_native", "has_gadget"),
    [("poseidon", True, True), ("sha256", False, False), ("blake2b", False, False)],
)
def test_hash_specs_say_whether_they_are_field_native(
    registry: Registry, name: str, field_native: bool, has_gadget: bool
) -> None:
    spec = registry.get("hash", name).spec
    assert spec.field_native is field_native  # type: ignore[attr-defined]
    assert (spec.gadget is not None) is has_gadget  # type: ignore[attr-defined]
    assert isinstance(registry.build(Selection("hash", name), "test"), HashFunction)


@pytest.mark.parametrize("values", [[0], [1, 2], [FR_MODULUS - 1, 5, 7]])
def test_the_poseidon_components_gadget_agrees_with_its_native_hash(
    registry: Registry, values: list[int]
) -> None:
    spec = registry.get("hash", "poseidon").spec
    component = registry.build(Selection("hash", "poseidon"), "test")
    cs = CircuitBuilder({f"x{i}": value for i, value in enumerate(values)})
    inputs = [cs.private_input(f"x{i}") for i in range(len(values))]
    cs.public_output("out", spec.gadget(cs, inputs))  # type: ignore[attr-defined]
    assignment = cs.assignment()
    assert check_satisfied(assignment.shape.system, assignment.witness).ok
    assert assignment.public_signals == (component.hash_elements(values),)
    assert component.hash_elements(values) == poseidon_hash(values)
