"""Verifying a phase-2 key against the key its chain starts from (see :mod:`.bases`).

From the base key, in this order (the cheap checks first, so a wrong file fails fast):

1. the circuit hash is the base key's and the base key's contributions come first, unchanged;
   at least one contribution follows them (a key with none has delta = gamma: forgeable);
2. the base key's delta is where its own transcript left it (the generators for an initial key);
3. every new contribution passes :func:`~paraloom.ceremony.chain.verify_contributions`, and the
   key's delta is the last one's;
4. what a contribution may not touch equals the base key's; C and H moved by δ_base/δ_key
   (:mod:`.sections`, random linear combinations with 128-bit coefficients).

Every point read is checked to be on the curve (G2: in the subgroup). Any failure raises
:class:`~paraloom.errors.CeremonyVerificationError` naming the contribution or section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from paraloom.ceremony.bases import open_base
from paraloom.ceremony.chain import verify_contributions, verify_delta
from paraloom.ceremony.info import KeyInfo, contribution_label, describe
from paraloom.ceremony.sections import verify_scaled, verify_unchanged
from paraloom.ceremony.streaming import open_zkey
from paraloom.errors import CeremonyVerificationError
from paraloom.math.curve import G1_GENERATOR
from paraloom.progress import SILENT

if TYPE_CHECKING:
    from collections.abc import Sequence

    from paraloom.ceremony.bases import ChainBase
    from paraloom.formats.files import Target
    from paraloom.formats.zkey import ZkeyContribution, ZkeyReader
    from paraloom.math.backend import AnyCurveBackend
    from paraloom.progress import Progress


@dataclass(frozen=True)
class VerificationReport:
    """The verified key's contributions; those from ``first_checked`` on were checked here."""

    info: KeyInfo
    first_checked: int


def verify_key(
    backend: AnyCurveBackend, key: Target, base: ChainBase, *, progress: Progress = SILENT
) -> VerificationReport:
    """Raise CeremonyVerificationError unless ``key`` validly extends ``base``."""
    with open_base(backend, base, progress) as base_reader, open_zkey(key) as key_reader:
        return verify_extension(backend, base_reader, key_reader, progress=progress)


def verify_extension(
    backend: AnyCurveBackend, base: ZkeyReader, key: ZkeyReader, *, progress: Progress = SILENT
) -> VerificationReport:
    """The checks of the module doc, between two open keys."""
    base_hash, history = base.contributions()
    cs_hash, contributions = key.contributions()
    _check_history(base_hash, history, cs_hash, contributions)
    base_delta = history[-1].delta_after if history else G1_GENERATOR
    base_delta_2 = verify_delta(backend, base.header, base_delta, "the base key")
    new = contributions[len(history) :]
    last_delta = verify_contributions(
        backend, cs_hash, history, new, base.header.delta_1, progress=progress
    )
    key_delta_2 = verify_delta(backend, key.header, last_delta, "the key")
    verify_unchanged(backend, base, key, progress)
    where = _scope(len(history) + 1, new)
    deltas = (base_delta_2, key_delta_2)
    verify_scaled(backend, base, key, deltas=deltas, where=where, progress=progress)
    header = key.header
    info = KeyInfo(
        header.n_vars, header.n_public, header.domain_size, cs_hash, describe(contributions)
    )
    return VerificationReport(info, len(history) + 1)


def _check_history(
    base_hash: bytes,
    history: Sequence[ZkeyContribution],
    cs_hash: bytes,
    contributions: Sequence[ZkeyContribution],
) -> None:
    if cs_hash != base_hash:
        raise CeremonyVerificationError(
            "the circuit hash is not the base key's: the key is for another circuit or phase 1"
        )
    for number, (ours, theirs) in enumerate(zip(history, contributions, strict=False), 1):
        if ours != theirs:
            label = contribution_label(number, theirs.params.name)
            raise CeremonyVerificationError(f"{label} is not the base key's")
    if len(contributions) <= len(history):
        raise CeremonyVerificationError(
            "the key has no contribution after the base key's"
            + ("" if history else ": delta = gamma, so anyone could forge proofs with it")
        )


def _scope(first: int, new: Sequence[ZkeyContribution]) -> str:
    if len(new) == 1:
        return contribution_label(first, new[0].params.name)
    return f"contributions #{first} to #{first + len(new) - 1}"
