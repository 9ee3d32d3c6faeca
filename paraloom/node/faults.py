"""Fault injection from the ``[testing]`` config table (DESIGN §6), for tests of a network.

A faulty node is an honest node with one of three faults switched on: it corrupts job results
(``wrong_results``: it still signs what it corrupted, so only agreement can catch it), withholds
job outcomes and withdrawal votes (``drop_votes``), or answers peers late (``slow_replies``).

A node with a fault set refuses to start unless it is a node of a localnet: ``testing.localnet``
must name a directory that holds a localnet manifest, and ``node.data_dir`` must lie inside one
of the nodes that manifest lists. Only :func:`paraloom.localnet.layout.create_layout` writes
that combination, so a table copied into a production config stops the node instead of
silently corrupting its work.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
from pathlib import Path

from paraloom.components import Executor, MessageHandler
from paraloom.compute.execution import ExecutionLimits, ExecutionResult
from paraloom.config import Config, TestingSettings
from paraloom.errors import ConfigError, LocalnetError
from paraloom.localnet.layout import load_layout


class Faults:
    """The faults one node injects; each fractional fault is drawn per event from ``rng``."""

    def __init__(self, settings: TestingSettings, rng: random.Random | None = None) -> None:
        self.settings = settings
        self._rng = rng or random.Random()

    @property
    def active(self) -> bool:
        return bool(self.settings.faults)

    def corrupts_result(self) -> bool:
        """Whether the next job result is to be corrupted."""
        return self._draw(self.settings.wrong_results)

    def drops_vote(self) -> bool:
        """Whether the next job outcome or withdrawal vote is to be withheld; the caller then
        sends nothing, as a node that crashed or lost its connection would."""
        return self._draw(self.settings.drop_votes)

    def executor(self, inner: Executor) -> Executor:
        """``inner``, wrapped to corrupt results when ``wrong_results`` is set."""
        return CorruptingExecutor(inner, self) if self.settings.wrong_results > 0 else inner

    def handler(self, inner: MessageHandler) -> MessageHandler:
        """``inner``, wrapped to answer requests late when ``slow_replies`` is set."""
        return (
            SlowHandler(inner, self.settings.slow_replies) if self.settings.slow_replies else inner
        )

    def _draw(self, rate: float) -> bool:
        return rate >= 1.0 or (rate > 0.0 and self._rng.random() < rate)


#: The faults of a node without a ``[testing]`` table: none.
NO_FAULTS = Faults(TestingSettings())


class CorruptingExecutor:
    """Runs the real executor, then flips the first output byte of the results it is told to
    corrupt, so the node's result hash differs from honest validators' while its proof of
    execution stays valid."""

    def __init__(self, inner: Executor, faults: Faults) -> None:
        self.inner = inner
        self._faults = faults

    def execute(
        self, wasm: bytes, job_input: bytes, limits: ExecutionLimits | None = None
    ) -> ExecutionResult:
        result = self.inner.execute(wasm, job_input, limits)
        if not self._faults.corrupts_result():
            return result
        return dataclasses.replace(result, output=corrupt(result.output))


def corrupt(output: bytes) -> bytes:
    """A different output of about the same shape: the first byte flipped, or one byte."""
    return bytes([output[0] ^ 0xFF]) + output[1:] if output else b"!"


class SlowHandler:
    """Handles each request at once but holds its reply back for ``delay`` seconds."""

    def __init__(self, inner: MessageHandler, delay: float) -> None:
        self.inner = inner
        self.delay = delay

    async def on_request(self, peer: str, payload: bytes) -> bytes:
        reply = await self.inner.on_request(peer, payload)
        await asyncio.sleep(self.delay)
        return reply

    async def on_gossip(self, peer: str, topic: str, payload: bytes) -> None:
        await self.inner.on_gossip(peer, topic, payload)


def require_localnet(config: Config) -> None:
    """Refuse a ``[testing]`` fault outside a localnet (module docstring).

    :raises ConfigError: naming the faults set and why this node is not a localnet node.
    """
    faults = config.testing.faults
    if not faults:
        return
    reason = _not_a_localnet_node(config)
    if reason is not None:
        keys = ", ".join(f"testing.{key}" for key in faults)
        raise ConfigError(
            f"{keys} set, but {reason}; faults are injected only on localnet nodes "
            "(remove the [testing] table)"
        )


def _not_a_localnet_node(config: Config) -> str | None:
    """Why this config is not one a localnet wrote, or None when it is."""
    if not config.testing.localnet:
        return "testing.localnet is not set"
    directory = Path(config.testing.localnet).expanduser().resolve()
    try:
        layout = load_layout(directory)
    except LocalnetError:
        return f"testing.localnet {directory} holds no localnet"
    data_dir = Path(config.node.data_dir).expanduser().resolve()
    if any(data_dir.is_relative_to(node.directory.resolve()) for node in layout.nodes):
        return None
    return f"node.data_dir {data_dir} is not inside a node of the localnet in {directory}"
