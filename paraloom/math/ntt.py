"""Radix-2 NTT over Fr on the 2-adic domain snarkjs uses (natural order in and out).

This is Fr arithmetic, not curve arithmetic, so every backend may share it. It is the
Stockham formulation: each stage maps the two halves of the vector to sums and twiddled
differences and interleaves them, so a stage is a few list comprehensions and slice
assignments over whole strides rather than a Python loop per butterfly. Sums are left
unreduced (one bit of growth per stage) and reduced once at the end.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import gmpy2

from paraloom.errors import InvalidScalarError
from paraloom.math.fields import FR_MODULUS, fr_inv, fr_root_of_unity, require_fr, require_frs

if TYPE_CHECKING:
    from collections.abc import Sequence

_R: int = gmpy2.mpz(FR_MODULUS)


@lru_cache(maxsize=16)
def _root_powers(size: int, inverse: bool) -> list[int]:
    """ω^0 .. ω^(size/2 - 1) for the domain's root (or its inverse)."""
    root = fr_root_of_unity(size)
    if inverse:
        root = fr_inv(root)
    powers = [gmpy2.mpz(1)]
    for _ in range(1, size // 2):
        powers.append(powers[-1] * root % _R)
    return powers


def _stage(x: list[int], powers: list[int], stride: int) -> list[int]:
    """One Stockham stage with ``stride`` = m: y[2jm+k] = x[jm+k] + x[jm+k+n/2], and
    y[2jm+m+k] = (x[jm+k] - x[jm+k+n/2])·ω^(jm)."""
    n = len(x)
    half = n // 2
    blocks = half // stride
    low, high = x[:half], x[half:]
    sums = [a + b for a, b in zip(low, high, strict=True)]
    diffs: list[int] = [0] * half
    out: list[int] = [0] * n
    step = 2 * stride
    if stride <= blocks:
        twiddles = powers[::stride]
        for k in range(stride):
            diffs[k::stride] = [
                (a - b) * w % _R
                for a, b, w in zip(low[k::stride], high[k::stride], twiddles, strict=True)
            ]
            out[k::step] = sums[k::stride]
            out[stride + k :: step] = diffs[k::stride]
    else:
        for j in range(blocks):
            w = powers[j * stride]
            lo = j * stride
            out[2 * lo : 2 * lo + stride] = sums[lo : lo + stride]
            out[2 * lo + stride : 2 * lo + step] = [
                (a - b) * w % _R
                for a, b in zip(low[lo : lo + stride], high[lo : lo + stride], strict=True)
            ]
    return out


def _transform(values: Sequence[int], inverse: bool) -> list[int]:
    size = len(values)
    powers = _root_powers(size, inverse)
    x: list[int] = [gmpy2.mpz(v) for v in values]
    stride = 1
    while stride < size:
        x = _stage(x, powers, stride)
        stride *= 2
    if inverse:
        size_inv = fr_inv(size)
        return [int(v * size_inv % _R) for v in x]
    return [int(v % _R) for v in x]


def _scale_by_powers(values: Sequence[int], base: int) -> list[int]:
    """values[i]·base^i: moving between the domain and its coset base·H."""
    out: list[int] = []
    factor: int = gmpy2.mpz(1)
    for value in values:
        out.append(int(value * factor % _R))
        factor = factor * base % _R
    return out


def ntt(coefficients: Sequence[int]) -> list[int]:
    """Evaluate at ω^0 .. ω^(n-1); the length must be a power of two up to 2^28."""
    require_frs(coefficients, "NTT input")
    return _transform(coefficients, inverse=False)


def intt(evaluations: Sequence[int]) -> list[int]:
    """Interpolate from evaluations at ω^0 .. ω^(n-1)."""
    require_frs(evaluations, "NTT input")
    return _transform(evaluations, inverse=True)


def coset_ntt(coefficients: Sequence[int], shift: int) -> list[int]:
    """Evaluate at shift·ω^i (a non-zero shift outside the domain avoids the vanishing set)."""
    require_frs(coefficients, "NTT input")
    return _transform(_scale_by_powers(coefficients, _require_shift(shift)), inverse=False)


def coset_intt(evaluations: Sequence[int], shift: int) -> list[int]:
    """Interpolate from evaluations at shift·ω^i."""
    require_frs(evaluations, "NTT input")
    inverse_shift = fr_inv(_require_shift(shift))
    return _scale_by_powers(_transform(evaluations, inverse=True), inverse_shift)


def _require_shift(shift: int) -> int:
    if require_fr(shift, "coset shift") == 0:
        raise InvalidScalarError("coset shift must be non-zero")
    return shift


class FrNttMethods:
    """The protocol's NTT methods, for backends without faster Fr arithmetic of their own."""

    def ntt(self, coefficients: Sequence[int]) -> list[int]:
        return ntt(coefficients)

    def intt(self, evaluations: Sequence[int]) -> list[int]:
        return intt(evaluations)

    def coset_ntt(self, coefficients: Sequence[int], shift: int) -> list[int]:
        return coset_ntt(coefficients, shift)

    def coset_intt(self, evaluations: Sequence[int], shift: int) -> list[int]:
        return coset_intt(evaluations, shift)
