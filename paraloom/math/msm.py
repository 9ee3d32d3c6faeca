"""Scalar multiplication and MSM built from batched affine additions.

Every algorithm here is arranged so that independent additions happen in the same
``group.batch_add`` call and share one field inversion: the points of a batch multiplication
double together, the buckets of all Pippenger windows are reduced together in a tree, and
the running sums of all windows advance together. Scalars are taken as given (callers at the
trust boundary have already refused values outside [0, r)).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from paraloom.math.groups import AffineGroup, Pt

SCALAR_BITS = 254
_WNAF_WIDTH = 4


def _wnaf(scalar: int, width: int) -> list[int]:
    """Signed odd digits, least significant first, at most one non-zero in any ``width``."""
    digits: list[int] = []
    full, half = 1 << width, 1 << (width - 1)
    while scalar:
        digit = 0
        if scalar & 1:
            digit = scalar & (full - 1)
            if digit >= half:
                digit -= full
            scalar -= digit
        digits.append(digit)
        scalar >>= 1
    return digits


def _double_n(group: AffineGroup[Pt], point: Pt | None, times: int) -> Pt | None:
    for _ in range(times):
        point = group.batch_add([point], [point])[0]
    return point


def batch_mul(group: AffineGroup[Pt], points: Sequence[Pt | None], scalar: int) -> list[Pt | None]:
    """``scalar`` times each point: one shared double-and-add chain over a wNAF of the scalar."""
    if scalar == 0 or not points:
        return [None] * len(points)
    doubled = group.batch_add(points, points)
    odd_multiples = [list(points)]
    for _ in range(1, 1 << (_WNAF_WIDTH - 2)):
        odd_multiples.append(group.batch_add(odd_multiples[-1], doubled))
    negated = [[group.neg(p) for p in row] for row in odd_multiples]
    digits = _wnaf(scalar, _WNAF_WIDTH)
    acc = odd_multiples[digits[-1] >> 1]
    for digit in reversed(digits[:-1]):
        acc = group.batch_add(acc, acc)
        if digit > 0:
            acc = group.batch_add(acc, odd_multiples[digit >> 1])
        elif digit < 0:
            acc = group.batch_add(acc, negated[-digit >> 1])
    return acc


def sum_groups(group: AffineGroup[Pt], groups: Sequence[Sequence[Pt | None]]) -> list[Pt | None]:
    """The sum of each group, by pairwise tree reduction batched across all groups."""
    current = [list(g) for g in groups]
    while True:
        ps: list[Pt | None] = []
        qs: list[Pt | None] = []
        for g in current:
            even = len(g) & ~1
            ps.extend(g[0:even:2])
            qs.extend(g[1:even:2])
        if not ps:
            return [g[0] if g else None for g in current]
        sums = group.batch_add(ps, qs)
        pos = 0
        for index, g in enumerate(current):
            half = len(g) >> 1
            current[index] = sums[pos : pos + half] + g[2 * half :]
            pos += half


def _pippenger_window(count: int) -> int:
    """The bucket width minimising (windows x (additions + weighted bucket running sums)).

    Running-sum rounds have only one element per window, so each of their additions costs
    several times a batched one; the weight 8 reflects that (measured on G1 at 2^10..2^14).
    """
    return min(range(2, 17), key=lambda c: -(-SCALAR_BITS // c) * (count + 8 * (1 << c)))


def msm(group: AffineGroup[Pt], points: Sequence[Pt | None], scalars: Sequence[int]) -> Pt | None:
    """Σ scalars[i]·points[i] by Pippenger's bucket method."""
    pairs = [(p, k) for p, k in zip(points, scalars, strict=True) if k and p is not None]
    if not pairs:
        return None
    width = _pippenger_window(len(pairs))
    windows = -(-SCALAR_BITS // width)
    mask, size = (1 << width) - 1, 1 << width
    buckets: list[list[Pt | None]] = [[] for _ in range(windows * size)]
    for point, scalar in pairs:
        rest, offset = scalar, 0
        while rest:
            digit = rest & mask
            if digit:
                buckets[offset + digit].append(point)
            rest >>= width
            offset += size
    sums = sum_groups(group, buckets)
    running: list[Pt | None] = [None] * windows
    totals: list[Pt | None] = [None] * windows
    for digit in range(size - 1, 0, -1):
        running = group.batch_add(running, sums[digit::size])
        totals = group.batch_add(totals, running)
    acc = totals[-1]
    for total in reversed(totals[:-1]):
        acc = group.batch_add([_double_n(group, acc, width)], [total])[0]
    return acc


def _fixed_base_window(count: int) -> int:
    """The table width minimising (table size + additions per scalar) for ``count`` scalars."""
    return min(range(1, 17), key=lambda c: -(-SCALAR_BITS // c) * ((1 << c) + count))


def fixed_base_mul(
    group: AffineGroup[Pt], base: Pt | None, scalars: Sequence[int]
) -> list[Pt | None]:
    """Each scalar times ``base``: a table of d·2^(cj)·base, then one tree sum per scalar."""
    if base is None or not scalars:
        return [None] * len(scalars)
    width = _fixed_base_window(len(scalars))
    windows = -(-SCALAR_BITS // width)
    window_bases: list[Pt | None] = [base]
    for _ in range(1, windows):
        window_bases.append(_double_n(group, window_bases[-1], width))
    table = [window_bases]
    for _ in range(2, 1 << width):
        table.append(group.batch_add(table[-1], window_bases))
    mask = (1 << width) - 1
    selections: list[list[Pt | None]] = []
    for scalar in scalars:
        picked: list[Pt | None] = []
        rest, window = scalar, 0
        while rest:
            digit = rest & mask
            if digit:
                picked.append(table[digit - 1][window])
            rest >>= width
            window += 1
        selections.append(picked)
    return sum_groups(group, selections)
