"""circom input JSON: flattening, the value forms snarkjs reads, and what is refused."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import FormatError, ParaloomError
from paraloom.zk.circom_input import (
    MAX_SAFE_JSON_INTEGER,
    flatten_circom_input,
    loads_circom_input,
    read_circom_input,
)

signal_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
big_integers = st.integers(min_value=-(2**300), max_value=2**300)


def reshape(flat: list[int], shape: list[int]) -> object:
    """The nested lists of ``shape`` holding ``flat`` in row-major order (flatten's inverse)."""
    if not shape:
        return flat[0]
    stride = math.prod(shape[1:])
    return [reshape(flat[i * stride : (i + 1) * stride], shape[1:]) for i in range(shape[0])]


@st.composite
def shaped_values(draw: st.DrawFn) -> tuple[list[int], object]:
    shape = draw(st.lists(st.integers(min_value=1, max_value=3), max_size=4))
    flat = draw(st.lists(big_integers, min_size=math.prod(shape), max_size=math.prod(shape)))
    return flat, reshape(flat, shape)


@given(st.dictionaries(signal_names, shaped_values(), max_size=4))
def test_nested_arrays_flatten_row_major(inputs: dict[str, tuple[list[int], object]]) -> None:
    nested = {key: value for key, (_, value) in inputs.items()}
    assert flatten_circom_input(nested) == {key: tuple(flat) for key, (flat, _) in inputs.items()}


@given(st.dictionaries(signal_names, shaped_values(), max_size=4))
def test_json_with_decimal_strings_reads_back_exactly(
    inputs: dict[str, tuple[list[int], object]],
) -> None:
    as_strings = {
        key: json.loads(json.dumps(value), parse_int=str) for key, (_, value) in inputs.items()
    }
    parsed = loads_circom_input(json.dumps(as_strings))
    assert parsed == {key: tuple(flat) for key, (flat, _) in inputs.items()}


@given(st.integers(min_value=0, max_value=2**300), st.sampled_from(["0x", "0X"]))
def test_hex_strings_read_back_exactly(value: int, prefix: str) -> None:
    assert loads_circom_input(json.dumps({"a": f"{prefix}{value:x}"})) == {"a": (value,)}


@given(st.integers(min_value=-MAX_SAFE_JSON_INTEGER, max_value=MAX_SAFE_JSON_INTEGER))
def test_safe_json_numbers_are_exact(value: int) -> None:
    assert loads_circom_input(json.dumps({"a": [value]})) == {"a": (value,)}


@given(st.integers(min_value=MAX_SAFE_JSON_INTEGER + 1, max_value=2**300), st.booleans())
def test_unsafe_json_numbers_are_refused(value: int, negative: bool) -> None:
    number = -value if negative else value
    with pytest.raises(FormatError, match=r"input big\[1\]: the JSON number .* beyond 2\^53 - 1"):
        loads_circom_input(json.dumps({"big": [0, number]}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1e3}', 1000),
        ('{"a": -2.0}', -2),
        ('{"a": 9007199254740991}', MAX_SAFE_JSON_INTEGER),
        ('{"a": "+17"}', 17),
        ('{"a": "-17"}', -17),
        ('{"a": "007"}', 7),
    ],
)
def test_number_forms_snarkjs_accepts(text: str, expected: int) -> None:
    assert loads_circom_input(text) == {"a": (expected,)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1.5}', r"input a: 1\.5 is not an integer"),
        ('{"a": NaN}', r"input a: NaN is not an integer"),
        ('{"a": -Infinity}', r"input a: -Infinity is not an integer"),
        ('{"a": 1e400}', r"input a: the JSON number 1e400 is beyond"),
        ('{"a": true}', r"input a: true is not an integer"),
        ('{"a": null}', r"input a: null is not an integer"),
        ('{"a": ""}', r"input a: '' is not a decimal or 0x-hexadecimal integer string"),
        ('{"a": " 5"}', r"input a: ' 5' is not a decimal"),
        ('{"a": "0x"}', r"input a: '0x' is not a decimal"),
        ('{"a": "-0x10"}', r"input a: '-0x10' is not a decimal"),
        ('{"a": "1_000"}', r"input a: '1_000' is not a decimal"),
        ('{"a": "\\u0661"}', r"input a: '\u0661' is not a decimal"),
        ('{"a": [1, {"b": 2}]}', r"input a\[1\]: nested objects \(circom buses\)"),
        ('{"a": 1, "a": 2}', r"input key 'a' appears twice"),
        ('{"": 1}', r"input key '' is not a signal name"),
        ("[1, 2]", r"expected a JSON object of signal names"),
        ('{"a": 1', r"invalid JSON"),
    ],
)
def test_refused_input_json_names_the_key(text: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        loads_circom_input(text)


def test_python_values_are_taken_exactly() -> None:
    assert flatten_circom_input({"a": (2**300, [-1, "0x10"])}) == {"a": (2**300, -1, 16)}


@pytest.mark.parametrize("value", [1.0, b"1", {1, 2}])
def test_python_values_that_are_not_integers_are_refused(value: object) -> None:
    with pytest.raises(FormatError, match=r"input a: .* is not an integer"):
        flatten_circom_input({"a": value})


def test_read_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text('{"a": [1, "2"]}')
    assert read_circom_input(path) == {"a": (1, 2)}
    path.write_text("{")
    with pytest.raises(FormatError, match=r"in\.json: invalid JSON"):
        read_circom_input(path)


def test_read_refuses_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(FormatError, match=r"in\.json: input JSON is not UTF-8"):
        read_circom_input(path)


def test_read_of_a_missing_file_is_a_paraloom_error(tmp_path: Path) -> None:
    with pytest.raises(ParaloomError, match=r"cannot read .*absent\.json"):
        read_circom_input(tmp_path / "absent.json")
