"""Test-only key generation: keys that prove and verify, in exactly snarkjs' layout.

The layout oracle is ``new_zkey`` (itself byte-identical to ``snarkjs groth16 setup``, see
test_groth16_zkey.py) run on a powers-of-tau file built from the same τ, alpha and beta.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import InvalidScalarError
from paraloom.formats.fields import FQ
from paraloom.formats.ptau import LagrangeSections, Ptau, PtauHeader
from paraloom.formats.r1cs import R1cs
from paraloom.formats.zkey_new import new_zkey
from paraloom.math.curve import G1_GENERATOR, G2_GENERATOR
from paraloom.math.fields import FR_MODULUS
from paraloom.math.python_backend import PythonBackend
from paraloom.zk.constraints import Constraint, ConstraintSystem
from paraloom.zk.prover import prove
from paraloom.zk.qap import domain_size, lagrange_basis
from paraloom.zk.setup import ToxicWaste, proving_key_from_waste, toxic_setup
from paraloom.zk.verifier import verify

from .test_groth16_qap import satisfied_systems

R = FR_MODULUS
BACKEND = PythonBackend()
#: circom's c <== a·b: wires ONE, c (public), a, b
MULTIPLIER = ConstraintSystem(4, 1, (Constraint({2: R - 1}, {3: 1}, {1: R - 1}),))


@settings(max_examples=12, deadline=None)
@given(satisfied_systems(), st.booleans(), st.integers(0, 2**32))
def test_toxic_keys_prove_and_verify(
    system: tuple[ConstraintSystem, list[int]], contributed: bool, seed: int
) -> None:
    cs, witness = system
    rng = random.Random(seed)
    key = toxic_setup(BACKEND, cs, rng=rng, contributed=contributed)
    proof, public = prove(BACKEND, key, witness, rng=rng)
    assert public == tuple(witness[1 : cs.n_public + 1])
    assert verify(BACKEND, key.verification_key(), public, proof)
    for index in range(len(public)):
        changed = list(public)
        changed[index] = (changed[index] + 1) % R
        assert not verify(BACKEND, key.verification_key(), changed, proof)


def test_delta_is_random_only_for_a_contributed_key() -> None:
    plain = toxic_setup(BACKEND, MULTIPLIER, contributed=False)
    assert (plain.delta_1, plain.delta_2, plain.gamma_2) == (
        G1_GENERATOR,
        G2_GENERATOR,
        G2_GENERATOR,
    )
    contributed = toxic_setup(BACKEND, MULTIPLIER, rng=random.Random(1))
    assert contributed.delta_2 != contributed.gamma_2 == G2_GENERATOR


def ptau_from_waste(waste: ToxicWaste, power: int) -> Ptau:
    """A prepared powers-of-tau file for these secrets, as snarkjs lays it out."""
    size = 1 << power
    monomials = [pow(waste.tau, i, R) for i in range(2 * size - 1)]
    levels = [value for k in range(power + 1) for value in lagrange_basis(1 << k, waste.tau)]
    # the extra 2^(power+1) level of section 12; a circuit below the ptau's power never reads it
    extra = lagrange_basis(2 * size, waste.tau)
    lagrange = LagrangeSections(
        g1([*levels, *extra]),
        g2(levels),
        g1([waste.alpha * value % R for value in levels]),
        g1([waste.beta * value % R for value in levels]),
    )
    return Ptau(
        PtauHeader(FQ, power, power),
        g1(monomials),
        g2(monomials[:size]),
        g1([waste.alpha * value % R for value in monomials[:size]]),
        g1([waste.beta * value % R for value in monomials[:size]]),
        g2([waste.beta])[0],
        (),
        lagrange,
    )


def g1(scalars: list[int]) -> tuple[tuple[int, int] | None, ...]:
    points = BACKEND.g1_fixed_base_mul(BACKEND.g1_generator(), scalars)
    return tuple(BACKEND.g1_batch_to_affine(points))


def g2(scalars: list[int]) -> tuple[tuple[tuple[int, int], tuple[int, int]] | None, ...]:
    points = BACKEND.g2_fixed_base_mul(BACKEND.g2_generator(), scalars)
    return tuple(BACKEND.g2_batch_to_affine(points))


nonzero = st.integers(1, R - 1)


@settings(max_examples=8, deadline=None)
@given(satisfied_systems(max_wires=5, max_constraints=4), nonzero, nonzero, nonzero)
def test_the_layout_is_what_zkey_new_builds_from_the_same_secrets(
    system: tuple[ConstraintSystem, list[int]], tau: int, alpha: int, beta: int
) -> None:
    cs, _ = system
    power = domain_size(cs).bit_length()  # one more than the circuit needs
    if pow(tau, 1 << power, R) == 1:
        return
    waste = ToxicWaste(tau, alpha, beta)
    key = proving_key_from_waste(BACKEND, cs, waste)
    r1cs = R1cs.from_constraint_system(cs, n_pub_out=cs.n_public, n_pub_in=0, n_prv_in=0)
    zkey = new_zkey(r1cs, ptau_from_waste(waste, power), backend=BACKEND)
    header = zkey.header
    assert (key.n_vars, key.n_public, key.domain_size) == (
        header.n_vars,
        header.n_public,
        header.domain_size,
    )
    assert (key.alpha_1, key.beta_1, key.beta_2, key.gamma_2, key.delta_1, key.delta_2) == (
        header.alpha_1,
        header.beta_1,
        header.beta_2,
        header.gamma_2,
        header.delta_1,
        header.delta_2,
    )
    assert (key.ic, key.coefficients, key.a, key.b1, key.b2, key.c, key.h) == (
        zkey.ic,
        zkey.coefficients,
        zkey.a,
        zkey.b1,
        zkey.b2,
        zkey.c,
        zkey.h,
    )


@pytest.mark.parametrize(
    ("waste", "message"),
    [
        (ToxicWaste(5, 0, 1), "alpha must be in"),
        (ToxicWaste(5, 1, R), "beta must be in"),
        (ToxicWaste(5, 1, 1, 0), "delta must be in"),
        (ToxicWaste(1, 1, 1), "lies in the domain"),
    ],
)
def test_bad_toxic_waste_is_refused(waste: ToxicWaste, message: str) -> None:
    with pytest.raises(InvalidScalarError, match=message):
        proving_key_from_waste(BACKEND, MULTIPLIER, waste)
