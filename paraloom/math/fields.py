"""BN254 field constants, Fr helpers and the Fq2/Fq6/Fq12 tower used by the pairing.

Elements are plain tuples of integers so that they are cheap to build and compare. The tower
functions work on ``gmpy2.mpz`` values (2.3x faster per multiply-and-reduce than ``int`` on
254-bit operands, measured) but accept ``int`` too; results are ``mpz``, which behaves as ``int``.

The tower is Fq2 = Fq[u]/(u² + 1), Fq6 = Fq2[v]/(v³ - ξ) with ξ = 9 + u, Fq12 = Fq6[w]/(w² - v),
so w⁶ = ξ: the D-type twist of alt_bn128 (the basis py_ecc and the Ethereum precompiles assume
for G2 coordinates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import gmpy2

from paraloom.errors import InvalidDomainError, InvalidScalarError, LengthMismatchError

if TYPE_CHECKING:
    from collections.abc import Sequence

FQ_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583
"""The base field modulus q of BN254 (alt_bn128)."""

FR_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617
"""The scalar field modulus r: the order of G1, G2 and GT."""

BN_U = 4965661367192848881
"""The BN parameter u from which q, r and the ate loop count 6u + 2 derive."""

FR_TWO_ADICITY = 28
"""r - 1 = 2^28 · odd, so NTT domains have at most 2^28 points."""

FR_MULTIPLICATIVE_GENERATOR = 5
"""The generator whose odd-part power gives the 2^28-th root of unity, as snarkjs chooses it."""

Fq2 = tuple[int, int]
Fq6 = tuple[Fq2, Fq2, Fq2]
Fq12 = tuple[Fq6, Fq6]

_Q: int = gmpy2.mpz(FQ_MODULUS)
_invert = gmpy2.invert


# -- Fr ------------------------------------------------------------------------------------


def require_fr(value: int, what: str = "scalar") -> int:
    """Refuse a non-canonical Fr element from untrusted input instead of silently reducing it."""
    if not 0 <= value < FR_MODULUS:
        raise InvalidScalarError(f"{what} {value} is not in [0, r)")
    return value


def require_msm_scalars(points: Sequence[object], scalars: Sequence[int]) -> None:
    """An MSM pairs points with scalars one to one, each scalar in [0, r)."""
    if len(points) != len(scalars):
        raise LengthMismatchError(
            f"an MSM needs one scalar per point: got {len(points)} points, {len(scalars)} scalars"
        )
    require_frs(scalars)


def require_frs(values: Sequence[int], what: str = "scalar") -> None:
    """Check a whole batch in one pass; the message names the first offending index."""
    for index, value in enumerate(values):
        if not 0 <= value < FR_MODULUS:
            raise InvalidScalarError(f"{what} at index {index} is {value}, not in [0, r)")


def fr_inv(value: int) -> int:
    """Inverse in Fr; zero has none and raises ZeroDivisionError."""
    return int(_invert(value, FR_MODULUS))


def batch_inverse(values: Sequence[int], modulus: int) -> list[int]:
    """Invert many non-zero elements with one modular inversion (Montgomery's trick).

    One gmpy2 inversion of a random 254-bit value costs as much as about four multiplications,
    so sharing it across a batch is what makes affine point additions cheap.
    """
    prefix: list[int] = []
    acc: int = gmpy2.mpz(1)
    for value in values:
        prefix.append(acc)
        acc = acc * value % modulus
    inv = _invert(acc, modulus)
    result: list[int] = [0] * len(prefix)
    for index in range(len(prefix) - 1, -1, -1):
        result[index] = prefix[index] * inv % modulus
        inv = inv * values[index] % modulus
    return result


def fr_root_of_unity(size: int) -> int:
    """The primitive ``size``-th root of unity snarkjs uses: powers of 5^odd(r-1)."""
    log_size = size.bit_length() - 1
    if size <= 0 or size != 1 << log_size or log_size > FR_TWO_ADICITY:
        raise InvalidDomainError(
            f"domain size {size} is not a power of two up to 2^{FR_TWO_ADICITY}"
        )
    odd = (FR_MODULUS - 1) >> FR_TWO_ADICITY
    root = pow(FR_MULTIPLICATIVE_GENERATOR, odd, FR_MODULUS)
    return pow(root, 1 << (FR_TWO_ADICITY - log_size), FR_MODULUS)


# -- Fq2 -----------------------------------------------------------------------------------

FQ2_ZERO: Fq2 = (gmpy2.mpz(0), gmpy2.mpz(0))
FQ2_ONE: Fq2 = (gmpy2.mpz(1), gmpy2.mpz(0))


def fq2(c0: int, c1: int) -> Fq2:
    """Build an Fq2 element in the internal representation from integer coordinates."""
    return (gmpy2.mpz(c0 % FQ_MODULUS), gmpy2.mpz(c1 % FQ_MODULUS))


def fq2_add(a: Fq2, b: Fq2) -> Fq2:
    return ((a[0] + b[0]) % _Q, (a[1] + b[1]) % _Q)


def fq2_sub(a: Fq2, b: Fq2) -> Fq2:
    return ((a[0] - b[0]) % _Q, (a[1] - b[1]) % _Q)


def fq2_neg(a: Fq2) -> Fq2:
    return (-a[0] % _Q, -a[1] % _Q)


def fq2_mul(a: Fq2, b: Fq2) -> Fq2:
    """Karatsuba: three base-field products instead of four."""
    a0, a1 = a
    b0, b1 = b
    t0 = a0 * b0
    t1 = a1 * b1
    return ((t0 - t1) % _Q, ((a0 + a1) * (b0 + b1) - t0 - t1) % _Q)


def fq2_sqr(a: Fq2) -> Fq2:
    """(a0 + a1·u)² = (a0 + a1)(a0 - a1) + 2·a0·a1·u: two products."""
    a0, a1 = a
    return ((a0 + a1) * (a0 - a1) % _Q, 2 * a0 * a1 % _Q)


def fq2_scale(a: Fq2, k: int) -> Fq2:
    """Multiply by a base-field element."""
    return (a[0] * k % _Q, a[1] * k % _Q)


def fq2_mul_xi(a: Fq2) -> Fq2:
    """Multiply by ξ = 9 + u without a general product (it happens in every Fq6 product)."""
    a0, a1 = a
    return ((9 * a0 - a1) % _Q, (a0 + 9 * a1) % _Q)


def fq2_conj(a: Fq2) -> Fq2:
    """The q-power Frobenius on Fq2."""
    return (a[0], -a[1] % _Q)


def fq2_inv(a: Fq2) -> Fq2:
    """1/(a0 + a1·u) = (a0 - a1·u)/(a0² + a1²): one base-field inversion."""
    a0, a1 = a
    inv = _invert(a0 * a0 + a1 * a1, _Q)
    return (a0 * inv % _Q, -a1 * inv % _Q)


def fq2_pow(a: Fq2, exponent: int) -> Fq2:
    result = FQ2_ONE
    for bit in bin(exponent)[2:]:
        result = fq2_sqr(result)
        if bit == "1":
            result = fq2_mul(result, a)
    return result


def fq_sqrt(a: int) -> int | None:
    """A square root in Fq (q ≡ 3 mod 4), or None; point decompression needs it."""
    root = gmpy2.powmod(a, (FQ_MODULUS + 1) // 4, _Q)
    return root if root * root % _Q == a % _Q else None


def fq2_sqrt(a: Fq2) -> Fq2 | None:
    """A square root in Fq2, or None (the q ≡ 3 mod 4 method of Adj and Rodríguez-Henríquez)."""
    a1 = fq2_pow(a, (FQ_MODULUS - 3) // 4)
    alpha = fq2_mul(fq2_sqr(a1), a)
    x0 = fq2_mul(a1, a)
    minus_one = (_Q - 1, gmpy2.mpz(0))
    if alpha == minus_one:
        root = (-x0[1] % _Q, x0[0])
    else:
        root = fq2_mul(fq2_pow(fq2_add(FQ2_ONE, alpha), (FQ_MODULUS - 1) // 2), x0)
    return root if fq2_sqr(root) == (a[0] % _Q, a[1] % _Q) else None


# -- Fq6 -----------------------------------------------------------------------------------

FQ6_ZERO: Fq6 = (FQ2_ZERO, FQ2_ZERO, FQ2_ZERO)
FQ6_ONE: Fq6 = (FQ2_ONE, FQ2_ZERO, FQ2_ZERO)


def fq6_add(a: Fq6, b: Fq6) -> Fq6:
    return (fq2_add(a[0], b[0]), fq2_add(a[1], b[1]), fq2_add(a[2], b[2]))


def fq6_sub(a: Fq6, b: Fq6) -> Fq6:
    return (fq2_sub(a[0], b[0]), fq2_sub(a[1], b[1]), fq2_sub(a[2], b[2]))


def fq6_neg(a: Fq6) -> Fq6:
    return (fq2_neg(a[0]), fq2_neg(a[1]), fq2_neg(a[2]))


def fq6_mul(a: Fq6, b: Fq6) -> Fq6:
    """Karatsuba over the cubic extension: six Fq2 products."""
    a0, a1, a2 = a
    b0, b1, b2 = b
    t0 = fq2_mul(a0, b0)
    t1 = fq2_mul(a1, b1)
    t2 = fq2_mul(a2, b2)
    c0 = fq2_add(
        t0, fq2_mul_xi(fq2_sub(fq2_mul(fq2_add(a1, a2), fq2_add(b1, b2)), fq2_add(t1, t2)))
    )
    c1 = fq2_add(
        fq2_sub(fq2_mul(fq2_add(a0, a1), fq2_add(b0, b1)), fq2_add(t0, t1)), fq2_mul_xi(t2)
    )
    c2 = fq2_add(fq2_sub(fq2_mul(fq2_add(a0, a2), fq2_add(b0, b2)), fq2_add(t0, t2)), t1)
    return (c0, c1, c2)


def fq6_mul_by_01(a: Fq6, b0: Fq2, b1: Fq2) -> Fq6:
    """Multiply by b0 + b1·v, the shape line functions have: five Fq2 products."""
    a0, a1, a2 = a
    t0 = fq2_mul(a0, b0)
    t1 = fq2_mul(a1, b1)
    c0 = fq2_add(t0, fq2_mul_xi(fq2_mul(a2, b1)))
    c1 = fq2_sub(fq2_mul(fq2_add(a0, a1), fq2_add(b0, b1)), fq2_add(t0, t1))
    c2 = fq2_add(t1, fq2_mul(a2, b0))
    return (c0, c1, c2)


def fq6_mul_v(a: Fq6) -> Fq6:
    """Multiply by v: a shift of coefficients, with v³ = ξ wrapping around."""
    return (fq2_mul_xi(a[2]), a[0], a[1])


def fq6_inv(a: Fq6) -> Fq6:
    a0, a1, a2 = a
    c0 = fq2_sub(fq2_sqr(a0), fq2_mul_xi(fq2_mul(a1, a2)))
    c1 = fq2_sub(fq2_mul_xi(fq2_sqr(a2)), fq2_mul(a0, a1))
    c2 = fq2_sub(fq2_sqr(a1), fq2_mul(a0, a2))
    norm = fq2_add(fq2_mul(a0, c0), fq2_mul_xi(fq2_add(fq2_mul(a2, c1), fq2_mul(a1, c2))))
    inv = fq2_inv(norm)
    return (fq2_mul(c0, inv), fq2_mul(c1, inv), fq2_mul(c2, inv))


# -- Fq12 ----------------------------------------------------------------------------------

FQ12_ONE: Fq12 = (FQ6_ONE, FQ6_ZERO)


def fq12_mul(a: Fq12, b: Fq12) -> Fq12:
    a0, a1 = a
    b0, b1 = b
    t0 = fq6_mul(a0, b0)
    t1 = fq6_mul(a1, b1)
    c1 = fq6_sub(fq6_mul(fq6_add(a0, a1), fq6_add(b0, b1)), fq6_add(t0, t1))
    return (fq6_add(t0, fq6_mul_v(t1)), c1)


def fq12_sqr(a: Fq12) -> Fq12:
    """Complex squaring: two Fq6 products instead of three."""
    a0, a1 = a
    t = fq6_mul(a0, a1)
    c0 = fq6_sub(fq6_mul(fq6_add(a0, a1), fq6_add(a0, fq6_mul_v(a1))), fq6_add(t, fq6_mul_v(t)))
    return (c0, fq6_add(t, t))


def fq12_conj(a: Fq12) -> Fq12:
    """a^(q⁶): also the inverse of elements of the cyclotomic subgroup."""
    return (a[0], fq6_neg(a[1]))


def fq12_inv(a: Fq12) -> Fq12:
    a0, a1 = a
    inv = fq6_inv(fq6_sub(fq6_mul(a0, a0), fq6_mul_v(fq6_mul(a1, a1))))
    return (fq6_mul(a0, inv), fq6_neg(fq6_mul(a1, inv)))


def fq12_pow(a: Fq12, exponent: int) -> Fq12:
    result = FQ12_ONE
    for bit in bin(exponent)[2:]:
        result = fq12_sqr(result)
        if bit == "1":
            result = fq12_mul(result, a)
    return result


def fq12_mul_by_line(f: Fq12, b0: Fq2, b1: Fq2) -> Fq12:
    """Multiply by 1 + (b0 + b1·v)·w, a line function scaled so that its constant term is 1."""
    f0, f1 = f
    return (
        fq6_add(f0, fq6_mul_v(fq6_mul_by_01(f1, b0, b1))),
        fq6_add(f1, fq6_mul_by_01(f0, b0, b1)),
    )


def _frobenius_coefficients(power: int) -> tuple[Fq2, ...]:
    """gamma_e = ξ^(e·(q^power - 1)/6) for the basis w^e, e = 0..5."""
    step = (FQ_MODULUS**power - 1) // 6
    return tuple(fq2_pow(fq2(9, 1), e * step) for e in range(6))


FROBENIUS_GAMMA = {power: _frobenius_coefficients(power) for power in (1, 2, 3)}
"""gamma for q, q² and q³; the pairing also uses them to apply Frobenius to twist points."""


def fq12_frobenius(a: Fq12, power: int) -> Fq12:
    """a^(q^power) for power 1, 2 or 3, coefficient-wise through the precomputed gamma.

    The coefficient of w^e sits at a[0][e/2] for even e and a[1][(e-1)/2] for odd e.
    """
    gamma = FROBENIUS_GAMMA[power]
    conj = fq2_conj if power % 2 else _identity2
    (a0, a1, a2), (b0, b1, b2) = a
    return (
        (conj(a0), fq2_mul(conj(a1), gamma[2]), fq2_mul(conj(a2), gamma[4])),
        (fq2_mul(conj(b0), gamma[1]), fq2_mul(conj(b1), gamma[3]), fq2_mul(conj(b2), gamma[5])),
    )


def _identity2(a: Fq2) -> Fq2:
    return a
