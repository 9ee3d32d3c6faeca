"""Where a contribution's secret comes from: the OS CSPRNG, optionally mixed with user text.

seed = BLAKE2b-512(64 bytes from :func:`secrets.token_bytes` ‖ UTF-8 of the text), and the key
is drawn from :class:`~paraloom.ceremony.chacha.ChaChaRng` seeded with its first 32 bytes.
That is snarkjs' own derivation (``misc.getRandomRng``), so paraloom's and snarkjs'
contributions are built the same way, but the text is optional here: 512 bits from the OS
already make the secret unpredictable, and the text can only add to them, never replace them.

paraloom never prompts for the text. A prompt adds nothing the OS does not already give, and
it is what hangs snarkjs in scripts and CI (its prompt blocks on stdin); a participant who
wants to mix in their own randomness passes ``--entropy``.
"""

from __future__ import annotations

import hashlib
import secrets

from paraloom.ceremony.chacha import ChaChaRng

OS_ENTROPY_BYTES = 64


def contribution_rng(text: str | None = None) -> ChaChaRng:
    """A fresh random stream for one contribution (see the module doc)."""
    hasher = hashlib.blake2b(secrets.token_bytes(OS_ENTROPY_BYTES), digest_size=64)
    if text:
        hasher.update(text.encode("utf-8", "surrogatepass"))
    return ChaChaRng(hasher.digest())
