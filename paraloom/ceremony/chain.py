"""The per-contribution checks of a phase-2 transcript (snarkjs' zkey_verify_frominit loop).

For contribution k, with δ_(k-1) the delta before it (the generator for the first):

1. every point is a finite group element (s, s·x, deltaAfter on G1; r·x in G2's subgroup);
2. T is the hash of csHash, the earlier public keys and (s, s·x) — it binds the proof to
   this circuit and this history;
3. with r = hashToG2(T): e(s, r·x) = e(s·x, r), so the contributor knows x;
4. e(δ_(k-1), r·x) = e(deltaAfter, r): the new delta is the old one times that same x;
5. a beacon's x and s are the ones its public parameters derive.

A failure names the contribution and the check. The sections are checked elsewhere, once for
the whole run (:mod:`paraloom.ceremony.sections`), against the last delta returned here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paraloom.ceremony.beacon import beacon_rng, check_beacon
from paraloom.ceremony.hash_to_g2 import hash_to_g2
from paraloom.ceremony.info import BEACON, NORMAL, contribution_label
from paraloom.ceremony.keypair import draw_secret
from paraloom.ceremony.transcript import Transcript
from paraloom.ceremony.validation import valid_g1, valid_g2
from paraloom.errors import CeremonyVerificationError, ParaloomError
from paraloom.progress import SILENT

if TYPE_CHECKING:
    from collections.abc import Sequence

    from paraloom.formats.zkey import Groth16Header, ZkeyContribution
    from paraloom.math.backend import AnyCurveBackend, G1Affine
    from paraloom.progress import Progress


def verify_contributions(
    backend: AnyCurveBackend,
    cs_hash: bytes,
    history: Sequence[ZkeyContribution],
    new: Sequence[ZkeyContribution],
    delta_1: G1Affine,
    *,
    progress: Progress = SILENT,
) -> G1Affine:
    """Check ``new``, appended after ``history`` to a key whose delta was ``delta_1``.

    Returns the delta the last one leaves, which the key's header must hold. The points of
    ``history`` are checked too (every point read is), its proofs are not.
    """
    for number, contribution in enumerate(history, 1):
        _points(backend, contribution, contribution_label(number, contribution.params.name))
    transcript = Transcript(cs_hash, history)
    advance = progress.task("checking the contributions", len(new))
    for number, contribution in enumerate(new, len(history) + 1):
        where = contribution_label(number, contribution.params.name)
        _verify_one(backend, transcript, delta_1, contribution, where=where, progress=progress)
        transcript.append(contribution)
        delta_1 = contribution.delta_after
        advance(1)
    return delta_1


def verify_delta(
    backend: AnyCurveBackend, header: Groth16Header, expected: G1Affine, whose: str
) -> Any:
    """The header's delta1 is ``expected`` and its delta2 the same multiple of the generator.

    Returns delta2 as a backend point, so that later checks need not validate it again.
    """
    if header.delta_1 != expected:
        raise CeremonyVerificationError(
            f"{whose}: delta1 in the header is not where its transcript leaves delta "
            "(the generator when it has no contribution)"
        )
    delta_1 = valid_g1(backend, header.delta_1, f"{whose}: delta1")
    delta_2 = valid_g2(backend, header.delta_2, f"{whose}: delta2")
    generators = backend.g1_generator(), backend.g2_generator()
    if not _same_ratio(backend, (generators[0], delta_1), (generators[1], delta_2)):
        raise CeremonyVerificationError(f"{whose}: delta2 is not the same multiple as delta1")
    return delta_2


def _verify_one(
    backend: AnyCurveBackend,
    transcript: Transcript,
    delta_before: G1Affine,
    contribution: ZkeyContribution,
    *,
    where: str,
    progress: Progress,
) -> None:
    s, sx, after, rx = _points(backend, contribution, where)
    if transcript.challenge(contribution.g1_s, contribution.g1_sx) != contribution.transcript:
        raise CeremonyVerificationError(
            f"{where}: its transcript hash is not that of the circuit, the contributions "
            "before it and its (s, s·x)"
        )
    r = valid_g2(backend, hash_to_g2(contribution.transcript), f"{where}: hashToG2(T)")
    if not _same_ratio(backend, (s, sx), (r, rx)):
        raise CeremonyVerificationError(
            f"{where}: the proof of knowledge fails, e(s, r·x) != e(s·x, r)"
        )
    before = backend.g1_from_affine(delta_before)
    if not _same_ratio(backend, (before, after), (r, rx)):
        raise CeremonyVerificationError(
            f"{where}: deltaAfter is not the previous delta times the proven secret"
        )
    if contribution.type == BEACON:
        _verify_beacon(backend, contribution, where, progress)
    elif contribution.type != NORMAL:
        raise CeremonyVerificationError(f"{where}: unknown contribution type {contribution.type}")


def _points(
    backend: AnyCurveBackend, contribution: ZkeyContribution, where: str
) -> tuple[Any, Any, Any, Any]:
    """s, s·x, deltaAfter and r·x as backend points, each a finite group element."""
    return (
        valid_g1(backend, contribution.g1_s, f"{where}: g1_s"),
        valid_g1(backend, contribution.g1_sx, f"{where}: g1_sx"),
        valid_g1(backend, contribution.delta_after, f"{where}: deltaAfter"),
        valid_g2(backend, contribution.g2_spx, f"{where}: g2_spx"),
    )


def _verify_beacon(
    backend: AnyCurveBackend, contribution: ZkeyContribution, where: str, progress: Progress
) -> None:
    params = contribution.params
    if params.beacon_hash is None or params.num_iterations_exp is None:
        raise CeremonyVerificationError(f"{where}: a beacon without its hash and iterations")
    try:
        check_beacon(params.beacon_hash, params.num_iterations_exp)
    except ParaloomError as error:
        raise CeremonyVerificationError(f"{where}: {error}") from None
    rng = beacon_rng(params.beacon_hash, params.num_iterations_exp, progress)
    _, g1_s, g1_sx = draw_secret(backend, rng)
    if (g1_s, g1_sx) != (contribution.g1_s, contribution.g1_sx):
        raise CeremonyVerificationError(
            f"{where}: its key is not the one the beacon parameters derive"
        )


def _same_ratio(backend: AnyCurveBackend, g1: tuple[Any, Any], g2: tuple[Any, Any]) -> bool:
    """e(g1[0], g2[1]) = e(g1[1], g2[0]): both pairs are related by the same scalar."""
    return bool(backend.multi_pairing_check([(g1[0], g2[1]), (backend.g1_neg(g1[1]), g2[0])]))
