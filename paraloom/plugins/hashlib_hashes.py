"""The standard library's SHA-256 and BLAKE2b-512 as hash components."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from paraloom.components import HashFunction, HashFunctionSpec
from paraloom.crypto.hashes import HASHLIB_DIGEST_SIZES, hashlib_hash
from paraloom.hookspecs import hookimpl

SUMMARIES = {
    "sha256": "SHA-256 (hashlib): node ids, proofs of execution",
    "blake2b": "BLAKE2b-512 (hashlib): ceremony transcripts",
}


def _factory(algorithm: str) -> Any:
    def create(options: Mapping[str, Any]) -> HashFunction:
        return hashlib_hash(algorithm)

    return create


@hookimpl
def paraloom_hash_functions() -> Iterator[HashFunctionSpec]:
    for algorithm, digest_size in HASHLIB_DIGEST_SIZES.items():
        yield HashFunctionSpec(
            name=algorithm,
            summary=SUMMARIES[algorithm],
            factory=_factory(algorithm),
            digest_size=digest_size,
        )
