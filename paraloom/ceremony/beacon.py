"""The closing contribution from public randomness, reproducible by anyone (snarkjs' beacon).

The beacon's stream is ChaCha seeded with SHA-256 applied 2^n times to a public value (a drand
round, a future block hash); n makes the value expensive to grind before it is published.
Everything else is a normal contribution (:func:`~paraloom.ceremony.contribute
.apply_contribution`) with type 1 and the parameters stored, so a verifier replays the chain
and checks that x and s came from it. Given the same key, hash, exponent and name, the output
is byte for byte what ``snarkjs zkey beacon`` writes.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from paraloom.ceremony.chacha import ChaChaRng
from paraloom.ceremony.contribute import apply_contribution, snarkjs_name
from paraloom.ceremony.info import BEACON
from paraloom.errors import ParaloomError
from paraloom.formats.contribution_params import ContributionParams
from paraloom.progress import SILENT

if TYPE_CHECKING:
    from paraloom.ceremony.contribute import ContributionResult
    from paraloom.formats.files import Target
    from paraloom.math.backend import AnyCurveBackend
    from paraloom.progress import Progress

#: The exponents snarkjs accepts (phase2-bn254 too): at least 1024 hashes, at most 2^63.
MIN_ITERATIONS_EXP, MAX_ITERATIONS_EXP = 10, 63
#: snarkjs stores the beacon value behind a one-byte length.
MAX_BEACON_BYTES = 255
DEFAULT_NAME = "beacon"
_REPORT_EVERY = 1 << 16


def check_beacon(beacon_hash: bytes, iterations_exp: int) -> None:
    """Refuse parameters snarkjs would refuse, so every beacon made here verifies there."""
    if not 0 < len(beacon_hash) <= MAX_BEACON_BYTES:
        raise ParaloomError(
            f"a beacon value has 1 to {MAX_BEACON_BYTES} bytes, not {len(beacon_hash)}"
        )
    if not MIN_ITERATIONS_EXP <= iterations_exp <= MAX_ITERATIONS_EXP:
        raise ParaloomError(
            f"the beacon iteration exponent must be {MIN_ITERATIONS_EXP} to "
            f"{MAX_ITERATIONS_EXP}, not {iterations_exp}"
        )


def beacon_rng(beacon_hash: bytes, iterations_exp: int, progress: Progress = SILENT) -> ChaChaRng:
    """ChaCha seeded with SHA-256^(2^iterations_exp)(beacon_hash)."""
    check_beacon(beacon_hash, iterations_exp)
    total = 1 << iterations_exp
    advance = progress.task(f"SHA-256 x 2^{iterations_exp} of the beacon", total)
    value = beacon_hash
    for done in range(0, total, _REPORT_EVERY):
        for _ in range(min(_REPORT_EVERY, total - done)):
            value = hashlib.sha256(value).digest()
        advance(min(_REPORT_EVERY, total - done))
    return ChaChaRng(value)


def apply_beacon(
    backend: AnyCurveBackend,
    source: Target,
    destination: Target,
    *,
    beacon_hash: bytes,
    iterations_exp: int,
    name: str | None = DEFAULT_NAME,
    progress: Progress = SILENT,
) -> ContributionResult:
    """Close ``source`` with the beacon (see the module doc)."""
    rng = beacon_rng(beacon_hash, iterations_exp, progress)
    params = ContributionParams(snarkjs_name(name), iterations_exp, beacon_hash)
    return apply_contribution(
        backend, source, destination, rng, params, kind=BEACON, progress=progress
    )
