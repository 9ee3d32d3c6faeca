"""circomlib-compatible Poseidon as the hash component, with its R1CS gadget."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from paraloom.components import HashFunction, HashFunctionSpec
from paraloom.crypto.poseidon import DIGEST_SIZE, PoseidonHash
from paraloom.gadgets.poseidon import poseidon_gadget
from paraloom.hookspecs import hookimpl


def _create(options: Mapping[str, Any]) -> HashFunction:
    return PoseidonHash()


@hookimpl
def paraloom_hash_functions() -> Iterator[HashFunctionSpec]:
    yield HashFunctionSpec(
        name="poseidon",
        summary="Poseidon (circomlib parameters, BN254 Fr): commitments, Merkle trees, circuits",
        factory=_create,
        digest_size=DIGEST_SIZE,
        field_native=True,
        gadget=poseidon_gadget,
    )
