"""``snarkjs groth16 setup`` reproduced byte for byte, and .zkey ↔ ProvingKey conversions."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import FormatError, SetupError
from paraloom.formats.container import ContainerReader
from paraloom.formats.fields import FQ, PrimeField
from paraloom.formats.points import g1_uncompressed, g2_uncompressed
from paraloom.formats.ptau import PtauReader, read_ptau, write_ptau
from paraloom.formats.r1cs import R1cs, read_r1cs
from paraloom.formats.zkey import (
    SECTION_ORDERS,
    Zkey,
    proving_key_of,
    read_zkey,
    require_contributions,
    write_zkey,
    zkey_of,
)
from paraloom.formats.zkey_new import new_zkey
from paraloom.math.fields import FQ_MODULUS
from paraloom.math.python_backend import PythonBackend
from paraloom.zk.constraints import Constraint, ConstraintSystem
from paraloom.zk.setup import toxic_setup

from .test_groth16_qap import satisfied_systems

DATA = Path(__file__).parent.parent / "formats" / "data"
PTAU = DATA / "pot4_final.ptau"
BACKEND = PythonBackend()


def encode(zkey: Zkey, order: Literal["contribute", "new"] = "contribute") -> bytes:
    stream = io.BytesIO()
    write_zkey(stream, zkey, order=order)
    return stream.getvalue()


# -- zkey new ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mul", "chain"])
def test_new_zkey_is_snarkjs_setup_byte_for_byte(name: str) -> None:
    expected = (DATA / f"{name}_0.zkey").read_bytes()
    r1cs = read_r1cs(DATA / f"{name}.r1cs")
    assert encode(new_zkey(r1cs, read_ptau(PTAU)), "new") == expected
    with PTAU.open("rb") as stream:
        assert encode(new_zkey(r1cs, PtauReader(stream)), "new") == expected
    # phase 2 keeps the circuit hash: the final key carries the same one
    assert read_zkey(DATA / f"{name}_final.zkey").cs_hash == read_zkey(io.BytesIO(expected)).cs_hash


def test_the_two_section_orders_are_snarkjs_writers_orders() -> None:
    orders: tuple[tuple[str, Literal["contribute", "new"]], ...] = (
        ("mul_0", "new"),
        ("mul_final", "contribute"),
    )
    for name, order in orders:
        data = (DATA / f"{name}.zkey").read_bytes()
        container = ContainerReader(io.BytesIO(data), magic=b"zkey", versions={1})
        assert container.section_ids == SECTION_ORDERS[order]
        assert encode(read_zkey(io.BytesIO(data)), order) == data


def synthetic_r1cs(constraints: int, public: int) -> R1cs:
    """x_(i+1) = x_i · x_i chains with ``public`` public outputs; only sizes matter here."""
    rows = tuple(Constraint({i + 1: 1}, {i + 1: 1}, {i + 2: 1}) for i in range(constraints))
    system = ConstraintSystem(constraints + public + 2, public, rows)
    return R1cs.from_constraint_system(system, n_pub_out=public, n_pub_in=0, n_prv_in=1)


def test_a_ptau_too_small_is_refused_naming_the_power() -> None:
    ptau = read_ptau(PTAU)
    with pytest.raises(SetupError, match=r"use a ptau of power 5 or more \(this one has power 4\)"):
        new_zkey(synthetic_r1cs(15, 1), ptau)  # 15 + 1 + 1 rows: a domain of 32


def test_a_circuit_filling_the_ptau_exactly_fits() -> None:
    zkey = new_zkey(synthetic_r1cs(14, 1), read_ptau(PTAU))  # 16 rows, power 4 = the ptau's
    assert zkey.header.domain_size == 16
    assert len(zkey.h) == 16
    assert None not in zkey.h


def test_an_unprepared_ptau_is_refused() -> None:
    unprepared = replace(read_ptau(PTAU), lagrange=None)
    with pytest.raises(SetupError, match="prepare phase2"):
        new_zkey(synthetic_r1cs(1, 1), unprepared)
    stream = io.BytesIO()
    write_ptau(stream, unprepared)
    with pytest.raises(SetupError, match="prepare phase2"):
        new_zkey(synthetic_r1cs(1, 1), PtauReader(stream))


def test_other_curves_are_refused() -> None:
    ptau = read_ptau(PTAU)
    r1cs = synthetic_r1cs(1, 1)
    with pytest.raises(FormatError, match="not Fr"):
        new_zkey(replace(r1cs, header=replace(r1cs.header, field=FQ)), ptau)
    other = replace(ptau, header=replace(ptau.header, q=PrimeField(FQ_MODULUS - 2, 32)))
    with pytest.raises(SetupError, match="ptau is over"):
        new_zkey(synthetic_r1cs(1, 1), other)


coordinates = st.integers(0, FQ_MODULUS - 1)


@given(st.none() | st.tuples(coordinates, coordinates))
def test_uncompressed_g1_is_big_endian_x_then_y(point: tuple[int, int] | None) -> None:
    data = g1_uncompressed(point)
    x, y = int.from_bytes(data[:32], "big"), int.from_bytes(data[32:], "big")
    assert len(data) == 64
    assert (x, y) == (point or (0, 0))


@given(
    st.none() | st.tuples(st.tuples(coordinates, coordinates), st.tuples(coordinates, coordinates))
)
def test_uncompressed_g2_puts_the_higher_coefficient_first(
    point: tuple[tuple[int, int], tuple[int, int]] | None,
) -> None:
    data = g2_uncompressed(point)
    x1, x0, y1, y0 = (int.from_bytes(data[i : i + 32], "big") for i in range(0, 128, 32))
    assert ((x0, x1), (y0, y1)) == (point or ((0, 0), (0, 0)))


# -- conversions ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mul_0", "chain_final"])
def test_zkey_and_proving_key_convert_both_ways(name: str) -> None:
    zkey = read_zkey(DATA / f"{name}.zkey")
    key = proving_key_of(zkey)
    assert zkey_of(key, cs_hash=zkey.cs_hash, contributions=zkey.contributions) == zkey


@given(satisfied_systems(max_wires=4, max_constraints=3), st.binary(min_size=64, max_size=64))
def test_toxic_keys_survive_a_zkey_file(
    system: tuple[ConstraintSystem, list[int]], cs_hash: bytes
) -> None:
    key = toxic_setup(BACKEND, system[0])
    zkey = zkey_of(key, cs_hash=cs_hash)
    assert proving_key_of(read_zkey(io.BytesIO(encode(zkey)))) == key


def test_conversion_errors() -> None:
    zkey = read_zkey(DATA / "mul_final.zkey")
    with pytest.raises(FormatError, match="not BN254"):
        proving_key_of(replace(zkey, header=replace(zkey.header, r=PrimeField(97, 32))))
    with pytest.raises(FormatError, match="64 bytes"):
        zkey_of(proving_key_of(zkey), cs_hash=b"short")


def test_keys_without_contributions_are_refused() -> None:
    require_contributions(read_zkey(DATA / "mul_final.zkey"))
    with pytest.raises(SetupError, match="no phase-2 contribution"):
        require_contributions(read_zkey(DATA / "mul_0.zkey"))
    final = read_zkey(DATA / "mul_final.zkey")
    reset = replace(final, header=replace(final.header, delta_2=final.header.gamma_2))
    with pytest.raises(SetupError, match="equals gamma2"):
        require_contributions(reset)
