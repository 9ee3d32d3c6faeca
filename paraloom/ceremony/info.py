"""What a key says about its ceremony: the circuit hash and each contribution, as snarkjs shows.

Reading this is cheap (the header and section 10 only) and verifies nothing; ``verify`` is
what makes the hashes trustworthy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from paraloom.ceremony.streaming import open_zkey
from paraloom.ceremony.transcript import contribution_hash

if TYPE_CHECKING:
    from collections.abc import Iterable

    from paraloom.formats.files import Target
    from paraloom.formats.zkey import ZkeyContribution

#: The ``type`` of a contribution record: a participant's, or a public beacon's.
NORMAL, BEACON = 0, 1


@dataclass(frozen=True)
class ContributionInfo:
    """One contribution: its 1-based number, name, type, hash and beacon parameters."""

    number: int
    name: str | None
    type: int
    hash: bytes
    beacon_hash: bytes | None = None
    iterations_exp: int | None = None

    @property
    def label(self) -> str:
        """How messages name it: "contribution #2 (alice)"."""
        return contribution_label(self.number, self.name)

    @property
    def kind(self) -> str:
        return "beacon" if self.type == BEACON else "contribution"


@dataclass(frozen=True)
class KeyInfo:
    n_vars: int
    n_public: int
    domain_size: int
    cs_hash: bytes
    contributions: tuple[ContributionInfo, ...]


def contribution_label(number: int, name: str | None) -> str:
    return f"contribution #{number}" + (f" ({name})" if name else "")


def describe(
    contributions: Iterable[ZkeyContribution], first_number: int = 1
) -> tuple[ContributionInfo, ...]:
    return tuple(
        ContributionInfo(
            number,
            contribution.params.name,
            contribution.type,
            contribution_hash(contribution),
            contribution.params.beacon_hash,
            contribution.params.num_iterations_exp,
        )
        for number, contribution in enumerate(contributions, first_number)
    )


def key_info(source: Target) -> KeyInfo:
    with open_zkey(source) as reader:
        cs_hash, contributions = reader.contributions()
        header = reader.header
    return KeyInfo(
        header.n_vars, header.n_public, header.domain_size, cs_hash, describe(contributions)
    )
