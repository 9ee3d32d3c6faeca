"""Converting between codecs, and recognising which codec wrote some bytes.

What a file holds (a proof, a verifying key or public inputs) is not part of any codec's
bytes, so the caller names it; which codec wrote it can be found out, because the built-in
layouts never overlap (lengths, prefixes and curve checks tell them apart) and a decoder
that accepts bytes has checked everything in them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from paraloom.components import ProofCodec
from paraloom.errors import FormatError, ParaloomError

_V = TypeVar("_V")


@dataclass(frozen=True)
class ArtifactKind(Generic[_V]):
    """One kind of thing a codec encodes, with the codec methods that handle it."""

    name: str
    description: str
    decode: Callable[[ProofCodec, bytes], _V]
    encode: Callable[[ProofCodec, _V], bytes]

    def convert(self, data: bytes, source: ProofCodec, target: ProofCodec) -> bytes:
        return self.encode(target, self.decode(source, data))


PROOF: ArtifactKind[Any] = ArtifactKind(
    "proof",
    "proof",
    lambda codec, data: codec.decode_proof(data),
    lambda codec, value: codec.encode_proof(value),
)
VERIFICATION_KEY: ArtifactKind[Any] = ArtifactKind(
    "vk",
    "verifying key",
    lambda codec, data: codec.decode_verification_key(data),
    lambda codec, value: codec.encode_verification_key(value),
)
PUBLIC: ArtifactKind[Any] = ArtifactKind(
    "public",
    "list of public inputs",
    lambda codec, data: codec.decode_public(data),
    lambda codec, value: codec.encode_public(value),
)

#: By the names the command line uses.
ARTIFACT_KINDS: dict[str, ArtifactKind[Any]] = {
    kind.name: kind for kind in (PROOF, VERIFICATION_KEY, PUBLIC)
}


def detect(
    codecs: Mapping[str, ProofCodec], kind: ArtifactKind[_V], data: bytes, source: str
) -> tuple[str, _V]:
    """The name of the one codec that decodes ``data`` as ``kind``, and the decoded value.

    ``source`` names the data (a path) in error messages.

    :raises FormatError: no codec accepts the bytes (each one's reason is listed), or more
        than one does, in which case only the caller can say which was meant.
    """
    accepted: dict[str, _V] = {}
    refusals: list[str] = []
    for name, codec in codecs.items():
        try:
            accepted[name] = kind.decode(codec, data)
        except ParaloomError as error:
            refusals.append(f"{name}: {error}")
    if len(accepted) == 1:
        return next(iter(accepted.items()))
    if accepted:
        raise FormatError(
            f"{source}: reads as a {kind.description} in several codecs "
            f"({', '.join(sorted(accepted))}); name the source codec"
        )
    tried = "; ".join(refusals) or "no codecs are installed"
    raise FormatError(f"{source}: not a {kind.description} in any installed codec ({tried})")
