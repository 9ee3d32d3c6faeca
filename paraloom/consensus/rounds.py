"""The coordinator's side of withdrawal consensus: one round of votes on one request.

A state machine driven by signed votes and a clock, like :mod:`paraloom.compute.jobs`: it does
no I/O and answers each input with events (ask these validators, the round is decided, this
validator equivocated, change these reputations). Rules (DESIGN §6, seed 003):

- N is the number of validators registered when the round starts; approval needs
  ⌈approval_fraction·N⌉ approvals (7 of 10). The fraction is taken as the decimal the config
  wrote, so 0.55·100 is exactly 55, not the 55.00000000000001 of binary floats (which would
  demand 56).
- Approved as soon as that many approve; rejected as soon as approval is impossible (approvals
  plus validators yet to vote fall short); timed out at the vote timeout otherwise.
- Votes must verify under the registered key, for this request and this round; anything else
  is refused with VoteError. A repeated vote with the same decision is ignored (transports
  redeliver, voters resend). A vote with another decision is equivocation: both votes become
  :class:`~paraloom.consensus.evidence.EquivocationEvidence`, and the voter's vote is discarded
  for the rest of the round. Equivocation is detected for as long as the round object lives,
  also after the decision; a decision once taken never changes, and neither does reputation
  once settled (later equivocation yields evidence, which slashing acts on).
- Reputation is settled once, when every validator has voted or the timeout has passed (a round
  decided early still waits for stragglers). The verdict is approval if approved, rejection if
  ⌈approval_fraction·N⌉ rejected, else none. Against a verdict, a vote with it earns
  correct + consensus bonus and one against it incorrect; without a verdict nobody can tell who
  was right, so votes are not judged. Abstentions are never judged, silence always costs the
  timeout penalty and equivocation the incorrect one.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from paraloom.compute.jobs import ReputationChange
from paraloom.compute.reputation import Outcome
from paraloom.config import ConsensusSettings
from paraloom.consensus.evidence import EquivocationEvidence, equivocation_evidence
from paraloom.consensus.validators import ValidatorSet
from paraloom.consensus.votes import Decision, Vote, verify_vote
from paraloom.consensus.withdrawal import WithdrawalRequest
from paraloom.errors import ConsensusError, VoteError
from paraloom.units import format_duration


class RoundOutcome(enum.Enum):
    """How a round ended; the values are what the chain store records."""

    APPROVED = "approved"
    REJECTED = "rejected"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class VotesRequested:
    """Send the request to these validators; their votes are due before ``deadline``."""

    request_id: bytes
    round: int
    validators: tuple[bytes, ...]
    deadline: float


@dataclass(frozen=True)
class Decided:
    """The round's outcome with the votes counted when it was reached, in voter order."""

    request_id: bytes
    round: int
    outcome: RoundOutcome
    reason: str
    votes: tuple[Vote, ...]
    at: float


Event = VotesRequested | Decided | EquivocationEvidence | ReputationChange


def approvals_needed(approval_fraction: float, validators: int) -> int:
    """⌈approval_fraction·N⌉ with the fraction read as the decimal it was written as."""
    if validators < 1:
        raise ConsensusError("a withdrawal round needs at least one registered validator")
    return max(1, math.ceil(Fraction(repr(approval_fraction)) * validators))


class Round:
    """One round of votes on one request; build it with :meth:`start`."""

    def __init__(
        self,
        request_id: bytes,
        validators: ValidatorSet,
        settings: ConsensusSettings,
        now: float,
        number: int = 1,
    ) -> None:
        self.request_id = request_id
        self.number = number
        self.validators = validators
        self.needed = approvals_needed(settings.approval_fraction, len(validators))
        self.deadline = now + settings.vote_timeout
        self.settings = settings
        self.outcome: RoundOutcome | None = None
        self.settled = False
        self._votes: dict[bytes, Vote] = {}
        self._equivocators: set[bytes] = set()

    @classmethod
    def start(
        cls,
        request: WithdrawalRequest,
        validators: ValidatorSet,
        settings: ConsensusSettings,
        now: float,
        *,
        number: int = 1,
    ) -> tuple[Round, list[Event]]:
        """A round on ``request`` among the validators registered now."""
        round_ = cls(request.request_id, validators, settings, now, number)
        ask = VotesRequested(round_.request_id, number, validators.node_ids, round_.deadline)
        return round_, [ask]

    @property
    def votes(self) -> tuple[Vote, ...]:
        """The votes that count (equivocators' discarded), in voter order."""
        return tuple(vote for _, vote in sorted(self._votes.items()))

    @property
    def pending(self) -> frozenset[bytes]:
        """Validators that have not voted (equivocators count as having voted)."""
        return frozenset(self.validators.node_ids) - set(self._votes) - self._equivocators

    def vote(self, vote: Vote, now: float) -> list[Event]:
        """Take one signed vote received at ``now`` (after applying the deadline due then).

        :raises VoteError: the voter is not a validator of the round, or the vote is forged.
        """
        if vote.voter not in self.validators:
            raise VoteError(
                f"vote by {vote.voter.hex()}: not a registered validator of round "
                f"{self.number} of request {self.request_id.hex()}"
            )
        public_key = self.validators.get(vote.voter).public_key
        verify_vote(vote, public_key, request_id=self.request_id, round=self.number)
        return [*self.tick(now), *self._accept(vote, public_key, now)]

    def tick(self, now: float) -> list[Event]:
        """Apply the vote timeout if it has passed: time the round out, settle reputation."""
        if now < self.deadline:
            return []
        events: list[Event] = []
        if self.outcome is None:
            events.append(self._decide(RoundOutcome.TIMEOUT, self._timeout_reason(), now))
        return [*events, *self._settle()]

    # -- internals ----------------------------------------------------------------------

    def _accept(self, vote: Vote, public_key: bytes, now: float) -> list[Event]:
        voter = vote.voter
        known = self._votes.get(voter)
        if voter in self._equivocators or (known is not None and known.decision == vote.decision):
            return []
        if known is not None:
            del self._votes[voter]
            self._equivocators.add(voter)
            return [equivocation_evidence(public_key, known, vote), *self._progress(now)]
        if self.settled:
            return []
        self._votes[voter] = vote
        return self._progress(now)

    def _progress(self, now: float) -> list[Event]:
        """Decide if the votes allow it, and settle once nobody is left to vote."""
        events: list[Event] = []
        if self.outcome is None:
            events.extend(self._evaluate(now))
        if self.outcome is not None and not self.pending:
            events.extend(self._settle())
        return events

    def _evaluate(self, now: float) -> Iterable[Event]:
        approvals = self._count(Decision.APPROVE)
        if approvals >= self.needed:
            reason = f"{approvals} of {len(self.validators)} approve (need {self.needed})"
            yield self._decide(RoundOutcome.APPROVED, reason, now)
        elif approvals + len(self.pending) < self.needed:
            reason = (
                f"approval impossible: {approvals} approve and {len(self.pending)} have not "
                f"voted of {len(self.validators)} (need {self.needed})"
            )
            yield self._decide(RoundOutcome.REJECTED, reason, now)

    def _decide(self, outcome: RoundOutcome, reason: str, now: float) -> Decided:
        self.outcome = outcome
        return Decided(self.request_id, self.number, outcome, reason, self.votes, now)

    def _timeout_reason(self) -> str:
        return (
            f"timed out after {format_duration(self.settings.vote_timeout)}: "
            f"{self._count(Decision.APPROVE)} of {len(self.validators)} approve "
            f"(need {self.needed})"
        )

    def _count(self, decision: Decision) -> int:
        return sum(vote.decision is decision for vote in self._votes.values())

    def _settle(self) -> list[Event]:
        """Every validator's reputation change for the round, once (module docstring)."""
        if self.settled:
            return []
        self.settled = True
        verdict = self._verdict()
        events: list[Event] = []
        for node_id in self.validators.node_ids:
            for outcome in self._judge(node_id, verdict):
                events.append(ReputationChange(node_id.hex(), outcome))
        return events

    def _verdict(self) -> Decision | None:
        if self.outcome is RoundOutcome.APPROVED:
            return Decision.APPROVE
        return Decision.REJECT if self._count(Decision.REJECT) >= self.needed else None

    def _judge(self, node_id: bytes, verdict: Decision | None) -> tuple[Outcome, ...]:
        if node_id in self._equivocators:
            return (Outcome.INCORRECT,)
        vote = self._votes.get(node_id)
        if vote is None:
            return (Outcome.TIMEOUT,)
        if verdict is None or vote.decision is Decision.ABSTAIN:
            return ()
        if vote.decision is verdict:
            return (Outcome.CORRECT, Outcome.CONSENSUS_BONUS)
        return (Outcome.INCORRECT,)
