"""The validator set: registration with stake, snapshots, refusals."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.consensus.validators import MINIMUM_STAKE, Validator, ValidatorSet
from paraloom.crypto.identity import node_id_of
from paraloom.errors import ConsensusError, FormatError

from .support import identities, validator_set


def test_registration_derives_the_node_id_from_the_key() -> None:
    identity = identities()[0]
    validators = ValidatorSet().register(identity.public_key, MINIMUM_STAKE)
    assert identity.node_id in validators
    assert validators.get(identity.node_id).node_id == node_id_of(identity.public_key)


def test_sets_are_snapshots() -> None:
    """A round keeps the set it started with while the node's set moves on."""
    before = validator_set(identities()[:3])
    after = before.register(identities()[3].public_key, MINIMUM_STAKE)
    assert (len(before), len(after)) == (3, 4)
    assert len(after.deregister(identities()[0].node_id)) == 3
    assert len(after) == 4


def test_registering_again_replaces_the_stake() -> None:
    key = identities()[0].public_key
    validators = ValidatorSet().register(key, MINIMUM_STAKE).register(key, 5 * MINIMUM_STAKE)
    assert len(validators) == 1
    assert validators.total_stake == 5 * MINIMUM_STAKE


@given(st.lists(st.integers(MINIMUM_STAKE, 10**12), min_size=1, max_size=8))
def test_members_iterate_by_node_id_and_shares_add_up(stakes: list[int]) -> None:
    validators = validator_set(identities()[: len(stakes)], stakes)
    assert list(validators.node_ids) == sorted(i.node_id for i in identities()[: len(stakes)])
    shares = [validators.stake_share(node_id) for node_id in validators.node_ids]
    assert sum(shares) == 1
    for identity, stake in zip(identities(), stakes, strict=False):
        assert validators.stake_share(identity.node_id) == Fraction(stake, sum(stakes))


def test_stake_below_the_minimum_is_refused() -> None:
    with pytest.raises(ConsensusError, match="below the minimum"):
        ValidatorSet().register(identities()[0].public_key, MINIMUM_STAKE - 1)
    with pytest.raises(ConsensusError, match="below the minimum"):
        ValidatorSet(minimum_stake=10).register(identities()[0].public_key, 9)
    assert len(ValidatorSet(minimum_stake=10).register(identities()[0].public_key, 10)) == 1


@pytest.mark.parametrize("stake", [1.5e9, True, "1000000000"])
def test_stake_must_be_an_int(stake: object) -> None:
    with pytest.raises(ConsensusError, match="not int"):
        ValidatorSet().register(identities()[0].public_key, stake)  # type: ignore[arg-type]


@pytest.mark.parametrize("minimum", [0, -1, True])
def test_minimum_stake_must_be_positive(minimum: int) -> None:
    with pytest.raises(ConsensusError, match="minimum stake"):
        ValidatorSet(minimum_stake=minimum)


def test_a_key_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(FormatError, match="32 bytes"):
        ValidatorSet().register(b"\x01" * 31, MINIMUM_STAKE)


def test_duplicates_and_unknown_members_are_refused() -> None:
    validator = Validator(identities()[0].public_key, MINIMUM_STAKE)
    with pytest.raises(ConsensusError, match="listed twice"):
        ValidatorSet([validator, validator])
    with pytest.raises(ConsensusError, match="not a registered validator"):
        ValidatorSet().get(identities()[1].node_id)
    with pytest.raises(ConsensusError, match="not a registered validator"):
        ValidatorSet([validator]).deregister(identities()[1].node_id)
