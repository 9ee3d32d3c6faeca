"""snarkjs' .ptau powers-of-tau files (phase 1), section by section.

Sections: 1 header (``u32 n8, q, u32 power, u32 ceremonyPower``), 2 τ^i·G1 for i < 2*2^power - 1
(monomial basis), 3 τ^i·G2, 4 ατ^i·G1, 5 βτ^i·G1 (2^power each), 6 β·G2, 7 contributions.
After ``powersoftau prepare phase2`` sections 12-15 hold the same four series as Lagrange
evaluations for every domain 2^0 … 2^power concatenated (level 2^k starts at point 2^k - 1);
section 12 has one more level, 2^(power+1). Either all four are present or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from paraloom.errors import FormatError
from paraloom.formats.container import ContainerReader, ContainerWriter
from paraloom.formats.contribution_params import ContributionParams, read_params, write_params
from paraloom.formats.files import Target, open_destination, open_source
from paraloom.formats.points import (
    read_g1,
    read_g2,
    read_points,
    write_g1,
    write_g2,
    write_points,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from paraloom.formats.container import SectionReader, SectionWriter
    from paraloom.formats.fields import PrimeField
    from paraloom.math.backend import G1Affine, G2Affine

MAGIC = b"ptau"
VERSION = 1
HEADER, TAU_G1, TAU_G2, ALPHA_TAU_G1, BETA_TAU_G1, BETA_G2, CONTRIBUTIONS = range(1, 8)
LAGRANGE_TAU_G1, LAGRANGE_TAU_G2, LAGRANGE_ALPHA_TAU_G1, LAGRANGE_BETA_TAU_G1 = range(12, 16)
_LAGRANGE = (LAGRANGE_TAU_G1, LAGRANGE_TAU_G2, LAGRANGE_ALPHA_TAU_G1, LAGRANGE_BETA_TAU_G1)
PARTIAL_HASH_SIZE = 216
HASH_SIZE = 64
_MAX_POWER = 28
_P = TypeVar("_P")


@dataclass(frozen=True)
class PtauHeader:
    q: PrimeField
    power: int
    ceremony_power: int

    @property
    def size(self) -> int:
        """2^power: the points in sections 3-5 and the largest prepared domain."""
        return 1 << self.power


@dataclass(frozen=True)
class PtauPublicKey:
    """One secret's proof of knowledge: s·G1, s·x·G1 and r·x·G2."""

    g1_s: G1Affine
    g1_sx: G1Affine
    g2_spx: G2Affine


@dataclass(frozen=True)
class PtauContribution:
    """One phase-1 contribution: the first points after it, its keys and hashes."""

    tau_g1: G1Affine
    tau_g2: G2Affine
    alpha_g1: G1Affine
    beta_g1: G1Affine
    beta_g2: G2Affine
    tau: PtauPublicKey
    alpha: PtauPublicKey
    beta: PtauPublicKey
    partial_hash: bytes
    next_challenge: bytes
    type: int
    params: ContributionParams


@dataclass(frozen=True)
class LagrangeSections:
    """Sections 12-15 of a prepared file, every level concatenated."""

    tau_g1: tuple[G1Affine, ...]
    tau_g2: tuple[G2Affine, ...]
    alpha_tau_g1: tuple[G1Affine, ...]
    beta_tau_g1: tuple[G1Affine, ...]


@dataclass(frozen=True)
class Ptau:
    header: PtauHeader
    tau_g1: tuple[G1Affine, ...]
    tau_g2: tuple[G2Affine, ...]
    alpha_tau_g1: tuple[G1Affine, ...]
    beta_tau_g1: tuple[G1Affine, ...]
    beta_g2: G2Affine
    contributions: tuple[PtauContribution, ...]
    lagrange: LagrangeSections | None = None


def _section_lengths(header: PtauHeader) -> dict[int, int]:
    n = header.size
    levels = 2 * n - 1
    return {
        TAU_G1: 2 * n - 1,
        TAU_G2: n,
        ALPHA_TAU_G1: n,
        BETA_TAU_G1: n,
        LAGRANGE_TAU_G1: levels + 2 * n,
        LAGRANGE_TAU_G2: levels,
        LAGRANGE_ALPHA_TAU_G1: levels,
        LAGRANGE_BETA_TAU_G1: levels,
    }


class PtauReader:
    """Streams an open .ptau file; the header at once, point sections on demand."""

    def __init__(self, stream: BinaryIO, *, name: str | None = None) -> None:
        self._container = ContainerReader(stream, magic=MAGIC, versions={VERSION}, name=name)
        self._container.check_sections(
            required=range(HEADER, CONTRIBUTIONS + 1), optional=_LAGRANGE
        )
        present = [self._container.has(section_id) for section_id in _LAGRANGE]
        if any(present) and not all(present):
            raise self._container.error("sections 12-15 must be all present or all absent")
        self.prepared = all(present)
        self.header = self._read_header()
        self._lengths = _section_lengths(self.header)

    def g1_points(self, section_id: int) -> Iterator[G1Affine]:
        """The points of a G1 section (2, 4, 5, 12, 14, 15)."""
        return self._points(section_id, read_g1)

    def g2_points(self, section_id: int) -> Iterator[G2Affine]:
        """The points of a G2 section (3, 13)."""
        return self._points(section_id, read_g2)

    def beta_g2(self) -> G2Affine:
        (point,) = read_points(self._container.open(BETA_G2), 1, self.header.q, read_g2)
        return point

    def contributions(self) -> tuple[PtauContribution, ...]:
        section = self._container.open(CONTRIBUTIONS)
        contributions = tuple(self._read_contribution(section) for _ in range(section.u32()))
        section.finish()
        return contributions

    def read(self) -> Ptau:
        lagrange = None
        if self.prepared:
            lagrange = LagrangeSections(
                tuple(self.g1_points(LAGRANGE_TAU_G1)),
                tuple(self.g2_points(LAGRANGE_TAU_G2)),
                tuple(self.g1_points(LAGRANGE_ALPHA_TAU_G1)),
                tuple(self.g1_points(LAGRANGE_BETA_TAU_G1)),
            )
        return Ptau(
            self.header,
            tuple(self.g1_points(TAU_G1)),
            tuple(self.g2_points(TAU_G2)),
            tuple(self.g1_points(ALPHA_TAU_G1)),
            tuple(self.g1_points(BETA_TAU_G1)),
            self.beta_g2(),
            self.contributions(),
            lagrange,
        )

    def _read_header(self) -> PtauHeader:
        section = self._container.open(HEADER)
        header = PtauHeader(section.prime_field(), section.u32(), section.u32())
        section.finish()
        if header.power > _MAX_POWER:
            raise section.error(f"power {header.power} exceeds the 2-adicity bound {_MAX_POWER}")
        return header

    def _points(
        self, section_id: int, read: Callable[[SectionReader, PrimeField], _P]
    ) -> Iterator[_P]:
        section = self._container.open(section_id)
        return read_points(section, self._lengths[section_id], self.header.q, read)

    def _read_contribution(self, section: SectionReader) -> PtauContribution:
        q = self.header.q
        tau_g1, tau_g2 = read_g1(section, q), read_g2(section, q)
        alpha_g1, beta_g1, beta_g2 = read_g1(section, q), read_g1(section, q), read_g2(section, q)
        g1_keys = [(read_g1(section, q), read_g1(section, q)) for _ in range(3)]
        tau, alpha, beta = (PtauPublicKey(*pair, read_g2(section, q)) for pair in g1_keys)
        return PtauContribution(
            tau_g1,
            tau_g2,
            alpha_g1,
            beta_g1,
            beta_g2,
            tau,
            alpha,
            beta,
            partial_hash=section.read(PARTIAL_HASH_SIZE),
            next_challenge=section.read(HASH_SIZE),
            type=section.u32(),
            params=read_params(section),
        )


def read_ptau(source: Target) -> Ptau:
    """Load a whole .ptau file (path or binary stream); only sensible for small powers."""
    with open_source(source) as stream:
        return PtauReader(stream).read()


def write_ptau(destination: Target, ptau: Ptau) -> None:
    """Write ``ptau`` (atomically when given a path); section lengths must match the power."""
    q = ptau.header.q
    g1_series = {
        TAU_G1: ptau.tau_g1,
        ALPHA_TAU_G1: ptau.alpha_tau_g1,
        BETA_TAU_G1: ptau.beta_tau_g1,
    }
    g2_series = {TAU_G2: ptau.tau_g2}
    if ptau.lagrange is not None:
        g1_series[LAGRANGE_TAU_G1] = ptau.lagrange.tau_g1
        g1_series[LAGRANGE_ALPHA_TAU_G1] = ptau.lagrange.alpha_tau_g1
        g1_series[LAGRANGE_BETA_TAU_G1] = ptau.lagrange.beta_tau_g1
        g2_series[LAGRANGE_TAU_G2] = ptau.lagrange.tau_g2
    lengths = _section_lengths(ptau.header)
    for section_id, points in (*g1_series.items(), *g2_series.items()):
        if len(points) != lengths[section_id]:
            raise FormatError(
                f"section {section_id}: {len(points)} points, not {lengths[section_id]}"
            )
    with (
        open_destination(destination) as stream,
        ContainerWriter(stream, magic=MAGIC, version=VERSION) as writer,
    ):
        with writer.section(HEADER) as section:
            section.prime_field(q)
            section.u32(ptau.header.power)
            section.u32(ptau.header.ceremony_power)
        for section_id in sorted((*g1_series, *g2_series, BETA_G2, CONTRIBUTIONS)):
            if section_id in g1_series:
                write_points(writer, section_id, g1_series[section_id], q, write_g1)
            elif section_id in g2_series:
                write_points(writer, section_id, g2_series[section_id], q, write_g2)
            elif section_id == BETA_G2:
                write_points(writer, section_id, (ptau.beta_g2,), q, write_g2)
            else:
                with writer.section(CONTRIBUTIONS) as section:
                    section.u32(len(ptau.contributions))
                    for contribution in ptau.contributions:
                        _write_contribution(section, q, contribution)


def _write_contribution(
    section: SectionWriter, q: PrimeField, contribution: PtauContribution
) -> None:
    write_g1(section, q, contribution.tau_g1)
    write_g2(section, q, contribution.tau_g2)
    write_g1(section, q, contribution.alpha_g1)
    write_g1(section, q, contribution.beta_g1)
    write_g2(section, q, contribution.beta_g2)
    keys = (contribution.tau, contribution.alpha, contribution.beta)
    for key in keys:
        write_g1(section, q, key.g1_s)
        write_g1(section, q, key.g1_sx)
    for key in keys:
        write_g2(section, q, key.g2_spx)
    blobs = (
        (contribution.partial_hash, PARTIAL_HASH_SIZE),
        (contribution.next_challenge, HASH_SIZE),
    )
    for blob, size in blobs:
        if len(blob) != size:
            raise FormatError(f"contribution field of {len(blob)} bytes, expected {size}")
        section.write(blob)
    section.u32(contribution.type)
    write_params(section, contribution.params)
