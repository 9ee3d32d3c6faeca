"""Keys whose H went through bellman's MPCParameters verify, and nothing else slips through.

The projection is rebuilt here the way snarkjs converts (ceremony-anchors §3.4): H to bellman's
n points by a point FFT scaled by (-2)·ω_2n^j, the last point dropped for a zero, and back by the
inverse transform, rather than with the closed form the verifier uses.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.ceremony.bases import FromCircuit, FromPrevious
from paraloom.ceremony.bellman_h import holds_projected_h
from paraloom.ceremony.contribute import contribute
from paraloom.ceremony.verify import verify_key
from paraloom.errors import CeremonyVerificationError
from paraloom.math.fields import FR_MODULUS, fr_inv, fr_root_of_unity
from paraloom.progress import SILENT

from .helpers import BACKEND, PTAU, fixture, load, write_key

CHAIN_0 = fixture("chain_0.zkey")


def bellman_round_trip(h: tuple[Any, ...]) -> tuple[Any, ...]:
    """H exported to bellman's τ^j·Z(τ)/δ points, the last one dropped, and imported back."""
    n = len(h)
    points = BACKEND.g1_batch_from_affine(list(h))
    omega, omega_2n = fr_root_of_unity(n), fr_root_of_unity(2 * n)
    bellman = [
        BACKEND.g1_mul(
            BACKEND.g1_msm(points, [pow(omega, i * j, FR_MODULUS) for i in range(n)]),
            -2 * pow(omega_2n, j, FR_MODULUS) % FR_MODULUS,
        )
        for j in range(n - 1)
    ]
    back = [
        BACKEND.g1_msm(
            bellman,
            [
                pow(omega, -i * j, FR_MODULUS)
                * pow(omega_2n, -j, FR_MODULUS)
                * fr_inv(-2 * n % FR_MODULUS)
                % FR_MODULUS
                for j in range(n - 1)
            ],
        )
        for i in range(n)
    ]
    return tuple(BACKEND.g1_batch_to_affine(back))


def shifted(h: tuple[Any, ...], index: int) -> tuple[Any, ...]:
    moved = BACKEND.g1_add(BACKEND.g1_from_affine(h[index]), BACKEND.g1_generator())
    return (*h[:index], BACKEND.g1_to_affine(moved), *h[index + 1 :])


@pytest.fixture(scope="module")
def contributed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bellman") / "alice.zkey"
    contribute(BACKEND, CHAIN_0, path, name="alice")
    return path


def test_a_key_imported_from_bellman_verifies_from_its_previous_key_and_the_circuit(
    contributed: Path, tmp_path: Path
) -> None:
    key = load(contributed)
    imported = write_key(tmp_path / "imported.zkey", replace(key, h=bellman_round_trip(key.h)))
    assert load(imported).h != key.h
    verify_key(BACKEND, imported, FromPrevious(CHAIN_0))
    report = verify_key(BACKEND, imported, FromCircuit(fixture("chain.r1cs"), PTAU))
    assert report.first_checked == 1


def test_later_contributions_on_an_imported_key_verify_from_the_start(
    contributed: Path, tmp_path: Path
) -> None:
    key = load(contributed)
    imported = write_key(tmp_path / "imported.zkey", replace(key, h=bellman_round_trip(key.h)))
    later = tmp_path / "bob.zkey"
    contribute(BACKEND, imported, later, name="bob")
    verify_key(BACKEND, later, FromPrevious(imported))
    verify_key(BACKEND, later, FromCircuit(fixture("chain.r1cs"), PTAU))


@pytest.mark.parametrize("index", [0, 3, 7])
def test_a_moved_point_in_an_imported_h_is_refused(
    contributed: Path, tmp_path: Path, index: int
) -> None:
    key = load(contributed)
    damaged_h = shifted(bellman_round_trip(key.h), index)
    damaged = write_key(tmp_path / "damaged.zkey", replace(key, h=damaged_h))
    with pytest.raises(CeremonyVerificationError, match=r"section 9 \(H\)"):
        verify_key(BACKEND, damaged, FromPrevious(CHAIN_0))


def test_a_half_removed_component_is_refused(contributed: Path, tmp_path: Path) -> None:
    """Halfway between H and its projection: neither form, though each point is valid."""
    key = load(contributed)
    projected = bellman_round_trip(key.h)
    halfway = tuple(
        BACKEND.g1_to_affine(
            BACKEND.g1_msm(BACKEND.g1_batch_from_affine([a, b]), [(FR_MODULUS + 1) // 2] * 2)
        )
        for a, b in zip(key.h, projected, strict=True)
    )
    damaged = write_key(tmp_path / "halfway.zkey", replace(key, h=halfway))
    with pytest.raises(CeremonyVerificationError, match=r"section 9 \(H\)"):
        verify_key(BACKEND, damaged, FromPrevious(CHAIN_0))


def rhos(count: int) -> list[int]:
    return [index + 1 for index in range(count)]


@settings(max_examples=15, deadline=None)
@given(
    log_size=st.integers(min_value=1, max_value=3),
    seed=st.integers(min_value=1, max_value=FR_MODULUS - 1),
    delta=st.integers(min_value=1, max_value=FR_MODULUS - 1),
)
def test_projection_law_on_random_sections(log_size: int, seed: int, delta: int) -> None:
    """For any points and any δ ratio, the round trip scaled by 1/δ passes; H itself does not
    unless its dropped component happens to be zero."""
    size = 1 << log_size
    g1 = BACKEND.g1_generator()
    base = tuple(
        BACKEND.g1_batch_to_affine(BACKEND.g1_fixed_base_mul(g1, [seed + i for i in range(size)]))
    )
    scale = fr_inv(delta)

    def scaled(points: tuple[Any, ...]) -> list[Any]:
        return BACKEND.g1_batch_mul(BACKEND.g1_batch_from_affine(list(points)), scale)

    g2 = BACKEND.g2_generator()
    deltas = (g2, BACKEND.g2_mul(g2, delta))

    def holds(base_points: tuple[Any, ...], key_points: list[Any]) -> bool:
        return holds_projected_h(
            BACKEND,
            iter(BACKEND.g1_batch_to_affine(BACKEND.g1_batch_from_affine(list(base_points)))),
            iter(BACKEND.g1_batch_to_affine(key_points)),
            domain_size=size,
            deltas=deltas,
            random_rhos=rhos,
            advance=SILENT.task("", None),
        )

    assert holds(base, scaled(bellman_round_trip(base)))
    assert not holds(base, scaled(shifted(bellman_round_trip(base), 0)))
    assert not holds(base, BACKEND.g1_batch_mul(scaled(bellman_round_trip(base)), 2))
