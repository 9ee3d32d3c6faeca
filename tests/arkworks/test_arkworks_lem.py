"""Native decoding of stored key points (``*_batch_from_lem``) against the python backend.

Valid blocks must give the same points; damaged blocks the same error, word for word, naming the
same point: off the curve, outside the subgroup, a coordinate ≥ q, a partial point.
"""

from __future__ import annotations

from typing import Any

import pytest
from arkworks_helpers import nonzero_scalars, same_refusal, twist_points_outside_subgroup
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import InvalidPointError, InvalidScalarError, ParaloomError
from paraloom.formats.fields import FQ
from paraloom.math.backend import AnyCurveBackend
from paraloom.math.curve import G1_GENERATOR, G2_GENERATOR
from paraloom.math.fields import FQ_MODULUS
from paraloom.math.python_backend import PythonBackend

OUTSIDE = twist_points_outside_subgroup(2)
OFF_TWIST = ((1, 2), (3, 4))
GROUPS = {"g1": 2, "g2": 4}  # stored elements per point
scalar_lists = st.lists(st.none() | nonzero_scalars, max_size=8)


def stored(values: list[int]) -> bytes:
    """Montgomery little-endian bytes, encoded by the field codec of paraloom.formats."""
    return b"".join(FQ.encode(value, montgomery=True) for value in values)


def stored_points(group: str, points: list[Any]) -> bytes:
    """G1 (x, y) or G2 ((x0, x1), (y0, y1)) points, None as all zeros, in the file layout."""
    values: list[int] = []
    for point in points:
        if point is None:
            values += [0] * GROUPS[group]
        elif group == "g1":
            values += point
        else:
            values += [*point[0], *point[1]]
    return stored(values)


def multiples(fast: PythonBackend, group: str, scalars: list[int | None]) -> list[Any]:
    """k·G per k (infinity for None), computed by the python backend."""
    generator = getattr(fast, f"{group}_generator")()
    mul, to_affine = getattr(fast, f"{group}_mul"), getattr(fast, f"{group}_to_affine")
    return [None if k is None else to_affine(mul(generator, k)) for k in scalars]


def outcome(backend: AnyCurveBackend, group: str, data: bytes, first: int) -> Any:
    """The decoded points as affine values, or the refusal's type and message."""
    try:
        points = getattr(backend, f"{group}_batch_from_lem")(data, first=first)
    except ParaloomError as error:
        return type(error), str(error)
    return getattr(backend, f"{group}_batch_to_affine")(points)


@pytest.mark.parametrize("group", GROUPS)
@settings(max_examples=15, deadline=None)
@given(scalars=scalar_lists, first=st.integers(0, 1 << 24))
def test_valid_blocks_decode_like_the_python_backend(
    ark: AnyCurveBackend, fast: PythonBackend, group: str, scalars: list[int | None], first: int
) -> None:
    expected = multiples(fast, group, scalars)
    data = stored_points(group, expected)
    assert outcome(ark, group, data, first) == expected
    assert outcome(fast, group, data, first) == expected


@pytest.mark.parametrize("group", GROUPS)
@settings(max_examples=60, deadline=None)
@given(scalars=scalar_lists, damage=st.data())
def test_damaged_blocks_fail_like_the_python_backend(
    ark: AnyCurveBackend, fast: PythonBackend, group: str, scalars: list[int | None], damage: Any
) -> None:
    """Maybe a G2 point outside the subgroup slipped in, maybe elements overwritten (random
    bytes, values ≥ q, or below q), maybe the block cut short: whatever the damage, both
    backends give the same points or the same error."""
    points = multiples(fast, group, [*scalars, 1])
    if group == "g2" and damage.draw(st.booleans()):
        points.insert(damage.draw(st.integers(0, len(points))), OUTSIDE[1])
    data = bytearray(stored_points(group, points))
    for _ in range(damage.draw(st.integers(0, 2))):
        index = damage.draw(st.integers(0, len(data) // 32 - 1))
        data[32 * index : 32 * index + 32] = damage.draw(
            st.integers(0, FQ_MODULUS - 1).map(lambda v: FQ.encode(v, montgomery=True))
            | st.integers(FQ_MODULUS, 2**256 - 1).map(lambda v: v.to_bytes(32, "little"))
            | st.binary(min_size=32, max_size=32)
        )
    cut = damage.draw(st.sampled_from([0] * 6 + [1, 32, 63]))
    block = bytes(data[: len(data) - cut])
    assert outcome(ark, group, block, 7) == outcome(fast, group, block, 7)


REFUSALS: list[tuple[str, list[Any], type[Exception], str]] = [
    ("g1", [G1_GENERATOR, None, (1, 3)], InvalidPointError, "point 12: G1 point (1, 3) is not on"),
    ("g2", [G2_GENERATOR, OFF_TWIST], InvalidPointError, "point 11: G2 point ((1, 2), (3, 4))"),
    ("g2", [None, G2_GENERATOR, OUTSIDE[0]], InvalidPointError, "point 12: G2 point"),
    ("g2", [OUTSIDE[1], OFF_TWIST], InvalidPointError, "point 11: G2 point ((1, 2), (3, 4))"),
]


@pytest.mark.parametrize("case", REFUSALS)
def test_bad_points_are_refused_by_index_like_python(
    ark: AnyCurveBackend, fast: PythonBackend, case: tuple[str, list[Any], type[Exception], str]
) -> None:
    """Off the curve, outside the subgroup, and off the curve before outside the subgroup."""
    group, points, kind, start = case
    data = stored_points(group, points)
    found = outcome(ark, group, data, 10)
    assert found == outcome(fast, group, data, 10)
    assert found[0] is kind
    assert found[1].startswith(start)


def test_the_subgroup_is_checked(ark: AnyCurveBackend) -> None:
    """The twist point is on the curve: only the subgroup check can refuse it."""
    assert ark.g2_is_on_curve(OUTSIDE[0])
    with pytest.raises(InvalidPointError, match=r"^point 0: .* not in the order-r subgroup$"):
        ark.g2_batch_from_lem(stored_points("g2", [OUTSIDE[0]]))


@pytest.mark.parametrize(("group", "per_point"), GROUPS.items())
@pytest.mark.parametrize("value", [FQ_MODULUS, FQ_MODULUS + 1, 2**256 - 1])
def test_a_coordinate_not_below_q_is_refused_first(
    ark: AnyCurveBackend, fast: PythonBackend, group: str, per_point: int, value: int
) -> None:
    """Even after a point off the curve, the range error is the one reported (as in python),
    and of two, the one in the earlier point, though the later one's is its first element."""
    data = bytearray(stored([1] * 4 * per_point))  # (1, 1) points: off both curves
    for index in (3 * per_point - 1, 3 * per_point):
        data[32 * index : 32 * index + 32] = value.to_bytes(32, "little")
    call = getattr(ark, f"{group}_batch_from_lem")
    with pytest.raises(InvalidScalarError, match=f"^point 2: element {per_point - 1} is {value},"):
        call(bytes(data))
    same_refusal(ark, fast, lambda b: getattr(b, f"{group}_batch_from_lem")(bytes(data), first=0))


@pytest.mark.parametrize(("group", "per_point"), GROUPS.items())
@pytest.mark.parametrize("missing", [1, 32, 63])
def test_partial_points_are_refused(
    ark: AnyCurveBackend, fast: PythonBackend, group: str, per_point: int, missing: int
) -> None:
    data = bytes(64 * per_point - missing)
    width = 32 * per_point
    message = same_refusal(ark, fast, lambda b: getattr(b, f"{group}_batch_from_lem")(data))
    assert message == f"{len(data)} bytes are not whole {width}-byte {group.upper()} points"


def test_all_zero_bytes_are_infinity(ark: AnyCurveBackend) -> None:
    assert ark.g1_batch_to_affine(ark.g1_batch_from_lem(bytes(128))) == [None, None]
    assert ark.g2_batch_to_affine(ark.g2_batch_from_lem(bytes(128))) == [None]
    assert ark.g1_batch_from_lem(b"") == []
