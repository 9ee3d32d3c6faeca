"""The validator set of withdrawal consensus: who may vote, with which key and stake.

An immutable snapshot: registering or leaving returns a new set, so a round keeps the set it
started with (N, the denominator of the approval threshold, cannot move under a running round)
while the node's current set moves on. Members are keyed by node id (SHA-256 of the Ed25519
public key), derived here from the key rather than claimed, and iterate in node-id order so
that every node walks them alike.

Stake is in lamports. The minimum is the on-chain program's (1 SOL, DESIGN §7): a validator
the chain would not register is not registered here either. The config has no option for it
because the chain, not the node operator, sets it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from paraloom.crypto.identity import node_id_of
from paraloom.errors import ConsensusError

LAMPORTS_PER_SOL = 1_000_000_000
MINIMUM_STAKE = LAMPORTS_PER_SOL


@dataclass(frozen=True)
class Validator:
    """A registered validator; ``node_id`` follows from the key."""

    public_key: bytes
    stake: int
    node_id: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "node_id", node_id_of(self.public_key))
        if isinstance(self.stake, bool) or not isinstance(self.stake, int):
            raise ConsensusError(f"validator {self.node_id.hex()}: stake {self.stake!r} is not int")


class ValidatorSet:
    """Registered validators, each with at least ``minimum_stake`` lamports."""

    def __init__(
        self, validators: Iterable[Validator] = (), *, minimum_stake: int = MINIMUM_STAKE
    ) -> None:
        if (
            isinstance(minimum_stake, bool)
            or not isinstance(minimum_stake, int)
            or minimum_stake < 1
        ):
            raise ConsensusError(f"the minimum stake must be a positive int, got {minimum_stake!r}")
        members: dict[bytes, Validator] = {}
        for validator in validators:
            _check_stake(validator, minimum_stake)
            if validator.node_id in members:
                raise ConsensusError(f"validator {validator.node_id.hex()} is listed twice")
            members[validator.node_id] = validator
        self.minimum_stake = minimum_stake
        self._members: Mapping[bytes, Validator] = MappingProxyType(dict(sorted(members.items())))

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._members

    def __len__(self) -> int:
        return len(self._members)

    def __iter__(self) -> Iterator[Validator]:
        return iter(self._members.values())

    @property
    def node_ids(self) -> tuple[bytes, ...]:
        return tuple(self._members)

    @property
    def total_stake(self) -> int:
        return sum(validator.stake for validator in self)

    def get(self, node_id: bytes) -> Validator:
        """The member ``node_id``, or ConsensusError when it is not registered."""
        found = self._members.get(node_id)
        if found is None:
            raise ConsensusError(f"{bytes(node_id).hex()} is not a registered validator")
        return found

    def stake_share(self, node_id: bytes) -> Fraction:
        """The member's exact share of the total stake (rational, so every node agrees)."""
        return Fraction(self.get(node_id).stake, self.total_stake)

    def register(self, public_key: bytes, stake: int) -> ValidatorSet:
        """The set with this validator added, or with its stake replaced if already a member."""
        validator = Validator(bytes(public_key), stake)
        others = (member for member in self if member.node_id != validator.node_id)
        return ValidatorSet([*others, validator], minimum_stake=self.minimum_stake)

    def deregister(self, node_id: bytes) -> ValidatorSet:
        """The set without ``node_id``, which must be a member."""
        self.get(node_id)
        rest = (member for member in self if member.node_id != node_id)
        return ValidatorSet(rest, minimum_stake=self.minimum_stake)


def _check_stake(validator: Validator, minimum_stake: int) -> None:
    if validator.stake < minimum_stake:
        raise ConsensusError(
            f"validator {validator.node_id.hex()}: stake of {validator.stake} lamports is below "
            f"the minimum of {minimum_stake}"
        )
