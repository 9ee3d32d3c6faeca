"""hashToG2 and G1 sampling: snarkjs' transcripts are the oracle, group laws the properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.ceremony.chacha import ChaChaRng
from paraloom.ceremony.hash_to_g2 import G2_COFACTOR, hash_to_g2, random_g1, random_g2
from paraloom.formats.zkey import read_zkey
from paraloom.math import msm
from paraloom.math.curve import G2_B
from paraloom.math.fields import FR_MODULUS, fq2_add, fq2_mul, fq2_sqr, fq2_sqrt
from paraloom.math.groups import G2Group

from .helpers import BACKEND, fixture

DIGESTS = st.binary(min_size=32, max_size=64)


@pytest.mark.parametrize("name", ["mul_final.zkey", "chain_final.zkey"])
def test_snarkjs_proofs_of_knowledge_hold_with_our_hash_to_g2(name: str) -> None:
    """e(s, r·x) = e(s·x, r) for snarkjs' records only if r is snarkjs' hashToG2(T)."""
    for contribution in read_zkey(fixture(name)).contributions:
        s, sx = BACKEND.g1_batch_from_affine([contribution.g1_s, contribution.g1_sx])
        rx = BACKEND.g2_from_affine(contribution.g2_spx)
        r = BACKEND.g2_from_affine(hash_to_g2(contribution.transcript))
        assert BACKEND.multi_pairing_check([(s, rx), (BACKEND.g1_neg(sx), r)])


def test_a_different_transcript_gives_a_point_that_fails() -> None:
    contribution = read_zkey(fixture("mul_final.zkey")).contributions[0]
    s, sx = BACKEND.g1_batch_from_affine([contribution.g1_s, contribution.g1_sx])
    rx = BACKEND.g2_from_affine(contribution.g2_spx)
    wrong = BACKEND.g2_from_affine(hash_to_g2(bytes(64)))
    assert not BACKEND.multi_pairing_check([(s, rx), (BACKEND.g1_neg(sx), wrong)])


@settings(max_examples=10)
@given(DIGESTS)
def test_hash_to_g2_lands_in_the_subgroup(digest: bytes) -> None:
    point = hash_to_g2(digest)
    assert point is not None
    assert BACKEND.g2_is_on_curve(point)
    assert BACKEND.g2_is_in_subgroup(point)
    assert hash_to_g2(digest) == point


@settings(max_examples=25)
@given(DIGESTS)
def test_g1_samples_are_curve_points(digest: bytes) -> None:
    assert BACKEND.g1_is_on_curve(random_g1(ChaChaRng(digest)))


@settings(max_examples=10)
@given(DIGESTS)
def test_only_the_first_32_bytes_seed_the_stream(digest: bytes) -> None:
    assert random_g2(ChaChaRng(digest)) == hash_to_g2(digest[:32] + b"tail")


@settings(max_examples=5)
@given(st.integers(min_value=1, max_value=2**64))
def test_the_cofactor_times_r_is_the_order_of_the_twist(x0: int) -> None:
    """Any twist point, in the subgroup or not, vanishes under [cofactor·r]."""
    group = G2Group()
    x = (x0, 1)
    while (y := fq2_sqrt(fq2_add(fq2_mul(fq2_sqr(x), x), G2_B))) is None:
        x = (x[0] + 1, 1)
    point = (x, y)
    assert msm.batch_mul(group, [point], FR_MODULUS)[0] is not None
    assert msm.batch_mul(group, [point], G2_COFACTOR * FR_MODULUS)[0] is None
