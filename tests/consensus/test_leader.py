"""Leader selection: the documented formulas, determinism, eligibility, frequencies."""

from __future__ import annotations

import hashlib
import itertools
import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.compute.reputation import Outcome, ReputationTracker
from paraloom.config import LeaderSelectionSettings, ReputationSettings
from paraloom.consensus.leader import (
    draw,
    leader_of_round,
    leader_weights,
    round_seed,
    select_leader,
)
from paraloom.consensus.validators import MINIMUM_STAKE
from paraloom.errors import ConsensusError

from .support import identities, validator_set

GENESIS = hashlib.sha256(b"genesis root").digest()
SETTINGS = LeaderSelectionSettings()
seeds = st.binary(min_size=32, max_size=32)
node_ids = st.sampled_from([identity.node_id for identity in identities()[:12]])
weights = st.dictionaries(
    node_ids, st.fractions(min_value=0, max_value=10, max_denominator=1000), min_size=1
)


def test_round_seed_is_the_documented_hash_chain() -> None:
    expected = hashlib.sha256(
        b"paraloom-leader-seed-v1" + (5).to_bytes(8, "big") + GENESIS
    ).digest()
    assert round_seed(GENESIS, 5) == expected
    assert round_seed(GENESIS, 5) != round_seed(GENESIS, 6)
    assert round_seed(round_seed(GENESIS, 1), 2) != round_seed(GENESIS, 2)


@pytest.mark.parametrize(
    ("seed", "number", "message"),
    [(b"\x00" * 31, 1, "32 bytes"), (GENESIS, -1, "round number"), (GENESIS, 2**64, "round")],
)
def test_round_seed_refuses_bad_input(seed: bytes, number: int, message: str) -> None:
    with pytest.raises(ConsensusError, match=message):
        round_seed(seed, number)


@given(seeds, node_ids)
def test_draw_is_the_hash_as_a_fraction(seed: bytes, node_id: bytes) -> None:
    lot = draw(seed, node_id)
    assert lot == Fraction(int(hashlib.sha256(seed + node_id).hexdigest(), 16), 2**256)
    assert 0 <= lot < 1


@given(st.lists(st.integers(MINIMUM_STAKE, 10**12), min_size=1, max_size=6), st.data())
def test_weights_follow_the_formula(stakes: list[int], data: st.DataObject) -> None:
    members = identities()[: len(stakes)]
    scores = {
        m.node_id: data.draw(st.floats(100, 10_000, allow_nan=False), label="reputation")
        for m in members
    }
    got = leader_weights(validator_set(members, stakes), scores.__getitem__, SETTINGS, 10_000)
    for member, stake in zip(members, stakes, strict=True):
        share = Fraction(stake, sum(stakes))
        expected = (
            Fraction(7, 10) * share + Fraction(3, 10) * Fraction(scores[member.node_id]) / 10_000
        )
        assert got[member.node_id] == expected


@given(weights, seeds, st.randoms(use_true_random=False))
def test_leader_is_the_argmax_and_ignores_mapping_order(
    weight: dict[bytes, Fraction], seed: bytes, rng: random.Random
) -> None:
    eligible = {node_id: w for node_id, w in weight.items() if w > 0}
    if not eligible:
        with pytest.raises(ConsensusError, match="positive weight"):
            select_leader(weight, seed)
        return
    leader = select_leader(weight, seed)
    best = max(draw(seed, node_id) * w for node_id, w in eligible.items())
    assert weight[leader] > 0
    assert draw(seed, leader) * weight[leader] == best
    items = list(weight.items())
    rng.shuffle(items)
    assert select_leader(dict(items), seed) == leader


def test_zero_weight_never_leads_even_with_the_best_draw() -> None:
    ids = [identity.node_id for identity in identities()[:2]]
    for number in range(50):
        seed = round_seed(GENESIS, number)
        best = max(ids, key=lambda node_id: draw(seed, node_id))
        other = next(node_id for node_id in ids if node_id != best)
        assert select_leader({best: Fraction(0), other: Fraction(1, 10**9)}, seed) == other


def test_equal_scores_go_to_the_smaller_node_id() -> None:
    a, b = sorted(identity.node_id for identity in identities()[:2])
    seed = GENESIS
    weight_b = Fraction(1)
    weight_a = draw(seed, b) * weight_b / draw(seed, a)  # exactly the same score
    assert select_leader({b: weight_b, a: weight_a}, seed) == a
    assert select_leader({b: weight_b, a: weight_a * Fraction(999, 1000)}, seed) == b


def test_leader_rotates_and_is_always_registered() -> None:
    members = identities()[:5]
    validators = validator_set(members)
    tracker = ReputationTracker(ReputationSettings())
    seed, leaders = GENESIS, []
    for number in range(40):
        seed = round_seed(seed, number)
        leaders.append(leader_of_round(validators, tracker, SETTINGS, seed, now=0.0))
    assert set(leaders) <= set(validators.node_ids)
    assert len(set(leaders)) > 1
    assert sum(a != b for a, b in itertools.pairwise(leaders)) > 10


def test_leader_of_round_reads_the_trackers_scores() -> None:
    members = identities()[:4]
    validators = validator_set(members)
    tracker = ReputationTracker(ReputationSettings())
    for _ in range(100):
        tracker.record(members[0].node_id_hex, Outcome.INCORRECT, 0.0)
    scores = {m.node_id: tracker.score(m.node_id_hex, 0.0) for m in members}
    assert scores[members[0].node_id] == 100.0
    weights_now = leader_weights(validators, scores.__getitem__, SETTINGS, 10_000)
    for number in range(20):
        seed = round_seed(GENESIS, number)
        expected = select_leader(weights_now, seed)
        assert leader_of_round(validators, tracker, SETTINGS, seed, now=0.0) == expected


def _lead_probabilities(weight: list[float], steps: int = 20_000) -> list[float]:
    """P(i leads) = ∫₀¹ Π_{j≠i} P(U_j·w_j < u·w_i) du, by the midpoint rule."""
    result = []
    for i, wi in enumerate(weight):
        total = 0.0
        for k in range(steps):
            u = (k + 0.5) / steps
            product = 1.0
            for j, wj in enumerate(weight):
                if j != i:
                    product *= min(1.0, u * wi / wj)
            total += product
        result.append(total / steps)
    return result


def test_frequencies_match_the_selection_law() -> None:
    """Over 20000 rounds of the seed chain from a fixed genesis, each validator leads about as
    often as the law of argmax(U·w) says (within 4.5 standard deviations)."""
    stakes = [1, 2, 4, 8]
    members = identities()[: len(stakes)]
    validators = validator_set(members, [s * MINIMUM_STAKE for s in stakes])
    equal = {m.node_id: 1000.0 for m in members}
    exact = leader_weights(validators, equal.__getitem__, SETTINGS, 10_000)
    expected = _lead_probabilities([float(exact[m.node_id]) for m in members])
    rounds = 20_000
    counts = dict.fromkeys(validators.node_ids, 0)
    seed = GENESIS
    for number in range(rounds):
        seed = round_seed(seed, number)
        counts[select_leader(exact, seed)] += 1
    for member, p in zip(members, expected, strict=True):
        deviation = 4.5 * (p * (1 - p) / rounds) ** 0.5
        assert abs(counts[member.node_id] / rounds - p) < deviation
    frequencies = [counts[m.node_id] for m in members]
    assert frequencies == sorted(frequencies)  # more stake, more often the leader
