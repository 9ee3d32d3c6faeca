"""snarkjs' .wtns witness files (version 2).

Sections: 1 header (``u32 n8, prime, u32 nWitness``), 2 the witness values in standard form,
wire order as in the .r1cs (index 0 is the constant 1). Values are streamed because a witness
has one entry per wire and large circuits have millions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from paraloom.formats.container import ContainerReader, ContainerWriter
from paraloom.formats.fields import FR
from paraloom.formats.files import Target, open_destination, open_source
from paraloom.math.fields import require_frs

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from paraloom.formats.fields import PrimeField

MAGIC = b"wtns"
VERSION = 2
HEADER, WITNESS = 1, 2


@dataclass(frozen=True)
class Witness:
    """All wire values of one circuit execution, reduced modulo ``field``."""

    field: PrimeField
    values: tuple[int, ...]

    @classmethod
    def from_fr_values(cls, values: Sequence[int]) -> Witness:
        """A BN254 witness, such as a circuit builder's; values outside [0, r) are refused."""
        require_frs(values, "witness value")
        return cls(FR, tuple(values))


class WtnsReader:
    """Streams an open .wtns file: the field and count at once, values on demand."""

    def __init__(self, stream: BinaryIO, *, name: str | None = None) -> None:
        self._container = ContainerReader(stream, magic=MAGIC, versions={VERSION}, name=name)
        self._container.check_sections(required=(HEADER, WITNESS))
        section = self._container.open(HEADER)
        self.field = section.prime_field()
        self.n_witness = section.u32()
        section.finish()

    def values(self) -> Iterator[int]:
        section = self._container.open(WITNESS)
        for _ in range(self.n_witness):
            yield section.element(self.field)
        section.finish()

    def read(self) -> Witness:
        return Witness(self.field, tuple(self.values()))


def read_wtns(source: Target) -> Witness:
    """Load a whole .wtns file (path or binary stream)."""
    with open_source(source) as stream:
        return WtnsReader(stream).read()


def write_wtns(destination: Target, witness: Witness) -> None:
    """Write ``witness`` (atomically when given a path)."""
    with (
        open_destination(destination) as stream,
        ContainerWriter(stream, magic=MAGIC, version=VERSION) as writer,
    ):
        with writer.section(HEADER) as section:
            section.prime_field(witness.field)
            section.u32(len(witness.values))
        with writer.section(WITNESS) as section:
            for value in witness.values:
                section.element(witness.field, value)
