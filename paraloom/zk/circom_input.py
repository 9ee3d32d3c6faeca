"""circom input JSON: signal names to integers, as `snarkjs wtns calculate` reads them.

Values are JSON integers, decimal strings (with an optional sign) or ``0x`` hex strings, or
arrays of them nested to any depth, flattened row-major (depth first), exactly as snarkjs'
``flatArray``. Reduction modulo the circuit's prime happens in the witness host, so negative
values are taken mod p as snarkjs does.

Where snarkjs would silently compute something other than what was written, paraloom refuses
instead: JSON numbers beyond 2^53 - 1 (JavaScript rounds them to the nearest double),
fractions, booleans, null, empty strings and objects (circom buses, which snarkjs cannot
set either). Every error names the key and the index inside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from paraloom.errors import FormatError, ParaloomError

#: Largest integer a JavaScript number holds exactly (Number.MAX_SAFE_INTEGER).
MAX_SAFE_JSON_INTEGER = 2**53 - 1

_DECIMAL = re.compile(r"[+-]?[0-9]+")
_HEX = re.compile(r"0[xX][0-9a-fA-F]+")

#: Flattened inputs: each signal name with its values in row-major order, unreduced.
CircomInputs = dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class JsonNumber:
    """A number literal as written in JSON, kept as text until its key is known."""

    text: str


def read_circom_input(path: str | Path) -> CircomInputs:
    """Read and flatten an input file (UTF-8 JSON object)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ParaloomError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise FormatError(f"{path}: input JSON is not UTF-8: {error.reason}") from error
    return loads_circom_input(text, name=str(path))


def loads_circom_input(text: str, *, name: str = "input JSON") -> CircomInputs:
    """Parse input JSON text; numbers keep JSON's (JavaScript's) precision rules."""
    try:
        document = json.loads(
            text,
            parse_int=JsonNumber,
            parse_float=JsonNumber,
            parse_constant=JsonNumber,
            object_pairs_hook=_refuse_duplicate_keys,
        )
    except json.JSONDecodeError as error:
        raise FormatError(f"{name}: invalid JSON: {error}") from error
    if not isinstance(document, dict):
        raise FormatError(f"{name}: expected a JSON object of signal names")
    return flatten_circom_input(document)


def flatten_circom_input(inputs: Mapping[str, object]) -> CircomInputs:
    """Flatten every key's value row-major into integers (Python ints are taken exactly)."""
    flattened: CircomInputs = {}
    for key, value in inputs.items():
        if not isinstance(key, str) or not key:
            raise FormatError(f"input key {key!r} is not a signal name")
        values: list[int] = []
        _flatten_into(values, key, value)
        flattened[key] = tuple(values)
    return flattened


def _flatten_into(values: list[int], where: str, value: object) -> None:
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _flatten_into(values, f"{where}[{index}]", item)
    else:
        values.append(parse_input_value(where, value))


def parse_input_value(where: str, value: object) -> int:
    """One input value as an integer; ``where`` (key and index) names it in errors."""
    if isinstance(value, bool) or value is None:
        raise FormatError(f"input {where}: {json.dumps(value)} is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, JsonNumber):
        return _json_number(where, value.text)
    if isinstance(value, str):
        return _string_number(where, value)
    if isinstance(value, Mapping):
        raise FormatError(f"input {where}: nested objects (circom buses) are not supported")
    raise FormatError(f"input {where}: {value!r} is not an integer")


def _json_number(where: str, text: str) -> int:
    number = Decimal(text)  # json hands over only valid literals, NaN and Infinity included
    if not number.is_finite() or number != number.to_integral_value():
        raise FormatError(f"input {where}: {text} is not an integer")
    if abs(number) > MAX_SAFE_JSON_INTEGER:
        raise FormatError(
            f"input {where}: the JSON number {text} is beyond 2^53 - 1 and loses precision "
            'in snarkjs; write it as a string ("123...")'
        )
    return int(number)


def _string_number(where: str, text: str) -> int:
    if _DECIMAL.fullmatch(text):
        return int(text)
    if _HEX.fullmatch(text):
        return int(text, 16)
    raise FormatError(f"input {where}: {text!r} is not a decimal or 0x-hexadecimal integer string")


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    document: dict[str, object] = {}
    for key, value in pairs:
        if key in document:
            raise FormatError(f"input key {key!r} appears twice")
        document[key] = value
    return document
