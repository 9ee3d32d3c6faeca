"""Chain verification: snarkjs' chains from every starting point, and every check failing."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paraloom.ceremony.bases import ChainBase, FromCircuit, FromInitial, FromPrevious
from paraloom.ceremony.beacon import apply_beacon
from paraloom.ceremony.contribute import contribute
from paraloom.ceremony.verify import verify_key
from paraloom.errors import CeremonyVerificationError, CurveError, FormatError, ParaloomError
from paraloom.formats.contribution_params import ContributionParams
from paraloom.formats.ptau import read_ptau, write_ptau
from paraloom.formats.zkey import Zkey, ZkeyContribution, read_zkey
from paraloom.math.backend import G1Affine, G2Affine
from paraloom.math.curve import G2_B
from paraloom.math.fields import fq2_add, fq2_mul, fq2_sqr, fq2_sqrt

from .helpers import BACKEND, PTAU, fixture, flip, verified_positions, write_key

MUL_0, MUL_FINAL = fixture("mul_0.zkey"), fixture("mul_final.zkey")
#: What a damaged file may raise: a verdict (exit 1) or unreadable bytes (exit 2).
FAILURES = (CeremonyVerificationError, FormatError, CurveError)


def bases(name: str) -> list[ChainBase]:
    return [
        FromCircuit(fixture(f"{name}.r1cs"), PTAU),
        FromInitial(fixture(f"{name}_0.zkey")),
        FromInitial(fixture(f"{name}_0.zkey"), PTAU),
    ]


@pytest.mark.parametrize("name", ["mul", "chain"])
def test_snarkjs_chains_verify_from_every_start(name: str) -> None:
    for base in bases(name):
        report = verify_key(BACKEND, fixture(f"{name}_final.zkey"), base)
        assert report.first_checked == 1
        names = [(c.name, c.kind) for c in report.info.contributions]
        assert names == [("alice", "contribution"), ("final", "beacon")]


def test_a_chain_verifies_step_by_step(tmp_path: Path) -> None:
    steps = [MUL_0, tmp_path / "1.zkey", tmp_path / "2.zkey", tmp_path / "3.zkey"]
    contribute(BACKEND, steps[0], steps[1], name="alice")
    contribute(BACKEND, steps[1], steps[2], name="bob")
    apply_beacon(BACKEND, steps[2], steps[3], beacon_hash=b"\x01" * 32, iterations_exp=10)
    for number, (previous, current) in enumerate(pairwise(steps), 1):
        assert verify_key(BACKEND, current, FromPrevious(previous)).first_checked == number
    two_steps = verify_key(BACKEND, steps[3], FromPrevious(steps[1]))
    assert two_steps.first_checked == 2
    assert len(two_steps.info.contributions) == 3


def fails(key: Path, base: ChainBase, message: str) -> None:
    with pytest.raises(CeremonyVerificationError, match=message):
        verify_key(BACKEND, key, base)


def test_a_key_nobody_contributed_to_is_invalid() -> None:
    fails(MUL_0, FromInitial(MUL_0), "no contribution after .* anyone could forge")


def test_nothing_new_after_the_previous_key_is_invalid() -> None:
    fails(MUL_FINAL, FromPrevious(MUL_FINAL), "no contribution after the base key's")


def test_another_circuit_is_invalid() -> None:
    fails(fixture("chain_final.zkey"), FromInitial(MUL_0), "circuit hash is not the base key's")


def test_a_rewritten_history_is_invalid(tmp_path: Path) -> None:
    extended = tmp_path / "extended.zkey"
    contribute(BACKEND, MUL_FINAL, extended, name="carol")
    zkey = read_zkey(extended)
    alice = zkey.contributions[0]
    renamed = replace(alice, params=ContributionParams(name="mallory"))
    changed = write_key(
        tmp_path / "c.zkey", replace(zkey, contributions=(renamed, *zkey.contributions[1:]))
    )
    fails(changed, FromPrevious(MUL_FINAL), r"contribution #1 \(mallory\) is not the base key's")


def test_an_initial_key_must_have_no_contributions() -> None:
    with pytest.raises(ParaloomError, match="not an initial key"):
        verify_key(BACKEND, MUL_FINAL, FromInitial(MUL_FINAL))


def tampered(tmp_path: Path, **changes: Any) -> Path:
    return write_key(tmp_path / "tampered.zkey", replace(read_zkey(MUL_FINAL), **changes))


def with_contribution(zkey: Zkey, index: int, **changes: Any) -> tuple[ZkeyContribution, ...]:
    contributions = list(zkey.contributions)
    contributions[index] = replace(contributions[index], **changes)
    return tuple(contributions)


def double_g1(point: G1Affine) -> G1Affine:
    return BACKEND.g1_to_affine(BACKEND.g1_mul(BACKEND.g1_from_affine(point), 2))


def test_each_check_names_its_contribution(tmp_path: Path) -> None:
    zkey = read_zkey(MUL_FINAL)
    final = zkey.contributions[1]
    cases = [
        (with_contribution(zkey, 0, g2_spx=final.g2_spx), r"#1 \(alice\): the proof of knowledge"),
        (with_contribution(zkey, 0, transcript=bytes(64)), r"#1 \(alice\): its transcript hash"),
        (with_contribution(zkey, 1, type=7), r"#2 \(final\): unknown contribution type 7"),
        (
            with_contribution(zkey, 1, params=ContributionParams("final", 10, b"\x09")),
            r"#2 \(final\): its key is not the one the beacon parameters derive",
        ),
        (
            with_contribution(zkey, 1, params=ContributionParams("final")),
            r"#2 \(final\): a beacon without its hash",
        ),
        (
            with_contribution(zkey, 1, params=ContributionParams("final", 9, b"\x09")),
            r"#2 \(final\): the beacon iteration exponent must be",
        ),
        (with_contribution(zkey, 0, g1_s=None), r"#1 \(alice\): g1_s is the point at infinity"),
    ]
    for contributions, message in cases:
        fails(tampered(tmp_path, contributions=contributions), FromInitial(MUL_0), message)


def test_a_delta_that_does_not_follow_the_proof_is_invalid(tmp_path: Path) -> None:
    zkey = read_zkey(MUL_FINAL)
    doubled = double_g1(zkey.contributions[0].delta_after)
    contributions = with_contribution(zkey, 0, delta_after=doubled)
    fails(
        tampered(tmp_path, contributions=contributions),
        FromInitial(MUL_0),
        r"#1 \(alice\): deltaAfter is not the previous delta times the proven secret",
    )


def test_a_header_delta_other_than_the_transcripts_is_invalid(tmp_path: Path) -> None:
    zkey = read_zkey(MUL_FINAL)
    header = replace(zkey.header, delta_1=double_g1(zkey.header.delta_1))
    fails(tampered(tmp_path, header=header), FromInitial(MUL_0), "delta1 in the header")
    header = replace(zkey.header, delta_2=zkey.header.gamma_2)
    fails(tampered(tmp_path, header=header), FromInitial(MUL_0), "delta2 is not the same multiple")


@pytest.mark.parametrize("section", ["c", "h"])
def test_a_point_not_scaled_by_delta_is_invalid(tmp_path: Path, section: str) -> None:
    zkey = read_zkey(MUL_FINAL)
    points = getattr(zkey, section)
    changed = tampered(tmp_path, **{section: (double_g1(points[0]), *points[1:])})
    name = "C \\(L\\)" if section == "c" else "H"
    fails(changed, FromInitial(MUL_0), f"section [89] \\({name}\\) is not the base key's scaled")


@pytest.mark.parametrize("section", ["ic", "a", "b1"])
def test_a_changed_query_is_invalid(tmp_path: Path, section: str) -> None:
    points = list(getattr(read_zkey(MUL_FINAL), section))
    index = next(i for i, point in enumerate(points) if point is not None)
    points[index] = double_g1(points[index])
    changed = tampered(tmp_path, **{section: tuple(points)})
    fails(changed, FromInitial(MUL_0), "differs from the base key's")


def twist_point_outside_the_subgroup() -> G2Affine:
    x = (5, 1)
    while (y := fq2_sqrt(fq2_add(fq2_mul(fq2_sqr(x), x), G2_B))) is None:
        x = (x[0] + 1, 1)
    return (x, (int(y[0]), int(y[1])))


def test_g2_points_outside_the_subgroup_are_invalid(tmp_path: Path) -> None:
    zkey = read_zkey(MUL_FINAL)
    bad = twist_point_outside_the_subgroup()
    contributions = with_contribution(zkey, 0, g2_spx=bad)
    fails(
        tampered(tmp_path, contributions=contributions),
        FromInitial(MUL_0),
        r"#1 \(alice\): g2_spx: .* not in the order-r subgroup",
    )
    fails(
        tampered(tmp_path, b2=(bad, *zkey.b2[1:])),
        FromInitial(MUL_0),
        "differs from the base key's",
    )


def test_an_off_curve_point_is_invalid_and_named(tmp_path: Path) -> None:
    zkey = read_zkey(MUL_FINAL)
    point = zkey.h[2]
    assert point is not None
    x, y = point
    fails(
        tampered(tmp_path, h=(*zkey.h[:2], (x, y + 1), *zkey.h[3:])),
        FromInitial(MUL_0),
        r"section 9 \(H\): point 2: .* not on the curve",
    )


def test_the_ptau_binds_the_initial_key(tmp_path: Path) -> None:
    """Given the ptau, a changed H in the initial key is caught; without it, it is trusted."""
    initial = read_zkey(MUL_0)
    forged_initial = write_key(
        tmp_path / "init.zkey", replace(initial, h=(double_g1(initial.h[0]), *initial.h[1:]))
    )
    key = tmp_path / "key.zkey"
    contribute(BACKEND, forged_initial, key, name="x")
    verify_key(BACKEND, key, FromInitial(forged_initial))
    fails(key, FromInitial(forged_initial, PTAU), "the initial key's H is not the ptau's")
    fails(key, FromCircuit(fixture("mul.r1cs"), PTAU), r"section 9 \(H\) is not the base key's")


def test_an_unprepared_ptau_is_refused(tmp_path: Path) -> None:
    unprepared = tmp_path / "raw.ptau"
    write_ptau(unprepared, replace(read_ptau(PTAU), lagrange=None))
    with pytest.raises(ParaloomError, match="not a prepared ptau"):
        verify_key(BACKEND, MUL_FINAL, FromInitial(MUL_0, unprepared))


POSITIONS = verified_positions(MUL_FINAL.read_bytes())


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(POSITIONS), st.integers(min_value=1, max_value=255))
def test_any_damaged_byte_fails_verification(tmp_path: Path, position: int, mask: int) -> None:
    damaged = tmp_path / "damaged.zkey"
    damaged.write_bytes(flip(MUL_FINAL.read_bytes(), position, mask))
    with pytest.raises(FAILURES):
        verify_key(BACKEND, damaged, FromInitial(MUL_0))


def test_points_of_the_history_are_checked_too(tmp_path: Path) -> None:
    """A previous key and its successor sharing a bad record: the record is still refused."""
    zkey = read_zkey(MUL_FINAL)
    point = zkey.contributions[0].g1_s
    assert point is not None
    bad = with_contribution(zkey, 0, g1_s=(point[0], point[1] + 1))
    previous = write_key(tmp_path / "previous.zkey", replace(zkey, contributions=bad))
    key = tmp_path / "key.zkey"
    contribute(BACKEND, previous, key, name="next")
    fails(key, FromPrevious(previous), r"contribution #1 \(alice\): g1_s: .* not on the curve")
