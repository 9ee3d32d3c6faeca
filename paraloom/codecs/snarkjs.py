"""``snarkjs-json``: proof.json, verification_key.json and public.json as snarkjs writes them.

The layout is :mod:`paraloom.formats.snarkjs_json`'s (decimal strings, projective points
normalised to z = 1, G2 coordinates as [c0, c1], infinity as [0, 1, 0], ``JSON.stringify``
with one-space indentation, no trailing newline), encoded as UTF-8. Encoding gives snarkjs'
exact bytes. Decoding takes any JSON document with snarkjs' keys and values (whitespace, key
order and the curve alias are free), since rapidsnark and other provers format theirs
differently, and then checks the points as every codec does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from paraloom.codecs.validation import require_proof, require_public, require_verification_key
from paraloom.errors import FormatError
from paraloom.formats import snarkjs_json
from paraloom.zk.keys import Proof, VerificationKey

FORMAT_ID = "snarkjs-groth16-json"

#: How errors name each document.
PROOF_NAME = "snarkjs proof.json"
KEY_NAME = "snarkjs verification_key.json"
PUBLIC_NAME = "snarkjs public.json"

_T = TypeVar("_T")


def _load(data: bytes, name: str, loads: Callable[..., _T]) -> _T:
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError(f"{name}: not UTF-8 text: {error.reason} at byte {error.start}") from None
    return loads(text, name=name)


class SnarkjsJsonCodec:
    """The files snarkjs, circom tooling and most JavaScript verifiers exchange."""

    format_id = FORMAT_ID

    def encode_proof(self, proof: Proof) -> bytes:
        return snarkjs_json.dumps_proof(require_proof(proof)).encode()

    def decode_proof(self, data: bytes) -> Proof:
        return require_proof(_load(data, PROOF_NAME, snarkjs_json.loads_proof), PROOF_NAME)

    def encode_verification_key(self, key: VerificationKey) -> bytes:
        return snarkjs_json.dumps_verification_key(require_verification_key(key)).encode()

    def decode_verification_key(self, data: bytes) -> VerificationKey:
        key = _load(data, KEY_NAME, snarkjs_json.loads_verification_key)
        return require_verification_key(key, KEY_NAME)

    def encode_public(self, values: Sequence[int]) -> bytes:
        return snarkjs_json.dumps_public(list(require_public(values))).encode()

    def decode_public(self, data: bytes) -> tuple[int, ...]:
        return _load(data, PUBLIC_NAME, snarkjs_json.loads_public)
