"""snarkjs' ChaCha20 stream, checked against an independent ChaCha20 (the cryptography package).

With an all-zero nonce, RFC 8439's state is snarkjs' (constants, key words, a zero counter in
words 12-15), so the keystream read as little-endian words must be our word stream.
"""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.ceremony.chacha import ChaChaRng
from paraloom.formats.fields import FQ, FR, PrimeField

algorithms = pytest.importorskip("cryptography.hazmat.primitives.ciphers.algorithms")
ciphers = pytest.importorskip("cryptography.hazmat.primitives.ciphers")

DIGESTS = st.binary(min_size=32, max_size=64)


def keystream_words(digest: bytes, count: int) -> list[int]:
    key = b"".join(word.to_bytes(4, "little") for word in struct.unpack(">8I", digest[:32]))
    cipher = ciphers.Cipher(algorithms.ChaCha20(key, bytes(16)), mode=None)
    stream = cipher.encryptor().update(bytes(4 * count))
    return list(struct.unpack(f"<{count}I", stream))


@settings(max_examples=25)
@given(DIGESTS, st.integers(min_value=1, max_value=70))
def test_words_are_the_chacha20_keystream(digest: bytes, count: int) -> None:
    rng = ChaChaRng(digest)
    assert [rng.next_u32() for _ in range(count)] == keystream_words(digest, count)


@settings(max_examples=25)
@given(DIGESTS)
def test_u64_takes_the_first_word_as_the_high_half(digest: bytes) -> None:
    high, low = keystream_words(digest, 2)
    assert ChaChaRng(digest).next_u64() == high << 32 | low


@settings(max_examples=25)
@given(DIGESTS)
def test_bool_is_the_low_bit_of_a_word(digest: bytes) -> None:
    assert ChaChaRng(digest).next_bool() == bool(keystream_words(digest, 1)[0] & 1)


@settings(max_examples=25)
@given(DIGESTS, st.sampled_from([FQ, FR]))
def test_elements_are_montgomery_forms_of_masked_little_endian_limbs(
    digest: bytes, field: PrimeField
) -> None:
    """The first draw below the modulus, read as v·R mod p (so the element is v/R).

    32 draws are taken from the keystream: all of them are rejected with probability < 2^-60.
    """
    words = keystream_words(digest, 256)
    limbs = [(words[i] << 32) | words[i + 1] for i in range(0, 256, 2)]
    candidates = [
        sum(limb << (64 * j) for j, limb in enumerate(limbs[k : k + 4])) & ((1 << 254) - 1)
        for k in range(0, 128, 4)
    ]
    expected = next(v for v in candidates if v < field.modulus)
    assert field.to_montgomery(ChaChaRng(digest).element(field)) == expected
