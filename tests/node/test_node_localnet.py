"""Four nodes in one process on the memory transport: a coordinator and three validators.

Oracles: the reverse guest's specification (its output is its input reversed, computed here
with Python slicing), SHA-256 from hashlib, and the job state machine's documented transition
order. Jobs go in through a validator's client API, so forwarding to the coordinator is
exercised too.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from paraloom.components import Executor
from paraloom.compute.guests import guest_wasm
from paraloom.compute.messages import JobLimits
from paraloom.compute.requester import new_job_id, public_job_spec
from paraloom.config import TestingSettings
from paraloom.crypto import schnorr
from paraloom.errors import JobStateError, NodeApiError
from paraloom.node.client import JobRequest, NodeClient, decrypt_result
from paraloom.node.faults import Faults
from paraloom.node.node import Node
from paraloom.node.protocol import Refused, Register

from .node_harness import (
    FINAL_STATES,
    LIMITS,
    job_state,
    localnet,
    wait_for,
)

REVERSE = guest_wasm("reverse")
INPUT = b"paraloom agrees on this"
EXPECTED = INPUT[::-1]


async def _submit(url: str, request: JobRequest, keys: Path) -> str:
    return await asyncio.to_thread(NodeClient(url).submit, request, keys)


async def _finish(coordinator: Node, job_id: str) -> str:
    await wait_for(lambda: job_state(coordinator, job_id) in FINAL_STATES)
    state = job_state(coordinator, job_id)
    assert state is not None
    return state


async def test_public_job_completes_with_agreement_and_audit_log(tmp_path: Path) -> None:
    async with localnet(tmp_path) as net:
        url = net.api_url(net.validators[0])
        request = JobRequest(REVERSE, INPUT, LIMITS, replication=3)
        job_id = await _submit(url, request, tmp_path / "keys")
        assert await _finish(net.coordinator, job_id) == "completed"

        client = NodeClient(url)
        assert await asyncio.to_thread(client.result, job_id) == EXPECTED
        store = net.coordinator.coordinator.store  # type: ignore[union-attr]
        key = bytes.fromhex(job_id)
        # the quorum (2 of 3) decides; the third vote is recorded when it arrives
        await wait_for(lambda: len(store.results(key)) == 3)
        results = store.results(key)
        assert {r.result_hash for r in results} == {hashlib.sha256(EXPECTED).digest()}
        audit = store.audit_log(key)
        assert [(e.from_state, e.to_state) for e in audit[:2]] == [
            (None, "submitted"),
            ("submitted", "assigned"),
        ]
        assert audit[-1].to_state == "completed"
        assert audit[-1].reason.endswith(f"of 3 agree on {hashlib.sha256(EXPECTED).hexdigest()}")
        cohort = {node.node_id for node in net.validators}
        assert {r.node_id.hex() for r in results} == cohort


async def test_private_job_agrees_on_ciphertext_and_decrypts(tmp_path: Path) -> None:
    async with localnet(tmp_path) as net:
        url = net.api_url(net.validators[1])
        keys = tmp_path / "keys"
        request = JobRequest(REVERSE, INPUT, LIMITS, replication=3, private=True)
        job_id = await _submit(url, request, keys)
        assert await _finish(net.coordinator, job_id) == "completed"

        sealed = await asyncio.to_thread(NodeClient(url).result, job_id)
        assert EXPECTED not in sealed
        assert decrypt_result(keys, job_id, sealed) == EXPECTED
        store = net.coordinator.coordinator.store  # type: ignore[union-attr]
        assert INPUT not in store.job(bytes.fromhex(job_id)).spec  # type: ignore[union-attr]


async def test_wrong_validator_is_outvoted_and_loses_reputation(tmp_path: Path) -> None:
    def executor_for(index: int, executor: Executor) -> Executor:
        liar = Faults(TestingSettings(wrong_results=1.0))
        return liar.executor(executor) if index == 2 else executor

    async with localnet(tmp_path, executor_for=executor_for) as net:
        liar = net.validators[2].node_id
        request = JobRequest(REVERSE, INPUT, LIMITS, replication=3)
        job_id = await _submit(net.api_url(net.coordinator), request, tmp_path / "keys")
        assert await _finish(net.coordinator, job_id) == "completed"

        coordinator = net.coordinator.coordinator
        assert coordinator is not None
        assert coordinator.verdict_output(bytes.fromhex(job_id)) == EXPECTED
        # wait for the liar's straggling vote (if it came last) to be judged
        await wait_for(lambda: coordinator.reputation.score(liar, 0.0) < 1000)
        honest = net.validators[0].node_id
        assert coordinator.reputation.score(honest, 0.0) > 1000
        final = coordinator.store.audit_log(bytes.fromhex(job_id))[-1]
        assert "2 of 3 agree" in final.reason


async def test_job_without_enough_validators_waits_then_fails(tmp_path: Path) -> None:
    overrides = {"compute.distribution_timeout": "300ms"}
    async with localnet(tmp_path, validators=2, overrides=overrides) as net:
        request = JobRequest(REVERSE, INPUT, LIMITS, replication=3)
        job_id = await _submit(net.api_url(net.coordinator), request, tmp_path / "keys")
        assert await _finish(net.coordinator, job_id) == "failed"
        with pytest.raises(NodeApiError, match="no agreed output"):
            await asyncio.to_thread(NodeClient(net.api_url(net.coordinator)).result, job_id)


async def test_duplicate_submission_is_refused(tmp_path: Path) -> None:
    async with localnet(tmp_path) as net:
        coordinator = net.coordinator.coordinator
        assert coordinator is not None
        requester = schnorr.KeyPair.generate()
        spec = public_job_spec(
            new_job_id(), REVERSE, INPUT, LIMITS, requester.public, replication=3
        )
        await coordinator.submit(spec, "tester")
        with pytest.raises(JobStateError, match="already submitted"):
            await coordinator.submit(spec, "tester")


async def test_registration_is_refused_by_a_node_without_the_role(tmp_path: Path) -> None:
    async with localnet(tmp_path, validators=2) as net:
        first, second = net.validators
        register = Register(
            second.identity.public_key,
            second.identity.encryption_key_announcement(),
            JobLimits.of(LIMITS),
            0.0,
        )
        reply = await second.request(first.node_id, register)
        assert isinstance(reply, Refused)


async def test_registration_with_another_nodes_key_is_refused(tmp_path: Path) -> None:
    async with localnet(tmp_path, validators=2) as net:
        first, second = net.validators
        register = Register(
            first.identity.public_key,
            first.identity.encryption_key_announcement(),
            JobLimits.of(LIMITS),
            0.0,
        )
        reply = await second.request(net.coordinator.node_id, register)
        assert isinstance(reply, Refused)
        assert "another node's key" in reply.reason
