"""Withdrawal consensus in the node: the coordinator runs rounds, validators judge and vote.

Protocol, version 1 (MessagePack :class:`~paraloom.network.wire.WireMessage` structs, strict):

- The coordinator sends each validator registered when the round starts a
  :class:`VoteRequest` (the request and the round number); the validator answers with its
  signed :class:`~paraloom.consensus.votes.Vote`, or :class:`Refused` when it cannot judge.
- Deposits: the coordinator appends a commitment to its own tree, then brings every
  registered validator's tree up to it with a :class:`DepositNotice` (the leaves it lacks,
  from the first index the coordinator has not seen it take), so every tree grows in the same
  order and has the same roots; a validator that joins late or missed a notice catches up
  with the next deposit or before it is asked to vote. A validator takes notices only from the
  coordinator it registered with; leaves it holds already must match, and a notice that starts
  past its tree's end is refused.
- After an approval is recorded, the coordinator sends :class:`SpentNotice` so validators
  reject a second request for the same nullifier.

The validator set of a round is the validators registered with the coordinator's compute
pool at its start, each with the minimum stake: equal stake until stakes come from the chain.
Validators trust the coordinator for deposits and spends; checking them against the chain is
the bridge's work. Which slot is current comes from a callable the node is given (until the
bridge supplies Solana's), 0 by default: no request expires then.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

import msgspec

from paraloom.circuits.withdraw import TREE_DEPTH, withdraw_public_inputs
from paraloom.components import Circuit, ProofCodec
from paraloom.compute.jobs import ReputationChange
from paraloom.compute.registry import ValidatorRegistry
from paraloom.compute.reputation import Outcome, ReputationTracker
from paraloom.config import Config, ConsensusSettings
from paraloom.consensus.evidence import EquivocationEvidence
from paraloom.consensus.rounds import Decided, Event, Round, RoundOutcome, VotesRequested
from paraloom.consensus.validators import MINIMUM_STAKE, Validator, ValidatorSet
from paraloom.consensus.votes import Round as RoundNumber
from paraloom.consensus.votes import Vote, decode_vote, sign_vote
from paraloom.consensus.wire import Bytes32, NonNegative
from paraloom.consensus.withdrawal import WithdrawalRequest, judge
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ConsensusError, FormatError, ParaloomError, StorageError
from paraloom.math.backend import AnyCurveBackend
from paraloom.math.fields import FR_MODULUS
from paraloom.network.wire import WireMessage
from paraloom.node.coordinator_state import DecisionEntry
from paraloom.node.protocol import Accepted, Refused, Reply
from paraloom.registry import Registry
from paraloom.storage import chain
from paraloom.storage.chain import ChainStore, SignedVote, WithdrawalDecision
from paraloom.storage.database import Database
from paraloom.storage.merkle_store import (
    ELEMENT_SIZE,
    MerkleStore,
    decode_element,
    encode_element,
)
from paraloom.storage.nullifiers import NullifierSet

LOGGER = logging.getLogger("paraloom.node.withdrawals")
WITHDRAW_CIRCUIT = "withdraw"

#: Sends a request to a peer and returns its reply; raises TransportError when it cannot.
SendRequest = Callable[[str, WireMessage], Awaitable[Reply]]


class VoteRequest(WireMessage, frozen=True, tag="withdrawal-vote-request"):
    """The coordinator asks for a validator's signed vote on ``request`` in ``round``."""

    request: WithdrawalRequest
    round: RoundNumber


class DepositNotice(WireMessage, frozen=True, tag="deposit-notice"):
    """The tree's leaves (field elements, big-endian) from ``first_index`` on."""

    first_index: NonNegative
    commitments: Annotated[list[Bytes32], msgspec.Meta(max_length=1 << TREE_DEPTH)]


class SpentNotice(WireMessage, frozen=True, tag="nullifier-spent"):
    """An approved withdrawal spent ``nullifier``."""

    nullifier: Bytes32


# -- verification ---------------------------------------------------------------------------


class ProofVerifier(Protocol):
    """Whether a request's proof verifies; may raise a ParaloomError for an unreadable one."""

    def verify(self, request: WithdrawalRequest) -> bool: ...


@dataclass(frozen=True)
class WithdrawProofs:
    """Groth16 verification of withdraw proofs with the components the config selects."""

    circuit: Circuit
    backend: AnyCurveBackend
    codec: ProofCodec

    def verify(self, request: WithdrawalRequest) -> bool:
        public = withdraw_public_inputs(
            root=decode_element(request.root),
            nullifier=decode_element(request.nullifier),
            amount=request.amount,
            recipient=request.recipient,
            expiration_slot=request.expiration_slot,
        )
        return self.circuit.verify(self.backend, public, self.codec.decode_proof(request.proof))


def load_withdraw_proofs(registry: Registry, config: Config) -> WithdrawProofs:
    """The verifier from ``plugins.curve``, ``plugins.codec`` and the ``withdraw`` circuit,
    which ``plugins.circuits`` must list (a node that votes on withdrawals needs it)."""
    plugins = config.plugins
    selected = [s for s in plugins.circuits if s.name == WITHDRAW_CIRCUIT]
    if not selected:
        raise ConsensusError(
            f"plugins.circuits does not list {WITHDRAW_CIRCUIT!r}: this node cannot verify "
            "withdrawals"
        )
    circuit: Circuit = registry.build(selected[0], "plugins.circuits")
    return WithdrawProofs(
        circuit,
        registry.build(plugins.curve, "plugins.curve"),
        registry.build(plugins.codec, "plugins.codec"),
    )


def open_tree(database: Database) -> MerkleStore:
    """The node's commitment tree, as deep as the withdraw circuit's."""
    return MerkleStore.open(database, TREE_DEPTH)


# -- the validator side ---------------------------------------------------------------------


class WithdrawalVoter:
    """A validator's side: judge requests against its own tree and nullifiers, sign votes."""

    def __init__(
        self,
        identity: NodeIdentity,
        database: Database,
        proofs: ProofVerifier,
        *,
        coordinator: Callable[[], str | None],
        observe_verification: Callable[[float], None],
        current_slot: Callable[[], int] = lambda: 0,
    ) -> None:
        self.identity = identity
        self.tree = open_tree(database)
        self.nullifiers = NullifierSet(database)
        self._proofs = proofs
        self._coordinator = coordinator
        self._observe = observe_verification
        self._current_slot = current_slot

    async def on_vote_request(self, _peer: str, message: VoteRequest) -> Vote:
        """Judge in a worker thread (verification blocks); the stores are read here first,
        since their connection belongs to this thread."""
        request = message.request
        spent = self.nullifiers.spent(request.nullifier)
        known = self.tree.is_known_root(decode_element(request.root))
        judgement = await asyncio.to_thread(
            judge,
            request,
            verify_proof=self._timed_verify,
            nullifier_spent=lambda _: spent,
            root_known=lambda _: known,
            current_slot=self._current_slot(),
        )
        return sign_vote(
            self.identity,
            request.request_id,
            judgement.decision,
            reason=judgement.reason,
            round=message.round,
            voted_at=int(time.time() * 1000),
        )

    async def on_deposit(self, peer: str, notice: DepositNotice) -> Reply:
        """Append the leaves this tree lacks, after checking those it holds (no await, so
        notices that overlap are applied one after the other)."""
        self._require_coordinator(peer, "deposit")
        leaves = [decode_element(require_element(c, "commitment")) for c in notice.commitments]
        first, size = notice.first_index, len(self.tree)
        if first > size:
            return Refused(f"deposits from leaf {first}, the tree's next leaf is {size}")
        held = leaves[: size - first]
        for index, leaf in enumerate(held, start=first):
            if self.tree.leaf(index) != leaf:
                return Refused(f"deposit at leaf {index} differs from the leaf this node holds")
        self.tree.append(leaves[len(held) :])
        return Accepted()

    async def on_spent(self, peer: str, notice: SpentNotice) -> Reply:
        self._require_coordinator(peer, "spent nullifier")
        self.nullifiers.add(notice.nullifier)
        return Accepted()

    def _timed_verify(self, request: WithdrawalRequest) -> bool:
        start = time.perf_counter()
        try:
            return self._proofs.verify(request)
        finally:
            self._observe(time.perf_counter() - start)

    def _require_coordinator(self, peer: str, what: str) -> None:
        if peer != self._coordinator():
            raise ConsensusError(f"{what} notice from {peer}, which is not this node's coordinator")


def _decision_entry(decision: WithdrawalDecision) -> DecisionEntry:
    request = decision.request
    votes = [vote.encoded for vote in decision.votes if vote.encoded is not None]
    return DecisionEntry(
        request.request_id,
        request.nullifier,
        request.amount,
        request.recipient,
        request.expiration_slot,
        decision.outcome,
        votes,
        decision.decided_at,
    )


def _decision(entry: DecisionEntry) -> WithdrawalDecision:
    request = chain.WithdrawalRequest(
        entry.request_id, entry.nullifier, entry.amount, entry.recipient, entry.expiration_slot
    )
    votes = tuple(SignedVote.of(decode_vote(encoded)) for encoded in entry.votes)
    return WithdrawalDecision(request, entry.outcome, votes, entry.decided_at)


def require_element(value: bytes, what: str) -> bytes:
    """A canonical 32-byte field element (FormatError otherwise)."""
    if len(value) != ELEMENT_SIZE or decode_element(value) >= FR_MODULUS:
        raise FormatError(f"the {what} must be a field element: 32 bytes big-endian below r")
    return value


# -- the coordinator side -------------------------------------------------------------------


@dataclass
class _Pending:
    request: WithdrawalRequest
    round: Round
    decision: Decided | None = None


class WithdrawalCoordinator:
    """Runs withdrawal rounds and deposits for the coordinator role (module docstring)."""

    def __init__(
        self,
        settings: ConsensusSettings,
        database: Database,
        reputation: ReputationTracker,
        *,
        registry: ValidatorRegistry,
        send: SendRequest,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.chain = ChainStore(database)
        self.tree = open_tree(database)
        self._reputation = reputation
        self._registry = registry
        self._send = send
        self._clock = clock
        self._keys: dict[str, bytes] = {}
        self._rounds: dict[bytes, _Pending] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._synced: dict[str, int] = {}
        self._nullifiers = NullifierSet(database)
        #: Votes refused: a wrong signature, a wrong round, a signer outside the round's set.
        self.refused_votes = 0

    def register(self, node_id: str, public_key: bytes) -> None:
        """Remember a registered validator's key (the compute pool checked it names it)."""
        self._keys[node_id] = bytes(public_key)

    def validator_set(self) -> ValidatorSet:
        """The registered validators with known keys, equal stake (module docstring)."""
        members = [self._keys[node] for node in self._registered()]
        return ValidatorSet(Validator(key, MINIMUM_STAKE) for key in members)

    async def submit(self, request: WithdrawalRequest) -> str:
        """Start a round on ``request`` and ask for votes in the background; its hex id."""
        request_id = request.request_id
        if request_id in self._rounds or self.chain.decision(request_id) is not None:
            raise ConsensusError(f"withdrawal {request_id.hex()} was already submitted")
        if self._nullifiers.spent(request.nullifier):
            # validators that missed the spend notice would judge it unspent
            raise ConsensusError(f"nullifier {request.nullifier.hex()} is already spent")
        round_, events = Round.start(request, self.validator_set(), self.settings, self._clock())
        pending = _Pending(request, round_)
        self._rounds[request_id] = pending
        task = asyncio.create_task(self._run(pending, events))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return request_id.hex()

    def status(self, request_id: bytes) -> dict[str, Any] | None:
        """The request's state: voting, or its recorded outcome with the votes; None if unknown."""
        recorded = self.chain.decision(request_id)
        if recorded is not None:
            votes = [{"validator": v.validator_id.hex(), "vote": v.vote} for v in recorded.votes]
            return {"request_id": request_id.hex(), "state": recorded.outcome, "votes": votes}
        if request_id in self._rounds:
            return {"request_id": request_id.hex(), "state": "voting", "votes": []}
        return None

    def tick(self) -> None:
        """Apply the vote timeout to every running round."""
        for pending in list(self._rounds.values()):
            self._handle(pending, pending.round.tick(self._clock()))

    async def deposit(self, commitment: bytes) -> int:
        """Append ``commitment`` here, then at every registered validator; its leaf index."""
        (index,) = self.tree.append([decode_element(require_element(commitment, "commitment"))])
        await asyncio.gather(*(self._sync(node) for node in self._registered()))
        return index

    # -- failover -------------------------------------------------------------------------

    def export_deposits(self) -> list[bytes]:
        return [encode_element(self.tree.leaf(index)) for index in range(len(self.tree))]

    def export_decisions(self, recent: int) -> list[DecisionEntry]:
        """The ``recent`` latest decisions with their encoded signed votes."""
        entries = []
        for request_id in self.chain.recent_decisions(recent):
            decision = self.chain.decision(request_id)
            if decision is None:  # pragma: no cover - read in the same thread just above
                continue
            entries.append(_decision_entry(decision))
        return entries

    def voting(self) -> list[WithdrawalRequest]:
        """The requests whose rounds are still open."""
        return [pending.request for pending in self._rounds.values() if pending.decision is None]

    def adopt(self, deposits: list[bytes], decisions: list[DecisionEntry]) -> None:
        """Take over an earlier primary's tree and decisions. This node's tree must be a
        prefix of the primary's (both grew from the same deposit notices); a different leaf
        means two histories, which is refused rather than merged."""
        held = len(self.tree)
        if held > len(deposits):
            raise ConsensusError(
                f"the deposit tree here has {held} leaves, the replicated one {len(deposits)}"
            )
        for index in range(held):
            if encode_element(self.tree.leaf(index)) != deposits[index]:
                raise ConsensusError(f"deposit leaf {index} differs from the replicated one")
        self.tree.append(
            decode_element(require_element(leaf, "deposit")) for leaf in deposits[held:]
        )
        known = [entry for entry in decisions if self.chain.decision(entry.request_id) is None]
        self.chain.record_decisions(_decision(entry) for entry in known)

    async def resume(self, requests: list[WithdrawalRequest]) -> None:
        """Put the requests an earlier primary was still voting on to a new round."""
        for request in requests:
            if (
                request.request_id not in self._rounds
                and self.chain.decision(request.request_id) is None
            ):
                await self.submit(request)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- internals ------------------------------------------------------------------------

    async def _run(self, pending: _Pending, events: list[Event]) -> None:
        """Ask every validator, feeding each vote to the round as it comes; the clock times
        the round out, after which answers still on the way no longer matter."""
        asks = [e for e in events if isinstance(e, VotesRequested)]
        for ask in asks:
            message = VoteRequest(pending.request, ask.round)
            calls = [self._ask(pending, node.hex(), message) for node in ask.validators]
            await asyncio.wait(
                [asyncio.create_task(call) for call in calls],
                timeout=max(0.0, ask.deadline - self._clock()),
            )
        if pending.decision is not None and pending.decision.outcome is RoundOutcome.APPROVED:
            await self._broadcast(SpentNotice(pending.request.nullifier))

    async def _sync(self, node: str) -> None:
        """Send ``node`` the leaves it has not taken yet (module docstring)."""
        first, size = self._synced.get(node, 0), len(self.tree)
        if first >= size:
            return
        leaves = [encode_element(self.tree.leaf(index)) for index in range(first, size)]
        try:
            reply = await self._send(node, DepositNotice(first, leaves))
        except ParaloomError as error:
            reply = Refused(str(error))
        if isinstance(reply, Accepted):
            self._synced[node] = max(size, self._synced.get(node, 0))
        else:
            LOGGER.warning("deposits not taken by %s: %s", node, reply)
            self._synced.pop(node, None)  # start over from the first leaf next time

    async def _ask(self, pending: _Pending, node: str, message: VoteRequest) -> None:
        try:
            await self._sync(node)
            reply = await self._send(node, message)
        except ParaloomError as error:
            LOGGER.info("no vote from %s: %s", node, error)
            return
        if not isinstance(reply, Vote):
            LOGGER.info("no vote from %s: %s", node, reply)
            return
        try:
            self._handle(pending, pending.round.vote(reply, self._clock()))
        except ConsensusError as error:
            self.refused_votes += 1
            LOGGER.warning("vote from %s refused: %s", node, error)

    def _handle(self, pending: _Pending, events: Sequence[Event]) -> None:
        for event in events:
            if isinstance(event, Decided):
                self._record(pending, event)
            elif isinstance(event, ReputationChange):
                self._reputation.record(event.node_id, event.outcome, self._clock())
            elif isinstance(event, EquivocationEvidence):
                self._equivocated(pending, event)
        if pending.round.settled:
            self._rounds.pop(pending.round.request_id, None)

    def _equivocated(self, pending: _Pending, evidence: EquivocationEvidence) -> None:
        """Keep the evidence for slashing and count the two votes as one incorrect one."""
        voter = evidence.first.voter.hex()
        LOGGER.warning(
            "validator %s equivocated on withdrawal %s", voter, pending.round.request_id.hex()
        )
        try:
            if self.chain.record_evidence(evidence):
                self._reputation.record(voter, Outcome.INCORRECT, self._clock())
        except ParaloomError as error:
            LOGGER.error("equivocation evidence against %s not recorded: %s", voter, error)

    def _record(self, pending: _Pending, decided: Decided) -> None:
        """The decision, its votes and (approved) the spent nullifier: one transaction."""
        pending.decision = decided
        request = pending.request
        decision = WithdrawalDecision(
            chain.WithdrawalRequest(
                request.request_id,
                request.nullifier,
                request.amount,
                request.recipient,
                request.expiration_slot,
            ),
            decided.outcome.value,
            tuple(SignedVote.of(vote) for vote in decided.votes),
            int(time.time() * 1000),
        )
        try:
            self.chain.record_decision(decision)
        except StorageError as error:
            LOGGER.error(
                "withdrawal %s: decision not recorded: %s", request.request_id.hex(), error
            )
            return
        LOGGER.info(
            "withdrawal %s %s: %s", request.request_id.hex(), decided.outcome.value, decided.reason
        )

    def _registered(self) -> list[str]:
        """The validators in the compute pool now whose keys this side knows."""
        available = self._registry.available(self._clock())
        return [v.node_id for v in available if v.node_id in self._keys]

    async def _broadcast(self, message: WireMessage) -> None:
        nodes = self._registered()
        replies = await asyncio.gather(
            *(self._send(node, message) for node in nodes), return_exceptions=True
        )
        for node, reply in zip(nodes, replies, strict=True):
            if not isinstance(reply, Accepted):
                LOGGER.warning("%s not taken by %s: %s", type(message).__name__, node, reply)
