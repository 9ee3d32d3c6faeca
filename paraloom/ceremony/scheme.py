"""``bgm17``: the ceremony scheme component over snarkjs .zkey files.

The plugin in :mod:`paraloom.plugins.ceremony_schemes` only registers this; callers (the
``paraloom-ceremony`` CLI, a coordinator) get it from the registry and pass the curve backend
the configuration selected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paraloom.ceremony.beacon import DEFAULT_NAME, apply_beacon
from paraloom.ceremony.contribute import contribute
from paraloom.ceremony.verify import verify_key
from paraloom.progress import SILENT

if TYPE_CHECKING:
    from paraloom.ceremony.bases import ChainBase
    from paraloom.ceremony.contribute import ContributionResult
    from paraloom.ceremony.verify import VerificationReport
    from paraloom.formats.files import Target
    from paraloom.math.backend import AnyCurveBackend
    from paraloom.progress import Progress


class Bgm17Scheme:
    """Groth16 phase 2 (Bowe-Gabizon-Miers 2017) exactly as snarkjs and phase2-bn254 do it."""

    def contribute(
        self,
        backend: AnyCurveBackend,
        source: Target,
        destination: Target,
        *,
        name: str | None,
        entropy: str | None = None,
        progress: Progress = SILENT,
    ) -> ContributionResult:
        return contribute(
            backend, source, destination, name=name, entropy=entropy, progress=progress
        )

    def beacon(
        self,
        backend: AnyCurveBackend,
        source: Target,
        destination: Target,
        *,
        beacon_hash: bytes,
        iterations_exp: int,
        name: str | None = DEFAULT_NAME,
        progress: Progress = SILENT,
    ) -> ContributionResult:
        return apply_beacon(
            backend,
            source,
            destination,
            beacon_hash=beacon_hash,
            iterations_exp=iterations_exp,
            name=name,
            progress=progress,
        )

    def verify(
        self,
        backend: AnyCurveBackend,
        key: Target,
        base: ChainBase,
        *,
        progress: Progress = SILENT,
    ) -> VerificationReport:
        return verify_key(backend, key, base, progress=progress)
