"""Withdrawal consensus on in-process networks of 4 to 10 nodes on the memory transport.

Oracles: proofs made with the shipped withdraw keys (curve "auto") over a tree rebuilt here
from the deposited commitments; the approval rule ⌈0.7·N⌉ of N worked by hand for each
network size (3 of 4, 7 of 10); each recorded vote re-verified with the voter's public key.
"""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.circuits.withdraw import Note
from paraloom.consensus.votes import Decision, verify_vote
from paraloom.consensus.withdrawal import WithdrawalRequest, encode_request
from paraloom.errors import ConsensusError, FormatError
from paraloom.math.fields import FR_MODULUS
from paraloom.node.node import Node
from paraloom.node.protocol import Accepted, Refused
from paraloom.node.withdrawals import (
    DepositNotice,
    ProofVerifier,
    SpentNotice,
    require_element,
)
from paraloom.storage.chain import WithdrawalDecision
from paraloom.storage.merkle_store import encode_element
from paraloom.storage.nullifiers import NullifierSet

from .node_harness import wait_for
from .withdrawal_net import (
    WithdrawalNet,
    auto_curve_is_python,
    prove_withdrawal,
    withdrawal_net,
)

RECIPIENT = bytes(range(32))
OTHER_RECIPIENT = bytes(range(1, 33))


class WrongVerifier:
    """Test-only fault: a validator that answers the opposite of the true verification."""

    def __init__(self, inner: ProofVerifier) -> None:
        self.inner = inner

    def verify(self, request: WithdrawalRequest) -> bool:
        return not self.inner.verify(request)


def needs_proofs(test: Callable[..., Any]) -> Callable[..., Any]:
    """A proof takes about 7 s on the pure-Python backend, half a second on arkworks."""
    return pytest.mark.slow(test) if auto_curve_is_python() else test


def _url(node: Node, path: str) -> str:
    assert node.api_address is not None
    host, port = node.api_address
    return f"http://{host}:{port}{path}"


async def _call(node: Node, path: str, document: dict[str, Any] | None = None) -> Any:
    """An API request (POST with a document, else GET); the status and the JSON answer."""
    data = None if document is None else json.dumps(document).encode()

    def send() -> tuple[int, Any]:
        try:
            with urllib.request.urlopen(urllib.request.Request(_url(node, path), data)) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    return await asyncio.to_thread(send)


async def _deposit(net: WithdrawalNet, via: Node, commitment: int) -> int:
    status, answer = await _call(via, "/deposits", {"commitment": encode_element(commitment).hex()})
    assert status == 200, answer
    index = answer["leaf_index"]
    assert isinstance(index, int)
    return index


async def _submit(via: Node, request: WithdrawalRequest) -> str:
    body = {"request": base64.b64encode(encode_request(request)).decode()}
    status, answer = await _call(via, "/withdrawals", body)
    assert status == 200, answer
    assert answer["state"] == "voting"
    return str(answer["request_id"])


async def _decision(net: WithdrawalNet, request: WithdrawalRequest) -> WithdrawalDecision:
    withdrawals = net.coordinator.withdrawals
    assert withdrawals is not None
    await wait_for(lambda: withdrawals.chain.decision(request.request_id) is not None)
    decision = withdrawals.chain.decision(request.request_id)
    assert decision is not None
    return decision


def _decisions(decision: WithdrawalDecision) -> list[str]:
    return sorted(vote.vote for vote in decision.votes)


def _check_signatures(net: WithdrawalNet, decision: WithdrawalDecision) -> None:
    keys = {node.identity.node_id: node.identity.public_key for node in net.validators}
    for vote in decision.votes:
        verify_vote(vote.decoded(), keys[vote.validator_id], request_id=decision.request.request_id)


def _spent(node: Node, nullifier: bytes) -> bool:
    assert node.database is not None
    return NullifierSet(node.database).spent(nullifier)


async def _deposited_note(net: WithdrawalNet, amount: int) -> tuple[Note, list[int], int]:
    """A note deposited through a validator's API (forwarded), after one other note."""
    note = Note.random(amount)
    leaves = [Note.random(1).commitment, note.commitment]
    for leaf in leaves:
        index = await _deposit(net, net.validators[0], leaf)
    return note, leaves, index


@needs_proofs
async def test_a_valid_withdrawal_is_approved_and_its_nullifier_spent_once(
    tmp_path: Path,
) -> None:
    async with withdrawal_net(tmp_path, 4) as net:
        note, leaves, index = await _deposited_note(net, 2_000_000_000)
        assert index == 1
        for node in net.validators:
            assert node.voter is not None
            assert len(node.voter.tree) == 2
        request = await asyncio.to_thread(prove_withdrawal, note, leaves, index, RECIPIENT)
        request_id = await _submit(net.validators[1], request)
        assert request_id == request.request_id.hex()

        decision = await _decision(net, request)
        assert decision.outcome == "approved"
        # 3 of 4 decide; the fourth vote may come after the decision and is then not counted
        assert len(decision.votes) >= 3
        assert set(_decisions(decision)) == {"approve"}
        _check_signatures(net, decision)
        assert _spent(net.coordinator, request.nullifier)
        status, answer = await _call(net.validators[2], f"/withdrawals/{request_id}")
        assert (status, answer["state"]) == (200, "approved")
        assert len(answer["votes"]) == len(decision.votes)
        await wait_for(lambda: all(_spent(node, request.nullifier) for node in net.validators))

        # the same note to another recipient: a new request, the same nullifier
        again = await asyncio.to_thread(prove_withdrawal, note, leaves, index, OTHER_RECIPIENT)
        assert again.nullifier == request.nullifier
        assert again.request_id != request.request_id
        status, answer = await _call(net.validators[0], "/withdrawals", _body(again))
        assert status == 409  # the coordinator knows the spend: no validator is even asked
        assert f"nullifier {again.nullifier.hex()} is already spent" in answer["error"]
        assert net.coordinator.withdrawals is not None
        assert net.coordinator.withdrawals.chain.decision(again.request_id) is None
        assert NullifierSet(net.coordinator.database).count() == 1  # type: ignore[arg-type]

        status, answer = await _call(net.validators[0], "/withdrawals", _body(request))
        assert status == 409
        assert "already submitted" in answer["error"]


def _body(request: WithdrawalRequest) -> dict[str, str]:
    return {"request": base64.b64encode(encode_request(request)).decode()}


@needs_proofs
async def test_a_proof_for_another_statement_is_rejected(tmp_path: Path) -> None:
    async with withdrawal_net(tmp_path, 4) as net:
        note, leaves, index = await _deposited_note(net, 5_000)
        forged = await asyncio.to_thread(
            prove_withdrawal, note, leaves, index, RECIPIENT, amount=5_001
        )
        await _submit(net.coordinator, forged)
        decision = await _decision(net, forged)
        assert decision.outcome == "rejected"
        assert set(_decisions(decision)) == {"reject"}
        assert all("proof does not verify" in vote.decoded().reason for vote in decision.votes)
        assert not _spent(net.coordinator, forged.nullifier)


@needs_proofs
async def test_a_proof_with_flipped_bytes_is_rejected(tmp_path: Path) -> None:
    async with withdrawal_net(tmp_path, 4) as net:
        note, leaves, index = await _deposited_note(net, 5_000)
        honest = await asyncio.to_thread(prove_withdrawal, note, leaves, index, RECIPIENT)
        proof = bytearray(honest.proof)
        proof[5] ^= 0x01
        tampered = WithdrawalRequest(
            bytes(proof),
            honest.root,
            honest.nullifier,
            honest.amount,
            honest.recipient,
            honest.expiration_slot,
        )
        await _submit(net.coordinator, tampered)
        decision = await _decision(net, tampered)
        assert decision.outcome == "rejected"
        assert set(_decisions(decision)) == {"reject"}
        assert not _spent(net.coordinator, tampered.nullifier)


@needs_proofs
async def test_an_unknown_root_gets_abstentions_and_no_approval(tmp_path: Path) -> None:
    async with withdrawal_net(tmp_path, 4) as net:
        note = Note.random(7)
        leaves = [note.commitment]  # never deposited: no node knows this tree's root
        request = await asyncio.to_thread(prove_withdrawal, note, leaves, 0, RECIPIENT)
        await _submit(net.coordinator, request)
        decision = await _decision(net, request)
        assert decision.outcome != "approved"
        assert set(_decisions(decision)) == {"abstain"}
        assert not _spent(net.coordinator, request.nullifier)


@needs_proofs
async def test_seven_of_ten_approve_despite_three_faulty_validators(tmp_path: Path) -> None:
    faulty = {2, 5, 9}

    def verifier_for(index: int, honest: ProofVerifier) -> ProofVerifier:
        return WrongVerifier(honest) if index in faulty else honest

    async with withdrawal_net(tmp_path, 10, verifier_for=verifier_for) as net:
        note, leaves, index = await _deposited_note(net, 1_000)
        request = await asyncio.to_thread(prove_withdrawal, note, leaves, index, RECIPIENT)
        await _submit(net.coordinator, request)
        decision = await _decision(net, request)
        assert decision.outcome == "approved"
        assert _decisions(decision).count("approve") == 7
        assert _decisions(decision).count("reject") <= 3
        _check_signatures(net, decision)
        assert _spent(net.coordinator, request.nullifier)


@needs_proofs
async def test_four_faulty_of_ten_block_approval(tmp_path: Path) -> None:
    def verifier_for(index: int, honest: ProofVerifier) -> ProofVerifier:
        return WrongVerifier(honest) if index < 4 else honest

    async with withdrawal_net(tmp_path, 10, verifier_for=verifier_for) as net:
        note, leaves, index = await _deposited_note(net, 1_000)
        request = await asyncio.to_thread(prove_withdrawal, note, leaves, index, RECIPIENT)
        await _submit(net.coordinator, request)
        decision = await _decision(net, request)
        assert decision.outcome == "rejected"
        # decided by the fourth rejection: approval (7) is impossible from then on
        assert _decisions(decision).count(Decision.REJECT.value) == 4
        assert _decisions(decision).count(Decision.APPROVE.value) <= 6
        assert not _spent(net.coordinator, request.nullifier)


async def test_bad_api_input_is_refused_with_its_reason(tmp_path: Path) -> None:
    async with withdrawal_net(tmp_path, 4) as net:
        coordinator = net.coordinator
        status, answer = await _call(coordinator, "/withdrawals", {"request": "!!"})
        assert status == 400
        assert "base64" in answer["error"]
        bogus = base64.b64encode(b"\x81\xa1x\x01").decode()
        status, answer = await _call(coordinator, "/withdrawals", {"request": bogus})
        assert status == 400
        status, answer = await _call(coordinator, "/deposits", {"commitment": "ff" * 32})
        assert status == 400
        assert "field element" in answer["error"]
        status, answer = await _call(coordinator, "/deposits", {"commitment": 5})
        assert status == 400
        assert "hex" in answer["error"]
        status, answer = await _call(coordinator, "/withdrawals/" + "ab" * 32)
        assert status == 404


@needs_proofs
async def test_validators_take_deposits_only_from_their_coordinator_and_in_order(
    tmp_path: Path,
) -> None:
    async with withdrawal_net(tmp_path, 4) as net:
        validator, stranger = net.validators[0], net.validators[1]
        notice = DepositNotice(0, [encode_element(42)])
        reply = await stranger.request(validator.node_id, notice)
        assert isinstance(reply, Refused)
        assert "not this node's coordinator" in reply.reason
        reply = await stranger.request(validator.node_id, SpentNotice(encode_element(1)))
        assert isinstance(reply, Refused)
        assert not _spent(validator, encode_element(1))
        voter = validator.voter
        assert voter is not None
        coordinator = net.coordinator.node_id
        assert isinstance(await voter.on_deposit(coordinator, notice), Accepted)
        assert isinstance(await voter.on_deposit(coordinator, notice), Accepted)  # a repeat
        skipped = await voter.on_deposit(coordinator, DepositNotice(5, [encode_element(43)]))
        assert isinstance(skipped, Refused)
        assert "the tree's next leaf is 1" in skipped.reason
        other = await voter.on_deposit(coordinator, DepositNotice(0, [encode_element(41)]))
        assert isinstance(other, Refused)
        assert "leaf 0 differs" in other.reason
        assert len(voter.tree) == 1
        # catching up: the held leaf is checked, the missing ones appended
        caught_up = DepositNotice(0, [encode_element(42), encode_element(43), encode_element(44)])
        assert isinstance(await voter.on_deposit(coordinator, caught_up), Accepted)
        assert [voter.tree.leaf(index) for index in range(len(voter.tree))] == [42, 43, 44]
        request = await asyncio.to_thread(
            prove_withdrawal, Note(1, 2, 3), [Note(1, 2, 3).commitment], 0, RECIPIENT
        )
        withdrawals = net.coordinator.withdrawals
        assert withdrawals is not None
        await withdrawals.submit(request)
        with pytest.raises(ConsensusError, match="already submitted"):
            await withdrawals.submit(request)


@given(st.binary(min_size=0, max_size=40))
def test_require_element_takes_exactly_canonical_32_byte_elements(value: bytes) -> None:
    canonical = len(value) == 32 and int.from_bytes(value, "big") < FR_MODULUS
    if canonical:
        assert require_element(value, "x") == value
    else:
        with pytest.raises(FormatError, match="the x must be a field element"):
            require_element(value, "x")
