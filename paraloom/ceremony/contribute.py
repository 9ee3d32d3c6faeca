"""One phase-2 step over a snarkjs .zkey: δ ← x·δ and every C (L) and H point ← x⁻¹·point.

Nothing else changes: alpha, beta, gamma, IC, A, B1, B2 and the coefficients are copied byte
for byte and the contribution record is appended to section 10, so the output is exactly what
``snarkjs zkey contribute`` writes for the same x. The two scaled sections stream through the
backend's batch multiplication chunk by chunk, so memory stays bounded by the chunk size.

A contribution needs a well-formed key, not a verified one: checking the chain is ``verify``'s
job, and a participant refusing to build on an unverified key is the coordinator's policy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from paraloom.ceremony.entropy import contribution_rng
from paraloom.ceremony.info import NORMAL
from paraloom.ceremony.keypair import derive_key
from paraloom.ceremony.streaming import chunked, copy_section, open_zkey
from paraloom.ceremony.transcript import Transcript, contribution_hash
from paraloom.formats.contribution_params import ContributionParams
from paraloom.formats.points import write_g1, write_points
from paraloom.formats.zkey import (
    B1,
    B2,
    COEFFICIENTS,
    IC,
    A,
    ZkeyContribution,
    write_contributions,
    write_header,
    write_protocol,
    zkey_writer,
)
from paraloom.formats.zkey import C as C_SECTION
from paraloom.formats.zkey import H as H_SECTION
from paraloom.math.fields import fr_inv
from paraloom.progress import SILENT

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from paraloom.ceremony.chacha import ChaChaRng
    from paraloom.formats.container import ContainerWriter
    from paraloom.formats.files import Target
    from paraloom.formats.zkey import Groth16Header, ZkeyReader
    from paraloom.math.backend import AnyCurveBackend, G1Affine
    from paraloom.progress import Advance, Progress

#: snarkjs keeps the first 64 UTF-16 code units of a name (``name.substring(0, 64)``).
NAME_UNITS = 64
_UNCHANGED_SECTIONS = (IC, COEFFICIENTS, A, B1, B2)


@dataclass(frozen=True)
class ContributionResult:
    """What a step appended: the record, its 1-based number and its contribution hash."""

    number: int
    contribution: ZkeyContribution
    hash: bytes


def contribute(
    backend: AnyCurveBackend,
    source: Target,
    destination: Target,
    *,
    name: str | None = None,
    entropy: str | None = None,
    progress: Progress = SILENT,
) -> ContributionResult:
    """Contribute fresh randomness (see :mod:`paraloom.ceremony.entropy`) to ``source``."""
    params = ContributionParams(name=snarkjs_name(name))
    rng = contribution_rng(entropy)
    return apply_contribution(backend, source, destination, rng, params, progress=progress)


def apply_contribution(
    backend: AnyCurveBackend,
    source: Target,
    destination: Target,
    rng: ChaChaRng,
    params: ContributionParams,
    *,
    kind: int = NORMAL,
    progress: Progress = SILENT,
) -> ContributionResult:
    """The step keyed by the stream ``rng``: a participant's or a beacon's, by ``kind``."""
    with open_zkey(source) as reader:
        cs_hash, history = reader.contributions()
        key = derive_key(backend, rng, Transcript(cs_hash, history))
        header = _scaled_header(backend, reader.header, key.secret)
        contribution = ZkeyContribution(
            header.delta_1, key.g1_s, key.g1_sx, key.g2_spx, key.transcript, kind, params
        )
        contributions = (*history, contribution)
        with zkey_writer(destination) as writer:
            write_protocol(writer)
            write_header(writer, header)
            for section_id in _UNCHANGED_SECTIONS:
                copy_section(writer, reader, section_id)
            _write_scaled(backend, writer, reader, fr_inv(key.secret), progress)
            write_contributions(writer, header.q, cs_hash, contributions)
    return ContributionResult(len(contributions), contribution, contribution_hash(contribution))


def snarkjs_name(name: str | None) -> str | None:
    """The name as snarkjs stores it: at most 64 UTF-16 units, an empty one left out.

    A cut through a surrogate pair leaves half a character, which snarkjs' UTF-8 encoder
    writes as U+FFFD; decoding the cut UTF-16 with "replace" does the same.
    """
    if not name:
        return None
    units = name.encode("utf-16-le", "surrogatepass")[: 2 * NAME_UNITS]
    return units.decode("utf-16-le", "replace")


def scale_points(
    backend: AnyCurveBackend, points: Iterable[G1Affine], scalar: int, advance: Advance
) -> Iterator[G1Affine]:
    """``scalar`` times each point, chunk by chunk (the points are checked on the way in)."""
    for chunk in chunked(points):
        scaled = backend.g1_batch_mul(backend.g1_batch_from_affine(chunk), scalar)
        yield from backend.g1_batch_to_affine(scaled)
        advance(len(chunk))


def _write_scaled(
    backend: AnyCurveBackend,
    writer: ContainerWriter,
    reader: ZkeyReader,
    inverse: int,
    progress: Progress,
) -> None:
    """Sections 8 (C, snarkjs' "L") and 9 (H) times x⁻¹, as snarkjs' applyKeyToSection."""
    header = reader.header
    for section_id, points, count in (
        (C_SECTION, reader.c(), header.n_private),
        (H_SECTION, reader.h(), header.domain_size),
    ):
        advance = progress.task(f"scaling section {section_id} by 1/delta", count)
        scaled = scale_points(backend, points, inverse, advance)
        write_points(writer, section_id, scaled, header.q, write_g1)


def _scaled_header(backend: AnyCurveBackend, header: Groth16Header, secret: int) -> Groth16Header:
    delta_1 = backend.g1_mul(backend.g1_from_affine(header.delta_1), secret)
    delta_2 = backend.g2_mul(backend.g2_from_affine(header.delta_2), secret)
    return replace(
        header,
        delta_1=backend.g1_to_affine(delta_1),
        delta_2=backend.g2_to_affine(delta_2),
    )
