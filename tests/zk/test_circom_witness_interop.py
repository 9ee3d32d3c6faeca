"""paraloom's witness host against `snarkjs wtns calculate` on random inputs (needs npm tools)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from npm_tools import CIRCOM, SNARKJS, interop_marks

from paraloom.formats.fields import FR
from paraloom.formats.wtns import Witness, write_wtns
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.circom_cache import ModuleCache
from paraloom.zk.circom_input import read_circom_input
from paraloom.zk.circom_witness import CircomWitnessCalculator

DATA = Path(__file__).parent / "data"
pytestmark = interop_marks("snarkjs", "circom2")

CACHE = ModuleCache()

#: JSON forms of a value snarkjs and paraloom both read: numbers, decimal and hex strings.
values = st.one_of(
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.integers(min_value=-(2**260), max_value=2**260).map(str),
    st.integers(min_value=0, max_value=2**260).map(hex),
    st.sampled_from([str(FR_MODULUS - 1), str(FR_MODULUS), str(-FR_MODULUS - 1)]),
)


def agree_with_snarkjs(wasm: Path, inputs: dict[str, object]) -> None:
    """Both read the same input file and write the same .wtns bytes."""
    assert SNARKJS is not None, "snarkjs is not on PATH"
    with tempfile.TemporaryDirectory() as scratch:
        input_path, expected = Path(scratch) / "in.json", Path(scratch) / "snarkjs.wtns"
        input_path.write_text(json.dumps(inputs))
        subprocess.run(
            [SNARKJS, "wtns", "calculate", wasm, input_path, expected],
            check=True,
            capture_output=True,
            timeout=120,
        )
        calculator = CircomWitnessCalculator.from_file(wasm, cache_dir=scratch, cache=CACHE)
        ours = Path(scratch) / "paraloom.wtns"
        values = calculator.calculate(read_circom_input(input_path))
        write_wtns(ours, Witness(FR, tuple(values)))
        assert ours.read_bytes() == expected.read_bytes()


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values, values)
def test_mul_agrees_with_snarkjs(a: object, b: object) -> None:
    agree_with_snarkjs(DATA / "mul.wasm", {"a": a, "b": b})


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values, values)
def test_chain_agrees_with_snarkjs(x: object, y: object) -> None:
    agree_with_snarkjs(DATA / "chain.wasm", {"x": x, "y": y})


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=-(10**6), max_value=10**6), min_size=6, max_size=6))
def test_bounded_sum_agrees_with_snarkjs(flat: list[int]) -> None:
    """Row-major flattening: the matrix goes in nested, snarkjs and paraloom must agree."""
    m = [flat[:3], flat[3:]]
    agree_with_snarkjs(DATA / "bounded_sum.wasm", {"m": m, "bound": str(10**12)})


def test_a_freshly_compiled_generator_agrees(tmp_path: Path) -> None:
    """The committed .wasm could be stale: compile the source with the installed circom."""
    assert CIRCOM is not None, "circom2 is not on PATH"
    subprocess.run(
        [CIRCOM, DATA / "bounded_sum.circom", "--wasm", "-o", tmp_path],
        check=True,
        capture_output=True,
        timeout=120,
    )
    wasm = tmp_path / "bounded_sum_js" / "bounded_sum.wasm"
    agree_with_snarkjs(wasm, {"m": [[6, -5, 4], ["0x3", "2", 1]], "bound": 1000})
