"""Leader selection: weighted by stake and reputation, rotating each round, deterministic.

Protocol, version 1 (every node must compute the same leader, so every choice is fixed):

- weight(v) = stake_weight · stake(v)/total stake + reputation_weight · reputation(v)/maximum,
  with the reputation maximum of the config (10000: the formula of DESIGN §6), the two weights
  read as the decimals the config wrote, and everything computed in exact rationals, so no
  floating-point rounding can make two nodes disagree.
- seed(r) = SHA-256(b"paraloom-leader-seed-v1" ‖ r (8 bytes, big-endian) ‖ seed(r - 1)),
  where seed(0)'s predecessor is a value all nodes share before the first round (the genesis
  merkle root of the bridge). A hash chain rather than the latest root: a depositor can move
  the root and could grind it towards a leader of their choice, while the chain depends on
  nothing anyone controls after genesis. The price is that the schedule is predictable, as
  Solana's leader schedule is.
- draw(v, r) = SHA-256(seed(r) ‖ node id of v) read big-endian as a fraction of 2^256, in [0, 1).
- leader(r) = the validator with weight > 0 maximising draw * weight; equal scores go to the
  smaller node id. A validator with weight 0 never leads.

Higher weight makes leading likelier but not proportionally: with two validators of weights
a ≥ b the lighter one leads with probability b/(2a).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from fractions import Fraction

from paraloom.compute.reputation import ReputationTracker
from paraloom.config import LeaderSelectionSettings
from paraloom.consensus.validators import ValidatorSet
from paraloom.errors import ConsensusError

SEED_DOMAIN = b"paraloom-leader-seed-v1"
SEED_SIZE = 32
MAX_ROUND = 2**64 - 1


def round_seed(previous_seed: bytes, round_number: int) -> bytes:
    """seed(r) from seed(r - 1) (module docstring)."""
    if len(previous_seed) != SEED_SIZE:
        raise ConsensusError(f"a leader seed has {SEED_SIZE} bytes, not {len(previous_seed)}")
    if isinstance(round_number, bool) or not 0 <= round_number <= MAX_ROUND:
        raise ConsensusError(f"a round number is in 0..2^64-1, got {round_number!r}")
    data = SEED_DOMAIN + round_number.to_bytes(8, "big") + bytes(previous_seed)
    return hashlib.sha256(data).digest()


def leader_weights(
    validators: ValidatorSet,
    reputation: Callable[[bytes], float],
    settings: LeaderSelectionSettings,
    reputation_maximum: int,
) -> dict[bytes, Fraction]:
    """Each validator's exact weight; ``reputation`` maps a node id to its current score."""
    stake_weight = Fraction(repr(settings.stake_weight))
    reputation_weight = Fraction(repr(settings.reputation_weight))
    return {
        node_id: stake_weight * validators.stake_share(node_id)
        + reputation_weight * Fraction(reputation(node_id)) / reputation_maximum
        for node_id in validators.node_ids
    }


def draw(seed: bytes, node_id: bytes) -> Fraction:
    """The validator's lot for the round whose seed is ``seed``, in [0, 1)."""
    digest = hashlib.sha256(bytes(seed) + bytes(node_id)).digest()
    return Fraction(int.from_bytes(digest, "big"), 2**256)


def select_leader(weights: Mapping[bytes, Fraction], seed: bytes) -> bytes:
    """The node id that leads the round of ``seed`` (module docstring)."""
    eligible = [node_id for node_id, weight in weights.items() if weight > 0]
    if not eligible:
        raise ConsensusError("no validator has a positive weight to lead")
    return min(eligible, key=lambda node_id: (-draw(seed, node_id) * weights[node_id], node_id))


def leader_of_round(
    validators: ValidatorSet,
    tracker: ReputationTracker,
    settings: LeaderSelectionSettings,
    seed: bytes,
    now: float,
) -> bytes:
    """The leader with reputations as ``tracker`` holds them at ``now`` (keyed by hex id)."""
    weights = leader_weights(
        validators,
        lambda node_id: tracker.score(node_id.hex(), now),
        settings,
        tracker.settings.maximum,
    )
    return select_leader(weights, seed)
