"""circom witness generators under wasmtime, against witnesses snarkjs computed."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import pytest

from paraloom.errors import FormatError, WitnessError
from paraloom.formats.fields import FR
from paraloom.formats.r1cs import read_r1cs
from paraloom.formats.wtns import Witness, read_wtns, write_wtns
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.circom_cache import ModuleCache
from paraloom.zk.circom_input import read_circom_input
from paraloom.zk.circom_witness import CircomWitnessCalculator, WitnessLimits, fnv1a_64

DATA = Path(__file__).parent / "data"
FORMATS_DATA = Path(__file__).parent.parent / "formats" / "data"

#: (generator, inputs, the .wtns snarkjs wrote for them)
SNARKJS_CASES = [
    ("mul", {"a": 3, "b": 11}, FORMATS_DATA / "mul.wtns"),
    ("chain", {"x": 2, "y": 5}, FORMATS_DATA / "chain.wtns"),
    ("bounded_sum", read_circom_input(DATA / "bounded_sum_input.json"), DATA / "bounded_sum.wtns"),
]
BOUNDED_SUM_M = [[1, 2, 3], [4, 5, 6]]


@pytest.fixture(scope="module")
def module_cache() -> ModuleCache:
    """One in-process cache for the module, so each generator compiles once."""
    return ModuleCache()


class Loader(Protocol):
    def __call__(
        self, name: str, limits: WitnessLimits | None = None
    ) -> CircomWitnessCalculator: ...


@pytest.fixture
def load(tmp_path: Path, module_cache: ModuleCache) -> Loader:
    """Load tests/zk/data/<name>.wasm through the module's cache."""

    def loader(name: str, limits: WitnessLimits | None = None) -> CircomWitnessCalculator:
        return CircomWitnessCalculator.from_file(
            DATA / f"{name}.wasm", cache_dir=tmp_path / "cache", cache=module_cache, limits=limits
        )

    return loader


@pytest.mark.parametrize(("name", "inputs", "expected"), SNARKJS_CASES)
def test_witness_and_file_equal_snarkjs(
    load: Loader, name: str, inputs: Mapping[str, object], expected: Path
) -> None:
    values = load(name).calculate(inputs)
    assert values == list(read_wtns(expected).values)
    written = io.BytesIO()
    write_wtns(written, Witness(FR, tuple(values)))
    assert written.getvalue() == expected.read_bytes()


@pytest.mark.parametrize(
    ("name", "r1cs"),
    [("mul", FORMATS_DATA / "mul.r1cs"), ("bounded_sum", DATA / "bounded_sum.r1cs")],
)
def test_wire_count_matches_the_r1cs(load: Loader, name: str, r1cs: Path) -> None:
    header = read_r1cs(r1cs).header
    calculator = load(name)
    assert calculator.n_wires == header.n_wires
    assert calculator.n_input_values == header.n_pub_in + header.n_prv_in


def test_negative_and_oversized_values_are_taken_mod_r(load: Loader) -> None:
    values = load("mul").calculate({"a": -3, "b": FR_MODULUS + 11})
    assert values == [1, (-33) % FR_MODULUS, FR_MODULUS - 3, 11]


def test_calculations_do_not_share_state(load: Loader) -> None:
    calculator = load("mul")
    with pytest.raises(WitnessError):
        calculator.calculate({"a": 3})
    assert calculator.calculate({"a": 2, "b": 7}) == [1, 14, 2, 7]


def test_log_lines_reach_the_callback(load: Loader) -> None:
    lines: list[str] = []
    load("bounded_sum").calculate({"m": BOUNDED_SUM_M, "bound": 1000}, on_log=lines.append)
    assert lines == ["total 91"]


def test_log_lines_default_to_the_logger(load: Loader, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="paraloom.zk.circom_witness")
    load("bounded_sum").calculate({"m": BOUNDED_SUM_M, "bound": 1000})
    assert "circuit log: total 91" in caplog.text


def test_fnv1a_matches_the_published_test_vectors() -> None:
    # vectors of the FNV reference test suite; circom_runtime's fnvHash gives the same
    assert fnv1a_64("") == 0xCBF29CE484222325
    assert fnv1a_64("a") == 0xAF63DC4C8601EC8C
    assert fnv1a_64("foobar") == 0x85944171F73967E8


# -- inputs the circuit refuses ----------------------------------------------------------


def test_a_missing_input_is_named_by_what_was_given(load: Loader) -> None:
    with pytest.raises(
        WitnessError, match=r"inputs missing: 1 of 2 input values given \(keys: a\)"
    ):
        load("mul").calculate({"a": 3})


def test_no_inputs_at_all(load: Loader) -> None:
    with pytest.raises(WitnessError, match=r"0 of 2 input values given \(keys: none\)"):
        load("mul").calculate({})


def test_unknown_keys_are_all_named(load: Loader) -> None:
    with pytest.raises(WitnessError, match=r"not input signals: 'z', 'c'"):
        load("mul").calculate({"a": 3, "z": 1, "b": 4, "c": 12})


@pytest.mark.parametrize(
    ("m", "message"),
    [
        ([[1, 2, 3], [4, 5]], r"not enough values for input signal 'm': expected 6, got 5"),
        ([[1, 2, 3], [4, 5, 6, 7]], r"too many values for input signal 'm': expected 6, got 7"),
        (7, r"not enough values for input signal 'm': expected 6, got 1"),
    ],
)
def test_wrong_value_counts_name_the_key(load: Loader, m: object, message: str) -> None:
    with pytest.raises(WitnessError, match=message):
        load("bounded_sum").calculate({"m": m, "bound": 1000})


def test_a_value_that_is_not_an_integer_names_key_and_index(load: Loader) -> None:
    with pytest.raises(FormatError, match=r"input m\[1\]\[2\]: '6\.5' is not a decimal"):
        load("bounded_sum").calculate({"m": [[1, 2, 3], [4, 5, "6.5"]], "bound": 1000})


def test_a_failing_assert_carries_circom_message(load: Loader) -> None:
    with pytest.raises(
        WitnessError,
        match=r"assert failed \(circom code 4\): Error in template BoundedSum_0 line: 19$",
    ):
        load("bounded_sum").calculate({"m": BOUNDED_SUM_M, "bound": 91})


# -- generators that are refused ---------------------------------------------------------


def test_a_generator_for_another_prime_is_refused(load: Loader) -> None:
    bls12_381_r = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
    with pytest.raises(WitnessError, match=f"compiled for the prime {bls12_381_r}, not BN254"):
        load("mul_bls12381")


def test_a_truncated_module_is_refused(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.wasm"
    corrupt.write_bytes((DATA / "mul.wasm").read_bytes()[:5000])
    with pytest.raises(WitnessError, match=r"corrupt\.wasm: invalid WebAssembly module"):
        CircomWitnessCalculator.from_file(corrupt, cache_dir=tmp_path / "cache")


def test_a_file_that_is_not_wasm_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "input.wasm"
    text.write_text(json.dumps({"a": 1}))
    with pytest.raises(WitnessError, match=r"not a WebAssembly binary"):
        CircomWitnessCalculator.from_file(text, cache_dir=tmp_path / "cache")


def test_a_missing_file_is_a_witness_error(tmp_path: Path) -> None:
    with pytest.raises(WitnessError, match=r"cannot read .*absent\.wasm"):
        CircomWitnessCalculator.from_file(tmp_path / "absent.wasm", cache_dir=tmp_path)


def test_a_memory_limit_below_the_generator_needs_is_refused(load: Loader) -> None:
    with pytest.raises(WitnessError, match=r"mul\.wasm: .*memory"):
        load("mul", WitnessLimits(memory_limit=64 * 1024))
