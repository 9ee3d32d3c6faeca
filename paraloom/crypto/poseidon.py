"""Poseidon over BN254's scalar field with circomlib's parameters (circomlibjs, poseidon.circom).

The round constants and MDS matrices are derived, not vendored: they come from the Grain LFSR
of the Poseidon paper, exactly as circomlib's were (``generate_parameters_grain.sage 1 0 254 t 8
R_P p``), so anyone can audit them instead of trusting thousands of copied numbers. Deriving
one width takes about 12 ms (t = 3) to 80 ms (t = 17); it happens on first use of that width
and is cached for the process, so starting the CLI costs nothing.

The permutation runs in the optimised form of circomlibjs' ``poseidon_opt``, derived here from
C and M by two rewrites that change no output:

1. A partial round's S-box touches lane 0 only, so its constants on lanes 1.. can be added
   after the S-box instead, and then (through M) to the next round's constants. Moving them
   forward leaves one constant per partial round; the first full round after absorbs the rest.
2. Split M = B·A with A = diag(1, M̂) (M̂ is M without row and column 0) and the sparse
   B = [[m00, m_rowᵀ·M̂⁻¹], [m_col, I]]. A does not touch lane 0, so it commutes with a partial
   round and moves backwards through all n of them into the full round before them, which then
   multiplies by P = diag(1, M̂ⁿ)·M. Partial round j is left with the sparse
   B_j = [[m00, m_rowᵀ·M̂^-(n-j)], [M̂^(n-1-j)·m_col, I]]: 2t - 1 products instead of t².

Arithmetic uses gmpy2: 111 µs per Poseidon(2) against 218 µs with ``int`` (measured); results
are ``int``.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import gmpy2

from paraloom.crypto.hashes import require_elements
from paraloom.errors import InvalidScalarError
from paraloom.math.fields import FR_MODULUS, batch_inverse

FULL_ROUNDS = 8
"""R_F: four full rounds before the partial rounds and four after, for every width."""

PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)
"""R_P for widths t = 2..17 (circomlib's choice for 128-bit security with the x^5 S-box)."""

MIN_WIDTH, MAX_WIDTH = 2, 2 + len(PARTIAL_ROUNDS) - 1
MAX_INPUTS = MAX_WIDTH - 1

DIGEST_SIZE = 32
"""Bytes of :func:`poseidon_digest`: one field element, big-endian."""

_FIELD_BITS = 254
_P = gmpy2.mpz(FR_MODULUS)
_mpz = gmpy2.mpz

Vector = tuple[int, ...]
Matrix = tuple[Vector, ...]


@dataclass(frozen=True)
class PoseidonParameters:
    """circomlib's parameters for one width: what the reference permutation (and a gadget) runs.

    Round r adds ``round_constants[r]``, applies x^5 to every lane (full rounds: the first and
    last ``FULL_ROUNDS // 2``) or to lane 0 only (partial rounds), then multiplies by ``mds``.
    """

    width: int
    partial_rounds: int
    round_constants: tuple[Vector, ...]
    mds: Matrix

    @property
    def rounds(self) -> int:
        return FULL_ROUNDS + self.partial_rounds

    def is_full_round(self, round_index: int) -> bool:
        half = FULL_ROUNDS // 2
        return round_index < half or round_index >= half + self.partial_rounds


@cache
def poseidon_parameters(width: int) -> PoseidonParameters:
    """The constants of width ``width`` (2..17), derived once per process."""
    _require_width(width)
    partial_rounds = PARTIAL_ROUNDS[width - MIN_WIDTH]
    bits = _GrainBits(width, partial_rounds)
    flat = [bits.field_element() for _ in range((FULL_ROUNDS + partial_rounds) * width)]
    constants = tuple(tuple(flat[i : i + width]) for i in range(0, len(flat), width))
    return PoseidonParameters(width, partial_rounds, constants, _cauchy_matrix(bits, width))


def poseidon_permutation(state: Sequence[int]) -> list[int]:
    """The Poseidon permutation of a state of 2..17 field elements (circomlib's poseidonEx)."""
    _require_width(len(state))
    require_elements(state, "Poseidon state element")
    return [int(value) for value in _permute(list(map(_mpz, state)))]


def poseidon_hash(inputs: Sequence[int]) -> int:
    """circomlib's ``Poseidon(n)``: state[0] of the permutation of ``[0, *inputs]``, n = 1..16."""
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise InvalidScalarError(f"Poseidon takes 1 to {MAX_INPUTS} inputs, got {len(inputs)}")
    require_elements(inputs, "Poseidon input")
    return int(_permute([_mpz(0), *map(_mpz, inputs)])[0])


# -- bytes --------------------------------------------------------------------------------

_SPONGE_RATE = 2
_CHUNK_BYTES = 31  # the most whole bytes below r, so every chunk is a field element as is


def poseidon_digest(data: bytes) -> bytes:
    """Poseidon over bytes: a sponge on the width-3 permutation, for the HashFunction contract.

    Lane 0 (circomlib's capacity lane) starts at ``len(data)``; the data, cut into 31-byte
    big-endian chunks, is added two chunks at a time to lanes 1 and 2, with one permutation
    after each pair (at least one); the digest is lane 0 as 32 bytes big-endian. The length
    makes the chunking injective, so data of at most 62 bytes hashes to circomlib's
    ``PoseidonEx(2, 1)`` of its two chunks (zero if absent) with ``initialState = len(data)``.
    """
    chunks = [
        _mpz(int.from_bytes(data[i : i + _CHUNK_BYTES], "big"))
        for i in range(0, len(data), _CHUNK_BYTES)
    ]
    state = [_mpz(len(data)), *[_mpz(0)] * _SPONGE_RATE]
    for start in range(0, max(len(chunks), 1), _SPONGE_RATE):
        block = chunks[start : start + _SPONGE_RATE]
        lanes = itertools.zip_longest(state[1:], block, fillvalue=0)
        state = _permute([state[0], *((lane + value) % _P for lane, value in lanes)])
    return int(state[0]).to_bytes(DIGEST_SIZE, "big")


@dataclass(frozen=True)
class PoseidonHash:
    """Poseidon behind the HashFunction contract: field-native, circomlib-compatible."""

    digest_size: int = DIGEST_SIZE

    def digest(self, data: bytes) -> bytes:
        return poseidon_digest(data)

    def hash_elements(self, elements: Sequence[int]) -> int:
        """circomlib's Poseidon of 1..16 elements (InvalidScalarError otherwise)."""
        return poseidon_hash(elements)


# -- the optimised permutation ------------------------------------------------------------


@dataclass(frozen=True)
class _Schedule:
    """The optimised rounds of one width (see the module docstring); values are mpz."""

    first_full: tuple[tuple[Vector, Matrix], ...]
    corner: int
    partial: tuple[tuple[int, Vector, Vector], ...]
    last_full: tuple[tuple[Vector, Matrix], ...]


def _permute(state: list[int]) -> list[int]:
    schedule = _schedule(len(state))
    state = _full_rounds(state, schedule.first_full)
    first, *rest = state
    corner = schedule.corner
    for constant, row, column in schedule.partial:
        x = first + constant
        y = x * x % _P
        x = x * y * y % _P
        first = (corner * x + sum(map(operator.mul, row, rest))) % _P
        rest = [(lane + w * x) % _P for lane, w in zip(rest, column, strict=True)]
    return _full_rounds([first, *rest], schedule.last_full)


def _full_rounds(state: list[int], rounds: tuple[tuple[Vector, Matrix], ...]) -> list[int]:
    for constants, matrix in rounds:
        # x^5 as x·(x²)², each lane reduced once per product pair
        boxed = [x * (y := x * x % _P) * y % _P for x in map(operator.add, state, constants)]
        state = [sum(map(operator.mul, row, boxed)) % _P for row in matrix]
    return state


@cache
def _schedule(width: int) -> _Schedule:
    parameters = poseidon_parameters(width)
    mds, n, half = parameters.mds, parameters.partial_rounds, FULL_ROUNDS // 2
    constants = _moved_partial_constants(parameters)
    sparse, pre_partial = _sparse_factorisation(mds, n)
    first_matrices = [*[mds] * (half - 1), pre_partial]
    return _Schedule(
        first_full=_mpz_rounds(zip(constants[:half], first_matrices, strict=True)),
        corner=_mpz(mds[0][0]),
        partial=tuple(
            (_mpz(round_constants[0]), _mpz_vector(row), _mpz_vector(column))
            for round_constants, (row, column) in zip(
                constants[half : half + n], sparse, strict=True
            )
        ),
        last_full=_mpz_rounds((c, mds) for c in constants[half + n :]),
    )


def _sparse_factorisation(mds: Matrix, n: int) -> tuple[list[tuple[Vector, Vector]], Matrix]:
    """(row, column) of B_j for partial rounds j = 0..n-1, and P (see the module docstring)."""
    m_hat = tuple(row[1:] for row in mds[1:])
    m_hat_inverse = _inverse(m_hat)
    factors = []
    row, column = mds[0][1:], tuple(r[0] for r in mds[1:])
    for _ in range(n):  # from the last partial round back: M̂^-(k+1) and M̂^k for B_(n-1-k)
        row = _vec_mat(row, m_hat_inverse)
        factors.append((row, column))
        column = _mat_vec(m_hat, column)
    factors.reverse()
    return factors, (mds[0], *_mat_mul(_mat_pow(m_hat, n), mds[1:]))


def _moved_partial_constants(parameters: PoseidonParameters) -> list[Vector]:
    """Round constants with each partial round's lanes 1.. moved into the next round via M."""
    constants = list(parameters.round_constants)
    half = FULL_ROUNDS // 2
    for r in range(half, half + parameters.partial_rounds):
        moved = _mat_vec(parameters.mds, (0, *constants[r][1:]))
        constants[r + 1] = tuple(
            (a + b) % FR_MODULUS for a, b in zip(constants[r + 1], moved, strict=True)
        )
        constants[r] = (constants[r][0], *[0] * (parameters.width - 1))
    return constants


def _mpz_rounds(rounds: Iterable[tuple[Vector, Matrix]]) -> tuple[tuple[Vector, Matrix], ...]:
    return tuple(
        (_mpz_vector(constants), tuple(map(_mpz_vector, matrix))) for constants, matrix in rounds
    )


def _mpz_vector(values: Vector) -> Vector:
    return tuple(map(_mpz, values))


# -- Grain LFSR ---------------------------------------------------------------------------

#: Self-shrinking of one byte of raw LFSR bits (bit k is the k-th oldest): of each pair
#: (a, b), b is kept when a is 1.
_SHRINK = tuple(
    "".join(str(byte >> (k + 1) & 1) for k in range(0, 8, 2) if byte >> k & 1)
    for byte in range(256)
)


class _GrainBits:
    """The Poseidon paper's Grain LFSR, self-shrunk, as a source of 254-bit field elements.

    The 80-bit state starts as field = 1 (2 bits), S-box = 0 (4), n = 254 (12), t (12),
    R_F (10), R_P (10) and thirty 1-bits; each clock appends the XOR of bits 62, 51, 38, 23,
    13 and 0. Those taps lie at least 18 bits below the new bit, so eight bits are clocked at
    once (bit k of the integer state is the k-th oldest); the first 160 are discarded.
    """

    def __init__(self, width: int, partial_rounds: int) -> None:
        fields: tuple[tuple[int, int], ...] = (
            (1, 2),  # field: prime
            (0, 4),  # S-box: x^alpha
            (_FIELD_BITS, 12),
            (width, 12),
            (FULL_ROUNDS, 10),
            (partial_rounds, 10),
            ((1 << 30) - 1, 30),
        )
        initial = "".join(format(value, f"0{size}b") for value, size in fields)
        self._state = int(initial[::-1], 2)
        for _ in range(160 // 8):
            self._clock()
        self._buffer = ""

    def field_element(self) -> int:
        """Rejection sampling, as the reference does for round constants: 254 bits < r."""
        while (value := self.bits(_FIELD_BITS)) >= FR_MODULUS:
            pass
        return value

    def bits(self, count: int) -> int:
        """The next ``count`` output bits as an integer, first bit most significant."""
        parts = [self._buffer]
        have = len(self._buffer)
        while have < count:
            part = _SHRINK[self._clock()]
            parts.append(part)
            have += len(part)
        joined = "".join(parts)
        self._buffer = joined[count:]
        return int(joined[:count], 2)

    def _clock(self) -> int:
        state = self._state
        new = (state >> 62 ^ state >> 51 ^ state >> 38 ^ state >> 23 ^ state >> 13 ^ state) & 0xFF
        self._state = state >> 8 | new << 72
        return new


def _cauchy_matrix(bits: _GrainBits, width: int) -> Matrix:
    """M[i][j] = 1/(x_i + y_j) from the next 2t outputs mod r (redrawn if any repeat)."""
    values: list[int] = []
    while len(set(values)) != 2 * width:
        values = [bits.bits(_FIELD_BITS) % FR_MODULUS for _ in range(2 * width)]
    xs, ys = values[:width], values[width:]
    inverses = [int(v) for v in batch_inverse([x + y for x in xs for y in ys], FR_MODULUS)]
    return tuple(tuple(inverses[i * width : (i + 1) * width]) for i in range(width))


# -- small matrix algebra over Fr ----------------------------------------------------------


def _mat_vec(matrix: Matrix, vector: Vector) -> Vector:
    return tuple(sum(map(operator.mul, row, vector)) % FR_MODULUS for row in matrix)


def _vec_mat(vector: Vector, matrix: Matrix) -> Vector:
    return _mat_vec(tuple(zip(*matrix, strict=True)), vector)


def _mat_mul(left: Matrix, right: Matrix) -> Matrix:
    columns = tuple(zip(*right, strict=True))
    return tuple(_mat_vec(columns, row) for row in left)


def _mat_pow(matrix: Matrix, exponent: int) -> Matrix:
    size = len(matrix)
    result = tuple(tuple(int(i == j) for j in range(size)) for i in range(size))
    while exponent:
        if exponent & 1:
            result = _mat_mul(result, matrix)
        matrix = _mat_mul(matrix, matrix)
        exponent >>= 1
    return result


def _inverse(matrix: Matrix) -> Matrix:
    """Gauss-Jordan elimination; the Cauchy matrices here are invertible by construction."""
    size = len(matrix)
    rows = [[*row, *(int(i == j) for j in range(size))] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = next(r for r in range(col, size) if rows[r][col])
        rows[col], rows[pivot] = rows[pivot], rows[col]
        scale = pow(rows[col][col], -1, FR_MODULUS)
        rows[col] = [value * scale % FR_MODULUS for value in rows[col]]
        for r in range(size):
            factor = rows[r][col]
            if r != col and factor:
                rows[r] = [
                    (a - factor * b) % FR_MODULUS for a, b in zip(rows[r], rows[col], strict=True)
                ]
    return tuple(tuple(row[size:]) for row in rows)


def _require_width(width: int) -> None:
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise InvalidScalarError(
            f"Poseidon state width {width} is not in {MIN_WIDTH}..{MAX_WIDTH} "
            f"(1 to {MAX_INPUTS} inputs)"
        )
