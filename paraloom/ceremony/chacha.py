"""The ChaCha20 random stream snarkjs draws ceremony keys from, and its field sampling.

snarkjs (ffjavascript's ``ChaCha``) and phase2-bn254 (rust ``rand`` 0.4's ``ChaChaRng``) agree
word for word, which is what lets anyone re-derive hashToG2 and a beacon's key: the state is
the "expand 32-byte k" constants, eight seed words and a 128-bit little-endian block counter
in words 12-15 (no nonce); each block is 20 rounds plus the input, read out word by word.

Field elements are drawn as those libraries do: four 64-bit limbs (least significant first,
each limb high word first), masked to the bit length of the modulus, redrawn while not below
it, and the result is taken as a *Montgomery* representation, so the element is v·R⁻¹.
Being bit-exact here is not a style choice: a different element is a different hashToG2 point
and every snarkjs transcript would fail to verify.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paraloom.formats.fields import PrimeField

_CONSTANTS = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)
_MASK32 = 0xFFFFFFFF
_SEED = struct.Struct(">8I")
_DOUBLE_ROUNDS = 10
_QUARTER_ROUNDS = (
    (0, 4, 8, 12),
    (1, 5, 9, 13),
    (2, 6, 10, 14),
    (3, 7, 11, 15),
    (0, 5, 10, 15),
    (1, 6, 11, 12),
    (2, 7, 8, 13),
    (3, 4, 9, 14),
)


def _rotate(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (32 - bits))) & _MASK32


def _quarter_round(state: list[int], a: int, b: int, c: int, d: int) -> None:
    state[a] = (state[a] + state[b]) & _MASK32
    state[d] = _rotate(state[d] ^ state[a], 16)
    state[c] = (state[c] + state[d]) & _MASK32
    state[b] = _rotate(state[b] ^ state[c], 12)
    state[a] = (state[a] + state[b]) & _MASK32
    state[d] = _rotate(state[d] ^ state[a], 8)
    state[c] = (state[c] + state[d]) & _MASK32
    state[b] = _rotate(state[b] ^ state[c], 7)


class ChaChaRng:
    """A deterministic stream of 32-bit words from a 256-bit seed (see the module doc)."""

    def __init__(self, digest: bytes) -> None:
        """Seeded with the first 32 bytes of a hash, read as big-endian words (as snarkjs)."""
        self._state = [*_CONSTANTS, *_SEED.unpack(digest[: _SEED.size]), 0, 0, 0, 0]
        self._block: list[int] = []
        self._position = 0

    def next_u32(self) -> int:
        if self._position == len(self._block):
            self._next_block()
        word = self._block[self._position]
        self._position += 1
        return word

    def next_u64(self) -> int:
        """Two words, the first one the high half."""
        high = self.next_u32()
        return (high << 32) | self.next_u32()

    def next_bool(self) -> bool:
        return self.next_u32() & 1 == 1

    def element(self, field: PrimeField) -> int:
        """A uniform element of ``field`` drawn as ffjavascript's ``F.fromRng`` draws it."""
        mask = (1 << field.modulus.bit_length()) - 1
        while True:
            value = 0
            for limb in range(field.n8 // 8):
                value |= self.next_u64() << (64 * limb)
            value &= mask
            if value < field.modulus:
                return field.from_montgomery(value)

    def _next_block(self) -> None:
        working = list(self._state)
        for _ in range(_DOUBLE_ROUNDS):
            for indices in _QUARTER_ROUNDS:
                _quarter_round(working, *indices)
        self._block = [(w + s) & _MASK32 for w, s in zip(working, self._state, strict=True)]
        self._position = 0
        self._increment_counter()

    def _increment_counter(self) -> None:
        for index in range(12, 16):
            self._state[index] = (self._state[index] + 1) & _MASK32
            if self._state[index]:
                return
