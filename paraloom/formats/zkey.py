"""snarkjs' Groth16 .zkey proving keys (protocol 1), section by section.

Sections: 1 protocol, 2 Groth16 header, 3 IC, 4 coefficients, 5 A, 6 B1, 7 B2, 8 C (private
wires), 9 H, 10 contributions. Points are Montgomery-encoded (see :mod:`.points`). Coefficient
values carry one extra Montgomery factor: snarkjs stores v·R² mod r so that a Montgomery
multiplication by a raw witness value yields v·w in Montgomery form; reading them as plain
Montgomery values would silently scale every coefficient by R.

The reader streams each section on demand so that a ceremony can walk H and C of a large key
in constant memory. The writer emits sections in ascending order, as ``snarkjs zkey
contribute`` does, or in the order of ``zkey new`` (readers accept any).

:func:`proving_key_of` and :func:`zkey_of` convert to and from the format-free
:class:`~paraloom.zk.keys.ProvingKey` that the prover uses.
"""

from __future__ import annotations

import contextlib
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Literal, TypeVar

from paraloom.errors import FormatError, InvalidScalarError, SetupError
from paraloom.formats.container import ContainerReader, ContainerWriter
from paraloom.formats.contribution_params import ContributionParams, read_params, write_params
from paraloom.formats.fields import FQ, FR
from paraloom.formats.files import Target, open_destination, open_source
from paraloom.formats.points import (
    read_g1,
    read_g2,
    read_points,
    write_g1,
    write_g2,
    write_points,
)
from paraloom.zk.keys import Coefficient, ProvingKey

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from paraloom.formats.container import SectionReader, SectionWriter
    from paraloom.formats.fields import PrimeField
    from paraloom.math.backend import G1Affine, G2Affine

MAGIC = b"zkey"
VERSION = 1
GROTH16 = 1
PROTOCOL, HEADER, IC, COEFFICIENTS, A, B1, B2, C, H, CONTRIBUTIONS = range(1, 11)
_PROTOCOL_NAMES = {1: "groth16", 2: "plonk", 10: "fflonk"}
HASH_SIZE = 64
#: Section orders of the two snarkjs writers (readers accept any order).
SECTION_ORDERS = {
    "contribute": (PROTOCOL, HEADER, IC, COEFFICIENTS, A, B1, B2, C, H, CONTRIBUTIONS),
    "new": (PROTOCOL, HEADER, COEFFICIENTS, IC, H, C, A, B1, B2, CONTRIBUTIONS),
}
_P = TypeVar("_P")
#: Coefficients read per block of section 4.
_BLOCK_COEFFICIENTS = 1 << 12


@dataclass(frozen=True)
class Groth16Header:
    """Section 2: the fields, the sizes and the verifying-key points."""

    q: PrimeField
    r: PrimeField
    n_vars: int
    n_public: int
    domain_size: int
    alpha_1: G1Affine
    beta_1: G1Affine
    beta_2: G2Affine
    gamma_2: G2Affine
    delta_1: G1Affine
    delta_2: G2Affine

    @property
    def n_private(self) -> int:
        """Wires in the C section: all but ONE and the public signals."""
        return self.n_vars - self.n_public - 1


@dataclass(frozen=True)
class ZkeyContribution:
    """One phase-2 contribution: the new δ·G1, the proof of knowledge and its transcript."""

    delta_after: G1Affine
    g1_s: G1Affine
    g1_sx: G1Affine
    g2_spx: G2Affine
    transcript: bytes
    type: int
    params: ContributionParams


@dataclass(frozen=True)
class Zkey:
    """A whole proving key in memory (use :class:`ZkeyReader` to stream large ones)."""

    header: Groth16Header
    ic: tuple[G1Affine, ...]
    coefficients: tuple[Coefficient, ...]
    a: tuple[G1Affine, ...]
    b1: tuple[G1Affine, ...]
    b2: tuple[G2Affine, ...]
    c: tuple[G1Affine, ...]
    h: tuple[G1Affine, ...]
    cs_hash: bytes
    contributions: tuple[ZkeyContribution, ...]


class ZkeyReader:
    """Streams an open .zkey file; the header is read at once, other sections on demand."""

    def __init__(self, stream: BinaryIO, *, name: str | None = None) -> None:
        self._container = ContainerReader(stream, magic=MAGIC, versions={VERSION}, name=name)
        self._container.check_sections(required=range(PROTOCOL, CONTRIBUTIONS + 1))
        self._read_protocol()
        self.header = self._read_header()

    def chunks(self, section_id: int) -> Iterator[bytes]:
        """A section's raw bytes, for copying the sections a contribution leaves unchanged."""
        return self._container.chunks(section_id)

    def ic(self) -> Iterator[G1Affine]:
        return self._points(IC, self.header.n_public + 1, read_g1)

    def a(self) -> Iterator[G1Affine]:
        return self._points(A, self.header.n_vars, read_g1)

    def b1(self) -> Iterator[G1Affine]:
        return self._points(B1, self.header.n_vars, read_g1)

    def b2(self) -> Iterator[G2Affine]:
        return self._points(B2, self.header.n_vars, read_g2)

    def c(self) -> Iterator[G1Affine]:
        return self._points(C, self.header.n_private, read_g1)

    def h(self) -> Iterator[G1Affine]:
        return self._points(H, self.header.domain_size, read_g1)

    def coefficients(self) -> Iterator[Coefficient]:
        for section, block in self._coefficient_blocks():
            for fields in block:
                yield self._coefficient(section, *fields)

    def check_coefficients(self) -> None:
        """What :meth:`coefficients` refuses, refused without building the entries.

        A verifier only needs section 4 to be well formed; checking each block's maxima keeps
        that cheap, and only a block that fails is walked entry by entry to name the culprit.
        """
        header = self.header
        limits = (2, header.domain_size, header.n_vars, header.r.modulus)
        for section, block in self._coefficient_blocks():
            if not block:
                continue
            matrices, constraints, signals, stored = zip(*block, strict=True)
            values = [int.from_bytes(value, "little") for value in stored]
            maxima = (max(matrices), max(constraints), max(signals), max(values))
            if any(found >= limit for found, limit in zip(maxima, limits, strict=True)):
                for fields in block:
                    self._coefficient(section, *fields)

    def contributions(self) -> tuple[bytes, tuple[ZkeyContribution, ...]]:
        """The circuit hash (csHash) and the contributions, oldest first."""
        section = self._container.open(CONTRIBUTIONS)
        cs_hash = section.read(HASH_SIZE)
        count = section.u32()
        contributions = tuple(self._read_contribution(section) for _ in range(count))
        section.finish()
        return cs_hash, contributions

    def read(self) -> Zkey:
        cs_hash, contributions = self.contributions()
        return Zkey(
            self.header,
            tuple(self.ic()),
            tuple(self.coefficients()),
            tuple(self.a()),
            tuple(self.b1()),
            tuple(self.b2()),
            tuple(self.c()),
            tuple(self.h()),
            cs_hash,
            contributions,
        )

    def _read_protocol(self) -> None:
        section = self._container.open(PROTOCOL)
        protocol = section.u32()
        section.finish()
        if protocol != GROTH16:
            name = _PROTOCOL_NAMES.get(protocol, "unknown")
            raise section.error(f"protocol {protocol} ({name}) is not supported, only groth16")

    def _read_header(self) -> Groth16Header:
        section = self._container.open(HEADER)
        q, r = section.prime_field(), section.prime_field()
        n_vars, n_public, domain_size = section.u32(), section.u32(), section.u32()
        header = Groth16Header(
            q,
            r,
            n_vars,
            n_public,
            domain_size,
            alpha_1=read_g1(section, q),
            beta_1=read_g1(section, q),
            beta_2=read_g2(section, q),
            gamma_2=read_g2(section, q),
            delta_1=read_g1(section, q),
            delta_2=read_g2(section, q),
        )
        section.finish()
        if n_public >= n_vars:
            raise section.error(f"nPublic = {n_public} leaves no room for ONE in {n_vars} vars")
        if domain_size == 0 or domain_size & (domain_size - 1):
            raise section.error(f"domain size {domain_size} is not a power of two")
        return header

    def _points(
        self, section_id: int, count: int, read: Callable[[SectionReader, PrimeField], _P]
    ) -> Iterator[_P]:
        return read_points(self._container.open(section_id), count, self.header.q, read)

    def _coefficient_blocks(
        self,
    ) -> Iterator[tuple[SectionReader, list[tuple[int, int, int, bytes]]]]:
        """Section 4's entries unpacked in blocks (a key has several per constraint)."""
        section = self._container.open(COEFFICIENTS)
        count, entry = section.u32(), struct.Struct(f"<III{self.header.r.n8}s")
        for first in range(0, count, _BLOCK_COEFFICIENTS):
            block = section.read(min(_BLOCK_COEFFICIENTS, count - first) * entry.size)
            yield section, list(entry.iter_unpack(block))
        section.finish()

    def _coefficient(
        self, section: SectionReader, matrix: int, constraint: int, signal: int, stored: bytes
    ) -> Coefficient:
        if matrix > 1:
            raise section.error(f"coefficient matrix {matrix} is neither A (0) nor B (1)")
        if constraint >= self.header.domain_size or signal >= self.header.n_vars:
            raise section.error(f"coefficient ({constraint}, {signal}) is outside the key")
        r = self.header.r
        try:
            value = r.from_montgomery(r.decode(stored, montgomery=True))
        except InvalidScalarError as error:
            raise InvalidScalarError(
                f"{section.error(f'coefficient ({constraint}, {signal})')}: {error}"
            ) from None
        return Coefficient(matrix, constraint, signal, value)

    def _read_contribution(self, section: SectionReader) -> ZkeyContribution:
        q = self.header.q
        return ZkeyContribution(
            delta_after=read_g1(section, q),
            g1_s=read_g1(section, q),
            g1_sx=read_g1(section, q),
            g2_spx=read_g2(section, q),
            transcript=section.read(HASH_SIZE),
            type=section.u32(),
            params=read_params(section),
        )


def read_zkey(source: Target) -> Zkey:
    """Load a whole .zkey file (path or binary stream)."""
    with open_source(source) as stream:
        return ZkeyReader(stream).read()


def write_zkey(
    destination: Target, zkey: Zkey, *, order: Literal["contribute", "new"] = "contribute"
) -> None:
    """Write ``zkey`` (atomically when given a path); section lengths must match the header.

    ``order`` picks the section order of ``snarkjs zkey contribute`` (ascending) or of
    ``snarkjs zkey new`` / ``groth16 setup``, so either tool's files are reproduced exactly.
    """
    _check_lengths(zkey)
    with zkey_writer(destination) as writer:
        for section_id in SECTION_ORDERS[order]:
            _write_section(writer, zkey, section_id)


@contextlib.contextmanager
def zkey_writer(destination: Target) -> Iterator[ContainerWriter]:
    """An empty .zkey to add sections to one by one (atomically when given a path).

    For writers that stream: a ceremony step copies most sections of its input verbatim and
    rewrites H and C chunk by chunk, which :func:`write_zkey` cannot do without holding the
    whole key. Write sections with :func:`write_protocol`, :func:`write_header`,
    :func:`write_contributions` and :func:`~paraloom.formats.points.write_points`.
    """
    with (
        open_destination(destination) as stream,
        ContainerWriter(stream, magic=MAGIC, version=VERSION) as writer,
    ):
        yield writer


def write_protocol(writer: ContainerWriter) -> None:
    """Section 1: the protocol, Groth16."""
    with writer.section(PROTOCOL) as section:
        section.u32(GROTH16)


def write_header(writer: ContainerWriter, header: Groth16Header) -> None:
    """Section 2."""
    with writer.section(HEADER) as section:
        _write_header(section, header)


def write_contributions(
    writer: ContainerWriter,
    q: PrimeField,
    cs_hash: bytes,
    contributions: Sequence[ZkeyContribution],
) -> None:
    """Section 10: the circuit hash and the phase-2 contributions, oldest first."""
    with writer.section(CONTRIBUTIONS) as section:
        _write_contributions(section, q, cs_hash, contributions)


def _write_section(writer: ContainerWriter, zkey: Zkey, section_id: int) -> None:
    header = zkey.header
    q = header.q
    points_g1 = {IC: zkey.ic, A: zkey.a, B1: zkey.b1, C: zkey.c, H: zkey.h}
    if section_id in points_g1:
        write_points(writer, section_id, points_g1[section_id], q, write_g1)
    elif section_id == B2:
        write_points(writer, B2, zkey.b2, q, write_g2)
    elif section_id == PROTOCOL:
        write_protocol(writer)
    elif section_id == HEADER:
        write_header(writer, header)
    elif section_id == COEFFICIENTS:
        with writer.section(COEFFICIENTS) as section:
            section.u32(len(zkey.coefficients))
            for coefficient in zkey.coefficients:
                _write_coefficient(section, header.r, coefficient)
    else:
        write_contributions(writer, q, zkey.cs_hash, zkey.contributions)


def _check_lengths(zkey: Zkey) -> None:
    header = zkey.header
    expected = {
        "IC": (len(zkey.ic), header.n_public + 1),
        "A": (len(zkey.a), header.n_vars),
        "B1": (len(zkey.b1), header.n_vars),
        "B2": (len(zkey.b2), header.n_vars),
        "C": (len(zkey.c), header.n_private),
        "H": (len(zkey.h), header.domain_size),
        "csHash": (len(zkey.cs_hash), HASH_SIZE),
    }
    for name, (found, wanted) in expected.items():
        if found != wanted:
            raise FormatError(f"{name} has {found} entries, the header implies {wanted}")


def _write_header(section: SectionWriter, header: Groth16Header) -> None:
    q = header.q
    section.prime_field(q)
    section.prime_field(header.r)
    for count in (header.n_vars, header.n_public, header.domain_size):
        section.u32(count)
    write_g1(section, q, header.alpha_1)
    write_g1(section, q, header.beta_1)
    write_g2(section, q, header.beta_2)
    write_g2(section, q, header.gamma_2)
    write_g1(section, q, header.delta_1)
    write_g2(section, q, header.delta_2)


def _write_coefficient(section: SectionWriter, r: PrimeField, coefficient: Coefficient) -> None:
    for value in (coefficient.matrix, coefficient.constraint, coefficient.signal):
        section.u32(value)
    section.element(r, r.to_montgomery(coefficient.value), montgomery=True)


def _write_contributions(
    section: SectionWriter,
    q: PrimeField,
    cs_hash: bytes,
    contributions: Sequence[ZkeyContribution],
) -> None:
    section.write(cs_hash)
    section.u32(len(contributions))
    for contribution in contributions:
        write_g1(section, q, contribution.delta_after)
        write_g1(section, q, contribution.g1_s)
        write_g1(section, q, contribution.g1_sx)
        write_g2(section, q, contribution.g2_spx)
        if len(contribution.transcript) != HASH_SIZE:
            raise FormatError(f"a transcript has {len(contribution.transcript)} bytes, not 64")
        section.write(contribution.transcript)
        section.u32(contribution.type)
        write_params(section, contribution.params)


def proving_key_of(zkey: Zkey) -> ProvingKey:
    """The key without its transcript; a key over another curve than BN254 is a FormatError."""
    header = zkey.header
    if (header.q, header.r) != (FQ, FR):
        raise FormatError(
            f"the zkey is over q = {header.q.modulus}, r = {header.r.modulus}, not BN254"
        )
    return ProvingKey(
        n_vars=header.n_vars,
        n_public=header.n_public,
        domain_size=header.domain_size,
        alpha_1=header.alpha_1,
        beta_1=header.beta_1,
        beta_2=header.beta_2,
        gamma_2=header.gamma_2,
        delta_1=header.delta_1,
        delta_2=header.delta_2,
        ic=zkey.ic,
        coefficients=zkey.coefficients,
        a=zkey.a,
        b1=zkey.b1,
        b2=zkey.b2,
        c=zkey.c,
        h=zkey.h,
    )


def zkey_of(
    key: ProvingKey, *, cs_hash: bytes, contributions: Sequence[ZkeyContribution] = ()
) -> Zkey:
    """A BN254 .zkey holding ``key``, the circuit hash and the phase-2 transcript."""
    if len(cs_hash) != HASH_SIZE:
        raise FormatError(f"a circuit hash is {HASH_SIZE} bytes (BLAKE2b-512), not {len(cs_hash)}")
    header = Groth16Header(
        FQ,
        FR,
        key.n_vars,
        key.n_public,
        key.domain_size,
        key.alpha_1,
        key.beta_1,
        key.beta_2,
        key.gamma_2,
        key.delta_1,
        key.delta_2,
    )
    return Zkey(
        header,
        key.ic,
        key.coefficients,
        key.a,
        key.b1,
        key.b2,
        key.c,
        key.h,
        cs_hash,
        tuple(contributions),
    )


def require_contributions(zkey: Zkey) -> None:
    """Refuse a key nobody contributed to: with delta = gamma anyone can forge proofs for it.

    The prover cannot see contributions, so commands that prove with or export a .zkey call
    this; a key whose delta2 equals gamma2 is refused even if it lists contributions.
    """
    require_contributed(zkey.header, zkey.contributions)


def require_contributed(header: Groth16Header, contributions: Sequence[ZkeyContribution]) -> None:
    """:func:`require_contributions` for a streamed key (the header and section 10 alone)."""
    if not contributions:
        raise SetupError(
            "the zkey has no phase-2 contribution, so delta = gamma and anyone can forge proofs: "
            "contribute to it (or apply a beacon) first"
        )
    if header.delta_2 == header.gamma_2:
        raise SetupError("the zkey's delta2 equals gamma2, so anyone can forge proofs for it")
