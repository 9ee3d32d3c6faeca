"""snarkjs' JSON files: verification_key.json, proof.json and public.json.

snarkjs writes curve points as decimal strings in projective form normalised to z = 1
(``["x", "y", "1"]``; G2 coordinates as ``[c0, c1]`` pairs) and the point at infinity as
``["0", "1", "0"]``. Here points are affine integer tuples with ``None`` for infinity, as in
:mod:`paraloom.math.backend`. Parsing is strict (exact keys, canonical decimal strings,
reduced coordinates) so that a file that parses also re-serialises to snarkjs' exact bytes:
``json.dumps`` with one-space indentation and no trailing newline.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, TypeVar

from paraloom.errors import FormatError, InvalidPointError, InvalidScalarError
from paraloom.formats.fields import FQ, FR
from paraloom.formats.files import Target, open_destination, open_source, stream_name
from paraloom.zk.keys import Proof, VerificationKey

if TYPE_CHECKING:
    from collections.abc import Callable

    from paraloom.formats.fields import PrimeField
    from paraloom.math.backend import G1Affine, G2Affine
    from paraloom.math.fields import Fq2, Fq6, Fq12

PROTOCOL = "groth16"
CURVE = "bn128"
_CURVE_ALIASES = frozenset({"bn128", "bn254", "alt_bn128", "altbn128"})
_T = TypeVar("_T")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class _Parser:
    """Walks decoded JSON, raising errors that name the document and the JSON path."""

    def __init__(self, name: str) -> None:
        self.name = name

    def error(self, path: str, what: str) -> FormatError:
        return FormatError(f"{self.name}: {path}: {what}")

    def load(self, data: bytes | str) -> object:
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise FormatError(f"{self.name}: not valid JSON: {exc}") from None

    def mapping(
        self, value: object, path: str, keys: set[str], optional: set[str]
    ) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.error(path, f"expected an object, got {_kind(value)}")
        missing = keys - value.keys()
        unknown = value.keys() - keys - optional
        if missing:
            raise self.error(path, f"missing keys {sorted(missing)}")
        if unknown:
            raise self.error(path, f"unknown keys {sorted(unknown)}")
        return value

    def array(self, value: object, path: str, length: int | None = None) -> list[object]:
        if not isinstance(value, list):
            raise self.error(path, f"expected an array, got {_kind(value)}")
        if length is not None and len(value) != length:
            raise self.error(path, f"expected {length} entries, got {len(value)}")
        return value

    def element(self, value: object, path: str, field: PrimeField) -> int:
        if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
            raise self.error(path, f"expected a canonical decimal string, got {value!r:.80}")
        try:
            return field.check(int(value))
        except InvalidScalarError as exc:
            raise InvalidScalarError(f"{self.name}: {path}: {exc}") from None

    def constant(self, value: object, path: str, allowed: frozenset[str]) -> None:
        if not isinstance(value, str) or value.lower() not in allowed:
            raise self.error(path, f"expected one of {sorted(allowed)}, got {value!r:.80}")

    def fq2(self, value: object, path: str) -> Fq2:
        c0, c1 = self.array(value, path, 2)
        return self.element(c0, f"{path}[0]", FQ), self.element(c1, f"{path}[1]", FQ)

    def g1(self, value: object, path: str) -> G1Affine:
        coordinates = enumerate(self.array(value, path, 3))
        x, y, z = (self.element(v, f"{path}[{i}]", FQ) for i, v in coordinates)
        if (x, y, z) == (0, 1, 0):
            return None
        self._require_affine(path, z == 1, (x, y) == (0, 0))
        return x, y

    def g2(self, value: object, path: str) -> G2Affine:
        coordinates = enumerate(self.array(value, path, 3))
        x, y, z = (self.fq2(v, f"{path}[{i}]") for i, v in coordinates)
        if (x, y, z) == ((0, 0), (1, 0), (0, 0)):
            return None
        self._require_affine(path, z == (1, 0), (x, y) == ((0, 0), (0, 0)))
        return x, y

    def _require_affine(self, path: str, normalised: bool, all_zero: bool) -> None:
        """snarkjs' normalised projective form: z = 1, or exactly the infinity triple.

        All-zero (x, y) with z = 1 is refused: it is no curve point, and the binary formats
        store infinity as all-zero coordinates, so accepting it would alias the two.
        """
        if not normalised:
            raise self.error(path, "expected z = 1, or the point at infinity [0, 1, 0]")
        if all_zero:
            raise self.error(path, "all-zero coordinates with z = 1 are not a curve point")

    def fq12(self, value: object, path: str) -> Fq12:
        halves = enumerate(self.array(value, path, 2))
        c0, c1 = (self._fq6(half, f"{path}[{i}]") for i, half in halves)
        return c0, c1

    def _fq6(self, value: object, path: str) -> Fq6:
        a, b, c = (self.fq2(v, f"{path}[{i}]") for i, v in enumerate(self.array(value, path, 3)))
        return a, b, c

    def count(self, value: object, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(path, f"expected a non-negative integer, got {value!r:.80}")
        return value


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _g1_json(point: G1Affine) -> list[str]:
    if point is None:
        return ["0", "1", "0"]
    return [*map(str, _checked_g1(point)), "1"]


def _fq2_json(value: Fq2) -> list[str]:
    return [str(FQ.check(value[0])), str(FQ.check(value[1]))]


def _g2_json(point: G2Affine) -> list[list[str]]:
    if point is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    if point == ((0, 0), (0, 0)):
        raise InvalidPointError("((0, 0), (0, 0)) is not a curve point; infinity is None")
    return [_fq2_json(point[0]), _fq2_json(point[1]), ["1", "0"]]


def _dumps(document: object) -> str:
    """snarkjs' layout: ``JSON.stringify(value, null, 1)``."""
    return json.dumps(document, indent=1)


# -- proof.json ---------------------------------------------------------------------------


def loads_proof(data: bytes | str, *, name: str = "proof.json") -> Proof:
    parser = _Parser(name)
    document = parser.mapping(
        parser.load(data), "$", {"pi_a", "pi_b", "pi_c", "protocol", "curve"}, set()
    )
    parser.constant(document["protocol"], "$.protocol", frozenset({PROTOCOL}))
    parser.constant(document["curve"], "$.curve", _CURVE_ALIASES)
    return Proof(
        parser.g1(document["pi_a"], "$.pi_a"),
        parser.g2(document["pi_b"], "$.pi_b"),
        parser.g1(document["pi_c"], "$.pi_c"),
    )


def dumps_proof(proof: Proof) -> str:
    return _dumps(
        {
            "pi_a": _g1_json(proof.a),
            "pi_b": _g2_json(proof.b),
            "pi_c": _g1_json(proof.c),
            "protocol": PROTOCOL,
            "curve": CURVE,
        }
    )


# -- public.json --------------------------------------------------------------------------


def loads_public(data: bytes | str, *, name: str = "public.json") -> tuple[int, ...]:
    """Public signals, outputs first then public inputs; each must be below r."""
    parser = _Parser(name)
    signals = parser.array(parser.load(data), "$")
    return tuple(parser.element(v, f"$[{i}]", FR) for i, v in enumerate(signals))


def dumps_public(signals: tuple[int, ...] | list[int]) -> str:
    return _dumps([str(FR.check(value)) for value in signals])


# -- verification_key.json ----------------------------------------------------------------

_VK_KEYS = {
    "protocol",
    "curve",
    "nPublic",
    "vk_alpha_1",
    "vk_beta_2",
    "vk_gamma_2",
    "vk_delta_2",
    "IC",
}


def loads_verification_key(
    data: bytes | str, *, name: str = "verification_key.json"
) -> VerificationKey:
    parser = _Parser(name)
    document = parser.mapping(parser.load(data), "$", _VK_KEYS, {"vk_alphabeta_12"})
    parser.constant(document["protocol"], "$.protocol", frozenset({PROTOCOL}))
    parser.constant(document["curve"], "$.curve", _CURVE_ALIASES)
    n_public = parser.count(document["nPublic"], "$.nPublic")
    ic = parser.array(document["IC"], "$.IC", n_public + 1)
    alphabeta = document.get("vk_alphabeta_12")
    return VerificationKey(
        alpha_1=parser.g1(document["vk_alpha_1"], "$.vk_alpha_1"),
        beta_2=parser.g2(document["vk_beta_2"], "$.vk_beta_2"),
        gamma_2=parser.g2(document["vk_gamma_2"], "$.vk_gamma_2"),
        delta_2=parser.g2(document["vk_delta_2"], "$.vk_delta_2"),
        ic=tuple(parser.g1(point, f"$.IC[{i}]") for i, point in enumerate(ic)),
        alphabeta_12=None if alphabeta is None else parser.fq12(alphabeta, "$.vk_alphabeta_12"),
    )


def dumps_verification_key(key: VerificationKey) -> str:
    document: dict[str, object] = {
        "protocol": PROTOCOL,
        "curve": CURVE,
        "nPublic": key.n_public,
        "vk_alpha_1": _g1_json(key.alpha_1),
        "vk_beta_2": _g2_json(key.beta_2),
        "vk_gamma_2": _g2_json(key.gamma_2),
        "vk_delta_2": _g2_json(key.delta_2),
    }
    if key.alphabeta_12 is not None:
        document["vk_alphabeta_12"] = [[_fq2_json(c) for c in half] for half in key.alphabeta_12]
    document["IC"] = [_g1_json(point) for point in key.ic]
    return _dumps(document)


def _checked_g1(point: tuple[int, int]) -> tuple[int, int]:
    """Refuse unreduced coordinates, and (0, 0), which would read back as infinity."""
    if point == (0, 0):
        raise InvalidPointError("(0, 0) is not a curve point; infinity is None")
    return FQ.check(point[0]), FQ.check(point[1])


# -- files --------------------------------------------------------------------------------


def _read_text(source: Target, loads: Callable[..., _T]) -> _T:
    with open_source(source) as stream:
        return loads(stream.read(), name=stream_name(stream))


def _write_text(destination: Target, text: str) -> None:
    with open_destination(destination) as stream:
        stream.write(text.encode())


def read_proof(source: Target) -> Proof:
    return _read_text(source, loads_proof)


def write_proof(destination: Target, proof: Proof) -> None:
    _write_text(destination, dumps_proof(proof))


def read_public(source: Target) -> tuple[int, ...]:
    return _read_text(source, loads_public)


def write_public(destination: Target, signals: tuple[int, ...] | list[int]) -> None:
    _write_text(destination, dumps_public(signals))


def read_verification_key(source: Target) -> VerificationKey:
    return _read_text(source, loads_verification_key)


def write_verification_key(destination: Target, key: VerificationKey) -> None:
    _write_text(destination, dumps_verification_key(key))
