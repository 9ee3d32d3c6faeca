"""Points in the storage form of key files straight into backend points, every check kept.

The python backend and the py_ecc reference must agree on valid blocks, and refuse each kind of
bad block with the same error naming the same point.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bn254_helpers import nonzero_scalars
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import InvalidPointError, InvalidScalarError, ParaloomError
from paraloom.formats.fields import FQ
from paraloom.math.backend import AnyCurveBackend, G1Affine, G2Affine
from paraloom.math.curve import G1_GENERATOR, G2_B, G2_GENERATOR
from paraloom.math.fields import FQ_MODULUS, fq2, fq2_add, fq2_mul, fq2_sqr, fq2_sqrt
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.python_backend import PythonBackend

OFF_CURVE_G1 = (1, 3)
OFF_TWIST = ((1, 2), (3, 4))


def twist_point_outside_subgroup() -> G2Affine:
    """The first twist point with x = i + 0·u: outside G2 (the cofactor is about q)."""
    for i in range(1, 100):
        x = fq2(i, 0)
        y = fq2_sqrt(fq2_add(fq2_mul(fq2_sqr(x), x), fq2(*G2_B)))
        if y is not None:
            return ((int(x[0]), int(x[1])), (int(y[0]), int(y[1])))
    raise AssertionError("no twist point found")


OUTSIDE = twist_point_outside_subgroup()


def stored(values: list[int]) -> bytes:
    """Montgomery little-endian bytes, encoded by the field codec of paraloom.formats."""
    return b"".join(FQ.encode(value, montgomery=True) for value in values)


def stored_g1(points: list[Any]) -> bytes:
    return stored([value for point in points for value in (point or (0, 0))])


def stored_g2(points: list[Any]) -> bytes:
    zero = ((0, 0), (0, 0))
    return stored([value for (x, y) in (p or zero for p in points) for value in (*x, *y)])


@pytest.fixture(params=["python", "py_ecc"])
def backend(request: pytest.FixtureRequest, fast: PythonBackend, ref: PyEccBackend) -> Any:
    return fast if request.param == "python" else ref


def multiples(fast: PythonBackend, scalars: list[int | None], group: str) -> list[Any]:
    """k·G for each k, infinity for None (computed by the fast backend from the generator)."""
    generator = getattr(fast, f"{group}_generator")()
    mul, to_affine = getattr(fast, f"{group}_mul"), getattr(fast, f"{group}_to_affine")
    return [None if k is None else to_affine(mul(generator, k)) for k in scalars]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.none() | nonzero_scalars, max_size=6), st.integers(0, 1 << 20))
def test_valid_g1_blocks_decode_alike(
    fast: PythonBackend, ref: PyEccBackend, scalars: list[int | None], first: int
) -> None:
    expected: list[G1Affine] = multiples(fast, scalars, "g1")
    data = stored_g1(expected)
    backends: tuple[AnyCurveBackend, ...] = (fast, ref)
    for backend in backends:
        decoded = backend.g1_batch_from_lem(data, first=first)
        assert backend.g1_batch_to_affine(decoded) == expected


@settings(max_examples=5, deadline=None)
@given(st.lists(st.none() | nonzero_scalars, max_size=3))
def test_valid_g2_blocks_decode_alike(
    fast: PythonBackend, ref: PyEccBackend, scalars: list[int | None]
) -> None:
    expected: list[G2Affine] = multiples(fast, scalars, "g2")
    data = stored_g2(expected)
    backends: tuple[AnyCurveBackend, ...] = (fast, ref)
    for backend in backends:
        assert backend.g2_batch_to_affine(backend.g2_batch_from_lem(data)) == expected


def refusal(backend: AnyCurveBackend, call: Callable[[AnyCurveBackend], object]) -> str:
    with pytest.raises(ParaloomError) as caught:
        call(backend)
    return f"{type(caught.value).__name__}: {caught.value}"


def _g1(points: list[Any], first: int = 0) -> Callable[[AnyCurveBackend], object]:
    return lambda backend: backend.g1_batch_from_lem(stored_g1(points), first=first)


def _g2(points: list[Any], first: int = 0) -> Callable[[AnyCurveBackend], object]:
    return lambda backend: backend.g2_batch_from_lem(stored_g2(points), first=first)


REFUSALS = [
    _g1([G1_GENERATOR, OFF_CURVE_G1], first=10),
    _g2([G2_GENERATOR, OFF_TWIST], first=3),
    _g2([OUTSIDE, G2_GENERATOR]),
    _g2([OUTSIDE, OFF_TWIST]),
]


def test_both_backends_refuse_alike(fast: PythonBackend, ref: PyEccBackend) -> None:
    """Each refusal of REFUSALS, compared across the two backends word for word."""
    for call in REFUSALS:
        assert refusal(fast, call) == refusal(ref, call)


@pytest.mark.parametrize("first", [0, 4096])
def test_off_curve_g1_is_named_by_index(backend: AnyCurveBackend, first: int) -> None:
    data = stored_g1([G1_GENERATOR, None, OFF_CURVE_G1, OFF_CURVE_G1])
    with pytest.raises(
        InvalidPointError, match=rf"^point {first + 2}: G1 point \(1, 3\) is not on"
    ):
        backend.g1_batch_from_lem(data, first=first)


def test_off_twist_g2_is_named_by_index(backend: AnyCurveBackend) -> None:
    data = stored_g2([G2_GENERATOR, OFF_TWIST])
    with pytest.raises(InvalidPointError, match=r"^point 1: G2 point .* is not on the twist"):
        backend.g2_batch_from_lem(data)


def test_g2_outside_the_subgroup_is_refused(backend: AnyCurveBackend) -> None:
    assert backend.g2_is_on_curve(OUTSIDE)
    data = stored_g2([G2_GENERATOR, None, OUTSIDE])
    with pytest.raises(InvalidPointError, match=r"^point 7: G2 point .* not in the order-r"):
        backend.g2_batch_from_lem(data, first=5)


def test_a_point_off_the_curve_is_reported_before_one_outside_the_subgroup(
    backend: AnyCurveBackend,
) -> None:
    """The order the affine entry points check in, so every backend names the same point."""
    with pytest.raises(InvalidPointError, match=r"^point 1: .*not on the twist"):
        backend.g2_batch_from_lem(stored_g2([OUTSIDE, OFF_TWIST]))


@pytest.mark.parametrize("case", [("g1_batch_from_lem", 2), ("g2_batch_from_lem", 4)])
@settings(max_examples=10, deadline=None)
@given(index=st.integers(0, 11), value=st.integers(FQ_MODULUS, 2**256 - 1))
def test_an_unreduced_coordinate_is_refused_by_point_and_element(
    fast: PythonBackend, ref: PyEccBackend, case: tuple[str, int], index: int, value: int
) -> None:
    """A coordinate ≥ q is refused as anywhere else (InvalidScalarError), even where an
    earlier point is off the curve: the range comes first."""
    decode, per_point = case
    data = bytearray(stored([1] * 12))  # (1, 1): off both curves
    data[32 * index : 32 * index + 32] = value.to_bytes(32, "little")
    point, element = 100 + index // per_point, index % per_point
    for backend in (fast, ref):
        with pytest.raises(
            InvalidScalarError, match=f"^point {point}: element {element} is {value}, not below"
        ):
            getattr(backend, decode)(bytes(data), first=100)


@pytest.mark.parametrize(
    ("decode", "size", "width"),
    [
        ("g1_batch_from_lem", 32, 64),
        ("g1_batch_from_lem", 65, 64),
        ("g2_batch_from_lem", 64, 128),
        ("g2_batch_from_lem", 200, 128),
    ],
)
def test_a_block_of_partial_points_is_refused(
    backend: AnyCurveBackend, decode: str, size: int, width: int
) -> None:
    with pytest.raises(InvalidPointError, match=f"{size} bytes are not whole {width}-byte G"):
        getattr(backend, decode)(bytes(size))


def test_all_zero_bytes_are_infinity_and_an_empty_block_is_empty(backend: AnyCurveBackend) -> None:
    assert backend.g1_batch_to_affine(backend.g1_batch_from_lem(bytes(128))) == [None, None]
    assert backend.g2_batch_to_affine(backend.g2_batch_from_lem(bytes(128))) == [None]
    assert backend.g1_batch_from_lem(b"") == []
