"""Strategies, codecs and oracles shared by the codec tests.

A plain module beside the tests: ``tests/codecs`` is not a package, since it would shadow the
standard library's ``codecs``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from paraloom.codecs.compact import CompactCodec
from paraloom.codecs.conversion import ARTIFACT_KINDS, ArtifactKind
from paraloom.codecs.snarkjs import SnarkjsJsonCodec
from paraloom.codecs.solana import SolanaCodec
from paraloom.components import ProofCodec
from paraloom.errors import ParaloomError
from paraloom.math.curve import G2_B
from paraloom.math.fields import FQ_MODULUS, FR_MODULUS, fq2, fq2_add, fq2_mul, fq2_sqr, fq2_sqrt
from paraloom.math.python_backend import PythonBackend
from paraloom.zk.keys import Proof, VerificationKey

DATA = Path(__file__).parent / "data"
FORMAT_DATA = Path(__file__).parent.parent / "formats" / "data"
BACKEND = PythonBackend()

CODECS: dict[str, ProofCodec] = {
    "snarkjs-json": SnarkjsJsonCodec(),
    "compact": CompactCodec(),
    "solana": SolanaCodec(),
}
BINARY_CODECS = {name: codec for name, codec in CODECS.items() if name != "snarkjs-json"}

scalars = st.one_of(st.sampled_from([0, 1, 2, FR_MODULUS - 1]), st.integers(0, FR_MODULUS - 1))


def g1_multiple(k: int) -> Any:
    return BACKEND.g1_to_affine(BACKEND.g1_mul(BACKEND.g1_generator(), k % FR_MODULUS))


def g2_multiple(k: int) -> Any:
    return BACKEND.g2_to_affine(BACKEND.g2_mul(BACKEND.g2_generator(), k % FR_MODULUS))


g1_points = scalars.map(g1_multiple)
g2_points = scalars.map(g2_multiple)
proofs = st.builds(Proof, g1_points, g2_points, g1_points)
verification_keys = st.builds(
    VerificationKey,
    g1_points,
    g2_points,
    g2_points,
    g2_points,
    st.lists(g1_points, min_size=1, max_size=3).map(tuple),
)
publics = st.lists(scalars, max_size=5).map(tuple)

#: A valid value of each kind, by the command line's kind names.
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "proof": proofs,
    "vk": verification_keys,
    "public": publics,
}


def kind(name: str) -> ArtifactKind[Any]:
    return ARTIFACT_KINDS[name]


def without_alphabeta(key: VerificationKey) -> VerificationKey:
    """What the binary layouts keep of a key: e(alpha, beta) is derived, not stored."""
    return dataclasses.replace(key, alphabeta_12=None)


def twist_point_outside_subgroup() -> tuple[tuple[int, int], tuple[int, int]]:
    """A point on the G2 twist whose order is not r (the first x = (n, 1) that has a y)."""
    for n in range(1, 100):
        x = fq2(n, 1)
        y = fq2_sqrt(fq2_add(fq2_mul(fq2_sqr(x), x), fq2(*G2_B)))
        if y is not None:
            point = ((n, 1), (int(y[0]), int(y[1])))
            if not BACKEND.g2_is_in_subgroup(point):
                return point
    raise AssertionError("no twist point outside the subgroup among the first candidates")


OFF_CURVE_G1 = (1, 3)
TOO_LARGE_COORDINATE = FQ_MODULUS


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with one byte replaced by a different value, or cut short."""
    if draw(st.booleans()):
        return data[: draw(st.integers(0, len(data) - 1))]
    position = draw(st.integers(0, len(data) - 1))
    value = draw(st.integers(0, 255).filter(lambda byte: byte != data[position]))
    return data[:position] + bytes([value]) + data[position + 1 :]


def assert_damage_detected(
    codec: ProofCodec, artifact: ArtifactKind[Any], damaged_data: bytes, original: Any
) -> None:
    """Damaged bytes are refused with a paraloom error, or read as exactly what they say.

    "Exactly what they say": a different valid value whose encoding is the damaged bytes, so
    nothing was ignored or repaired; for JSON also the same document up to whitespace and the
    case of the constants, which carry no value.
    """
    try:
        value = artifact.decode(codec, damaged_data)
    except ParaloomError:
        return
    if isinstance(codec, SnarkjsJsonCodec) and same_json(
        damaged_data, artifact.encode(codec, original)
    ):
        assert value == original
        return
    assert value != original, "damaged bytes decoded to the original value"
    assert artifact.encode(codec, value) == damaged_data


def same_json(left: bytes, right: bytes) -> bool:
    """Equal JSON documents, comparing the protocol and curve names case-insensitively."""
    return _normalised(json.loads(left)) == _normalised(json.loads(right))


def _normalised(document: Any) -> Any:
    if isinstance(document, dict):
        return {
            key: value.lower() if key in ("protocol", "curve") else value
            for key, value in document.items()
        }
    return document
