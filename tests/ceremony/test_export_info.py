"""export-vk gives snarkjs' verification_key.json; info reads what verify would check."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from paraloom.ceremony.export import export_verification_key, snarkjs_pairing
from paraloom.ceremony.info import key_info
from paraloom.codecs.snarkjs import SnarkjsJsonCodec
from paraloom.errors import SetupError
from paraloom.formats.zkey import read_zkey
from paraloom.math.curve import G1_GENERATOR, G2_GENERATOR
from paraloom.math.fields import FQ12_ONE, fq12_mul

from .helpers import BACKEND, fixture

if TYPE_CHECKING:
    from paraloom.math.backend import G1Affine, G2Affine


@pytest.mark.parametrize("name", ["mul", "chain"])
def test_the_verifying_key_is_snarkjs_file_byte_for_byte(name: str) -> None:
    key = export_verification_key(BACKEND, fixture(f"{name}_final.zkey"))
    encoded = SnarkjsJsonCodec().encode_verification_key(key)
    assert encoded == fixture(f"{name}_vk.json").read_bytes()


def test_an_uncontributed_key_is_refused_unless_asked() -> None:
    with pytest.raises(SetupError, match="no phase-2 contribution"):
        export_verification_key(BACKEND, fixture("mul_0.zkey"))
    key = export_verification_key(BACKEND, fixture("mul_0.zkey"), allow_unsafe=True)
    assert key.delta_2 == key.gamma_2


def g1_times(scalar: int) -> G1Affine:
    return BACKEND.g1_to_affine(BACKEND.g1_mul(BACKEND.g1_generator(), scalar))


def g2_times(scalar: int) -> G2Affine:
    return BACKEND.g2_to_affine(BACKEND.g2_mul(BACKEND.g2_generator(), scalar))


def test_snarkjs_pairing_is_bilinear_and_non_degenerate() -> None:
    """A fixed power of a pairing is a pairing: e(aP, Q) = e(P, aQ) = e(P, Q)^a."""
    base = snarkjs_pairing(BACKEND, G1_GENERATOR, G2_GENERATOR)
    assert base != FQ12_ONE
    a = 0xC0FFEE
    assert snarkjs_pairing(BACKEND, g1_times(a), G2_GENERATOR) == snarkjs_pairing(
        BACKEND, G1_GENERATOR, g2_times(a)
    )
    assert snarkjs_pairing(BACKEND, g1_times(3), G2_GENERATOR) == fq12_mul(
        fq12_mul(base, base), base
    )


def test_info_lists_the_contributions_and_beacon() -> None:
    info = key_info(fixture("mul_final.zkey"))
    zkey = read_zkey(fixture("mul_final.zkey"))
    assert info.cs_hash == zkey.cs_hash
    assert (info.n_vars, info.n_public, info.domain_size) == (4, 1, 4)
    alice, final = info.contributions
    assert (alice.number, alice.name, alice.kind, alice.label) == (
        1,
        "alice",
        "contribution",
        "contribution #1 (alice)",
    )
    assert (final.kind, final.iterations_exp) == ("beacon", 10)
    assert final.beacon_hash == bytes(range(1, 32))  # the README's 0102...1f
