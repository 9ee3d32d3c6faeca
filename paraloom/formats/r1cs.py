"""circom's .r1cs constraint files.

Sections: 1 header, 2 constraints, 3 wire-to-label map. Sections 4 and 5 (custom gates) exist
only for PLONK-style circuits compiled with ``pragma custom_templates``; paraloom proves with
Groth16, which cannot use them, so such files are refused rather than half understood.
Constraints mean A·B - C = 0 over the prime in the header; coefficients are stored in standard
(not Montgomery) form. The writer emits sections in circom's order (2, 1, 3) so that files
circom wrote are reproduced byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from paraloom.errors import CircuitError, FormatError
from paraloom.formats.container import ContainerReader, ContainerWriter
from paraloom.formats.fields import FR
from paraloom.formats.files import Target, open_destination, open_source
from paraloom.zk.constraints import Constraint, ConstraintSystem, LinearCombination

if TYPE_CHECKING:
    from paraloom.formats.container import SectionReader, SectionWriter
    from paraloom.formats.fields import PrimeField
    from paraloom.zk.builder import CircuitShape

MAGIC = b"r1cs"
VERSION = 1
HEADER, CONSTRAINTS, WIRE_TO_LABEL = 1, 2, 3
_CUSTOM_GATES = (4, 5)


@dataclass(frozen=True)
class R1csHeader:
    """The counts circom records; wire 0 is the constant ONE, then outputs, inputs, the rest."""

    field: PrimeField
    n_wires: int
    n_pub_out: int
    n_pub_in: int
    n_prv_in: int
    n_labels: int
    n_constraints: int

    @property
    def n_public(self) -> int:
        """Public signals: outputs then public inputs (the order of public.json)."""
        return self.n_pub_out + self.n_pub_in


@dataclass(frozen=True)
class R1cs:
    """A whole constraint file in memory (use :class:`R1csReader` to stream large ones)."""

    header: R1csHeader
    constraints: tuple[Constraint, ...]
    wire_to_label: tuple[int, ...] = field(repr=False)

    def constraint_system(self) -> ConstraintSystem:
        """The constraints for paraloom's prover and checker, which work over BN254's Fr only."""
        if self.header.field.modulus != FR.modulus:
            raise FormatError(f"the r1cs is over the prime {self.header.field.modulus}, not Fr")
        return ConstraintSystem(self.header.n_wires, self.header.n_public, self.constraints)

    @classmethod
    def from_constraint_system(
        cls,
        system: ConstraintSystem,
        *,
        n_pub_out: int,
        n_pub_in: int,
        n_prv_in: int,
        wire_to_label: tuple[int, ...] | None = None,
    ) -> R1cs:
        """A file for ``system``; the split of its public wires is what circom's header records.

        Without ``wire_to_label`` every wire is its own label, as when no signal was optimised
        away.
        """
        if n_pub_out < 0 or n_pub_in < 0 or n_pub_out + n_pub_in != system.n_public:
            raise CircuitError(
                f"{n_pub_out} outputs and {n_pub_in} public inputs do not make the "
                f"{system.n_public} public wires of the system"
            )
        if not 0 <= n_prv_in <= system.n_private:
            raise CircuitError(f"{n_prv_in} private inputs but {system.n_private} private wires")
        labels = tuple(range(system.n_wires)) if wire_to_label is None else wire_to_label
        if len(labels) != system.n_wires:
            raise CircuitError(f"{len(labels)} labels for {system.n_wires} wires")
        header = R1csHeader(
            FR,
            n_wires=system.n_wires,
            n_pub_out=n_pub_out,
            n_pub_in=n_pub_in,
            n_prv_in=n_prv_in,
            n_labels=max(labels, default=-1) + 1,
            n_constraints=len(system.constraints),
        )
        return cls(header, system.constraints, labels)

    @classmethod
    def from_circuit(cls, shape: CircuitShape) -> R1cs:
        """The .r1cs of a circuit made with :mod:`paraloom.zk.builder`."""
        return cls.from_constraint_system(
            shape.system,
            n_pub_out=shape.n_pub_out,
            n_pub_in=shape.n_pub_in,
            n_prv_in=shape.n_prv_in,
        )


class R1csReader:
    """Streams an open .r1cs file: the header at once, constraints and labels on demand."""

    def __init__(self, stream: BinaryIO, *, name: str | None = None) -> None:
        self._container = ContainerReader(stream, magic=MAGIC, versions={VERSION}, name=name)
        for gate_section in _CUSTOM_GATES:
            if self._container.has(gate_section):
                raise self._container.error(
                    "custom gates (PLONK only) are not supported", gate_section
                )
        self._container.check_sections(required=(HEADER, CONSTRAINTS, WIRE_TO_LABEL))
        self.header = self._read_header()

    def constraints(self) -> Iterator[Constraint]:
        section = self._container.open(CONSTRAINTS)
        for _ in range(self.header.n_constraints):
            yield Constraint(*(self._read_lc(section) for _ in range(3)))
        section.finish()

    def wire_to_label(self) -> Iterator[int]:
        section = self._container.open(WIRE_TO_LABEL)
        for _ in range(self.header.n_wires):
            yield section.u64()
        section.finish()

    def read(self) -> R1cs:
        return R1cs(self.header, tuple(self.constraints()), tuple(self.wire_to_label()))

    def _read_header(self) -> R1csHeader:
        section = self._container.open(HEADER)
        header = R1csHeader(
            section.prime_field(),
            n_wires=section.u32(),
            n_pub_out=section.u32(),
            n_pub_in=section.u32(),
            n_prv_in=section.u32(),
            n_labels=section.u64(),
            n_constraints=section.u32(),
        )
        section.finish()
        signals = 1 + header.n_public + header.n_prv_in
        if signals > header.n_wires:
            raise section.error(f"{signals} signals declared but only {header.n_wires} wires")
        return header

    def _read_lc(self, section: SectionReader) -> dict[int, int]:
        terms: dict[int, int] = {}
        for _ in range(section.u32()):
            wire = section.u32()
            if wire >= self.header.n_wires:
                raise section.error(f"wire {wire} is not below nWires = {self.header.n_wires}")
            if wire in terms:
                raise section.error(f"wire {wire} appears twice in one linear combination")
            terms[wire] = section.element(self.header.field)
        return terms


def read_r1cs(source: Target) -> R1cs:
    """Load a whole .r1cs file (path or binary stream)."""
    with open_source(source) as stream:
        return R1csReader(stream).read()


def write_r1cs(destination: Target, r1cs: R1cs) -> None:
    """Write ``r1cs`` (atomically when given a path)."""
    header = r1cs.header
    if len(r1cs.constraints) != header.n_constraints:
        raise FormatError(
            f"{len(r1cs.constraints)} constraints but header says {header.n_constraints}"
        )
    if len(r1cs.wire_to_label) != header.n_wires:
        raise FormatError(f"{len(r1cs.wire_to_label)} labels, header: {header.n_wires} wires")
    with (
        open_destination(destination) as stream,
        ContainerWriter(stream, magic=MAGIC, version=VERSION) as writer,
    ):
        with writer.section(CONSTRAINTS) as section:
            for constraint in r1cs.constraints:
                for lc in (constraint.a, constraint.b, constraint.c):
                    _write_lc(section, header, lc)
        with writer.section(HEADER) as section:
            section.prime_field(header.field)
            for count in (header.n_wires, header.n_pub_out, header.n_pub_in, header.n_prv_in):
                section.u32(count)
            section.u64(header.n_labels)
            section.u32(header.n_constraints)
        with writer.section(WIRE_TO_LABEL) as section:
            for label in r1cs.wire_to_label:
                section.u64(label)


def _write_lc(section: SectionWriter, header: R1csHeader, lc: LinearCombination) -> None:
    section.u32(len(lc))
    for wire, coefficient in lc.items():
        if not 0 <= wire < header.n_wires:
            raise FormatError(f"wire {wire} is not below nWires = {header.n_wires}")
        section.u32(wire)
        section.element(header.field, coefficient)
