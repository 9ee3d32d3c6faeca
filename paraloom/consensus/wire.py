"""Field types shared by the consensus wire messages, and building a message with its checks.

msgspec validates declared bounds when it decodes, not when a struct is constructed in
Python; :func:`checked` runs the same validation for values built locally, so a malformed
vote or request is refused where it is made rather than by every peer that receives it.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

import msgspec

from paraloom.crypto.identity import NODE_ID_SIZE, PUBLIC_KEY_SIZE, SIGNATURE_SIZE
from paraloom.errors import ParaloomError

#: Bytes of a withdrawal request id (the SHA-256 of the request).
REQUEST_ID_SIZE = 32
#: Integers stay within msgspec's int64 bounds; lamports and slots fit with room to spare.
MAX_INT = 2**63 - 1

StructT = TypeVar("StructT", bound=msgspec.Struct)

RequestId = Annotated[bytes, msgspec.Meta(min_length=REQUEST_ID_SIZE, max_length=REQUEST_ID_SIZE)]
NodeId = Annotated[bytes, msgspec.Meta(min_length=NODE_ID_SIZE, max_length=NODE_ID_SIZE)]
PublicKey = Annotated[bytes, msgspec.Meta(min_length=PUBLIC_KEY_SIZE, max_length=PUBLIC_KEY_SIZE)]
Signature = Annotated[bytes, msgspec.Meta(min_length=SIGNATURE_SIZE, max_length=SIGNATURE_SIZE)]
Bytes32 = Annotated[bytes, msgspec.Meta(min_length=32, max_length=32)]
NonNegative = Annotated[int, msgspec.Meta(ge=0, le=MAX_INT)]


def checked(kind: type[StructT], error: type[ParaloomError], **fields: object) -> StructT:
    """``kind(**fields)`` after msgspec's validation; a violation raises ``error`` naming it."""
    try:
        return msgspec.convert(fields, kind)
    except msgspec.ValidationError as violation:
        raise error(f"malformed {kind.__name__}: {violation}") from None
