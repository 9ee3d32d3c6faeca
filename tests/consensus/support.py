"""Identities, validator sets and requests shared by the consensus tests."""

from __future__ import annotations

import functools

from paraloom.consensus.validators import MINIMUM_STAKE, ValidatorSet
from paraloom.consensus.withdrawal import WithdrawalRequest, withdrawal_request
from paraloom.crypto.identity import NodeIdentity

POOL_SIZE = 40


@functools.cache
def identities() -> tuple[NodeIdentity, ...]:
    """A fixed pool of identities (seeded, so failures reproduce), made once per session."""
    return tuple(NodeIdentity.from_seed(bytes([i + 1]) * 32) for i in range(POOL_SIZE))


def validator_set(
    members: tuple[NodeIdentity, ...], stakes: list[int] | None = None
) -> ValidatorSet:
    validators = ValidatorSet()
    for index, identity in enumerate(members):
        stake = MINIMUM_STAKE if stakes is None else stakes[index]
        validators = validators.register(identity.public_key, stake)
    return validators


def sample_request(**changes: object) -> WithdrawalRequest:
    fields: dict[str, object] = {
        "proof": b"\x01" * 128,
        "root": bytes(31) + b"\x07",
        "nullifier": bytes(31) + b"\x09",
        "amount": 1_500_000_000,
        "recipient": b"\x05" * 32,
        "expiration_slot": 1_000,
    }
    fields.update(changes)
    return withdrawal_request(**fields)  # type: ignore[arg-type]
