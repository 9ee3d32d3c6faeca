"""The beacon: byte for byte snarkjs' output, parameters within snarkjs' limits, progress."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from paraloom.ceremony.bases import FromPrevious
from paraloom.ceremony.beacon import (
    MAX_ITERATIONS_EXP,
    MIN_ITERATIONS_EXP,
    apply_beacon,
    beacon_rng,
    check_beacon,
)
from paraloom.ceremony.chacha import ChaChaRng
from paraloom.ceremony.info import BEACON
from paraloom.ceremony.keypair import draw_secret
from paraloom.ceremony.verify import verify_key
from paraloom.errors import ParaloomError
from paraloom.formats.zkey import read_zkey

from .helpers import BACKEND, fixture, key_before_beacon, zkey_bytes


@pytest.mark.parametrize("name", ["mul", "chain"])
def test_snarkjs_beacon_keys_are_rederived(name: str) -> None:
    """x and s of snarkjs' closing beacons follow from their stored parameters."""
    beacon = read_zkey(fixture(f"{name}_final.zkey")).contributions[-1]
    assert beacon.type == BEACON
    assert beacon.params.beacon_hash is not None
    assert beacon.params.num_iterations_exp is not None
    rng = beacon_rng(beacon.params.beacon_hash, beacon.params.num_iterations_exp)
    _, g1_s, g1_sx = draw_secret(BACKEND, rng)
    assert (g1_s, g1_sx) == (beacon.g1_s, beacon.g1_sx)


@pytest.mark.parametrize("name", ["mul", "chain"])
def test_the_beacon_reproduces_snarkjs_file_byte_for_byte(name: str) -> None:
    final = read_zkey(fixture(f"{name}_final.zkey"))
    params = final.contributions[-1].params
    assert params.beacon_hash is not None
    assert params.num_iterations_exp is not None
    output = io.BytesIO()
    apply_beacon(
        BACKEND,
        io.BytesIO(zkey_bytes(key_before_beacon(final))),
        output,
        beacon_hash=params.beacon_hash,
        iterations_exp=params.num_iterations_exp,
        name=params.name,
    )
    assert output.getvalue() == fixture(f"{name}_final.zkey").read_bytes()


def test_a_beacon_is_deterministic_and_verifies(tmp_path: Path) -> None:
    outputs = [tmp_path / "a.zkey", tmp_path / "b.zkey"]
    for output in outputs:
        result = apply_beacon(
            BACKEND, fixture("mul_final.zkey"), output, beacon_hash=b"\x07" * 5, iterations_exp=10
        )
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    assert result.contribution.params.name == "beacon"
    assert result.contribution.params.beacon_hash == b"\x07" * 5
    verify_key(BACKEND, outputs[0], FromPrevious(fixture("mul_final.zkey")))


def test_the_seed_is_sha256_iterated_two_to_the_n_times() -> None:
    value = b"drand"
    for _ in range(1 << MIN_ITERATIONS_EXP):
        value = hashlib.sha256(value).digest()
    expected, derived = ChaChaRng(value), beacon_rng(b"drand", MIN_ITERATIONS_EXP)
    assert [expected.next_u32() for _ in range(20)] == [derived.next_u32() for _ in range(20)]


@pytest.mark.parametrize(
    ("beacon_hash", "exponent", "message"),
    [
        (b"", 10, "1 to 255 bytes"),
        (bytes(256), 10, "1 to 255 bytes"),
        (b"x", MIN_ITERATIONS_EXP - 1, "exponent must be 10 to 63"),
        (b"x", MAX_ITERATIONS_EXP + 1, "exponent must be 10 to 63"),
    ],
)
def test_parameters_snarkjs_refuses_are_refused(
    beacon_hash: bytes, exponent: int, message: str
) -> None:
    with pytest.raises(ParaloomError, match=message):
        check_beacon(beacon_hash, exponent)


def test_the_hash_chain_reports_its_progress() -> None:
    reported: list[tuple[str, int | None, int]] = []

    class Recorder:
        def task(self, description: str, total: int | None) -> Callable[[int], None]:
            return lambda units: reported.append((description, total, units))

    beacon_rng(b"x", 17, Recorder())
    assert sum(units for _, _, units in reported) == 1 << 17
    assert {total for _, total, _ in reported} == {1 << 17}
