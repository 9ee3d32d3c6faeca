"""Gossip ids, the bounded seen-set, and redial backoff."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.network.backoff import Backoff
from paraloom.network.gossip import SeenMessages, message_id
from paraloom.network.wire import Gossip

BASE = Gossip(b"n" * 16, "origin", "topic", 5, b"payload")


@given(
    st.sampled_from(["nonce", "origin", "topic", "payload"]),
    st.binary(min_size=16, max_size=16),
    st.text(max_size=8),
)
def test_the_id_covers_every_field_but_the_ttl(field: str, nonce: bytes, text: str) -> None:
    value: object = {"nonce": nonce, "payload": text.encode()}.get(field, text)
    changed = msgspec.structs.replace(BASE, **{field: value})
    assert (message_id(changed) == message_id(BASE)) == (changed == BASE)
    assert message_id(msgspec.structs.replace(BASE, ttl=1)) == message_id(BASE)


def test_fields_cannot_trade_bytes_without_changing_the_id() -> None:
    left = msgspec.structs.replace(BASE, origin="ab", topic="c")
    right = msgspec.structs.replace(BASE, origin="a", topic="bc")
    assert message_id(left) != message_id(right)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_id_is_seen_until_it_expires() -> None:
    clock = Clock()
    seen = SeenMessages(expiry=10.0, clock=clock)
    assert seen.add(b"a")
    clock.now = 9.9
    assert not seen.add(b"a")
    clock.now = 10.0
    assert seen.add(b"a")  # expired, so new again


@given(st.lists(st.binary(max_size=3), max_size=60), st.integers(1, 10))
def test_the_seen_set_stays_bounded_and_remembers_the_newest(ids: list[bytes], cap: int) -> None:
    seen = SeenMessages(capacity=cap, clock=Clock())
    accepted = [seen.add(identifier) for identifier in ids]
    assert len(seen) <= cap
    assert accepted.count(True) >= len(set(ids))  # every distinct id is new once
    if ids:
        assert not seen.add(ids[-1])


def test_backoff_doubles_to_its_maximum_with_jitter_and_resets() -> None:
    draws = iter([0.0, 1.0, 0.0, 1.0, 0.5, 0.0])
    backoff = Backoff(0.1, 0.3, rng=lambda: next(draws))
    delays = [backoff.next_delay() for _ in range(5)]
    assert delays == pytest.approx([0.05, 0.2, 0.15, 0.3, 0.225])
    backoff.reset()
    assert backoff.next_delay() == 0.05


@given(st.integers(0, 10_000), st.floats(0.0, 1.0, exclude_max=True))
def test_backoff_never_exceeds_its_maximum(failures: int, draw: float) -> None:
    backoff = Backoff(0.1, 30.0, rng=lambda: draw)
    backoff.attempts = failures
    assert 0.05 <= backoff.next_delay() <= 30.0
