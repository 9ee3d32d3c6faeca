"""The exception hierarchy.

Every failure a user can cause is a :class:`ParaloomError`; the CLI turns one into a single
line on stderr and its ``exit_code``. Anything else escaping to the CLI is a bug in paraloom.
"""

from __future__ import annotations


class ParaloomError(Exception):
    """Base of every error paraloom reports to a user."""

    #: Process exit status the CLI uses for this error (2: bad input, flags or files).
    exit_code: int = 2


# -- configuration and plugins ------------------------------------------------------------


class ConfigError(ParaloomError):
    """A configuration file or value is invalid; the message names the key path and the file."""


class UnitParseError(ConfigError):
    """A size ("64MiB") or duration ("30s") string could not be parsed."""


class PluginError(ParaloomError):
    """Loading plugins or resolving components failed."""


class PluginLoadError(PluginError):
    """One or more plugins failed to load while ``on_error = "fail"``."""


class ComponentNotFoundError(PluginError):
    """A selected component name is not provided by any active plugin."""


class DuplicateComponentError(PluginError):
    """Two plugins provide a component of the same kind under the same name."""


# -- data ---------------------------------------------------------------------------------


class FormatError(ParaloomError):
    """Bytes or a file do not follow the format they claim (bad magic, truncated section...)."""


class CurveError(ParaloomError):
    """An elliptic-curve value was refused."""


class InvalidPointError(CurveError):
    """A point is not on the curve or not in the prime-order subgroup."""


class InvalidScalarError(CurveError):
    """A scalar or field element is out of range (for example ≥ r)."""


class LengthMismatchError(CurveError):
    """Vectors that must pair up element for element (points and scalars of an MSM) do not."""


class InvalidDomainError(CurveError):
    """An NTT domain size is not a power of two within the 2-adicity of Fr."""


class MerkleTreeError(ParaloomError):
    """A Merkle tree or proof was used inconsistently (wrong depth, unknown leaf index)."""


class TreeFullError(MerkleTreeError):
    """An append-only tree has no free leaf left."""


class EnvelopeError(ParaloomError):
    """An encrypted envelope cannot be opened: malformed, tampered, or not addressed to the key.

    One type for every way that sealing or opening fails, so callers need one except clause;
    when it is raised no plaintext, not even a partial one, has been released.
    """


class SignatureError(ParaloomError):
    """An Ed25519 signature does not verify under the public key it is checked against."""

    exit_code = 1


# -- circuits -----------------------------------------------------------------------------


class CircuitError(ParaloomError):
    """A circuit definition or its inputs are inconsistent (missing input, duplicate name...)."""


class UnsatisfiedConstraintError(ParaloomError):
    """A witness does not satisfy a constraint system; the message names the first failure."""


class WitnessError(ParaloomError):
    """A circom witness generator refused its inputs or failed (assert, unknown signal, limits)."""


class SetupError(ParaloomError):
    """Groth16 keys cannot be made or trusted for this circuit.

    The powers of tau are too small, unprepared or for another curve, or a proving key has no
    phase-2 contribution (delta = gamma lets anyone forge proofs).
    """


class ProofRejectedError(ParaloomError):
    """A proof that had to be valid (one just made, one a protocol relies on) is not."""

    exit_code = 1


class CeremonyVerificationError(ParaloomError):
    """A phase-2 key is readable but not a valid result of its ceremony.

    A failed pairing or transcript check, a point off the curve or outside the subgroup, or a
    section that differs from the key it should extend; the message names the contribution
    (number and name) or the section, and the check. "Invalid" is an answer, so it exits 1.
    """

    exit_code = 1


class CoordinatorError(ParaloomError):
    """A ceremony coordinator refused a request, or its state directory cannot be used.

    An unknown or spent ticket, an upload out of turn, an upload that is not exactly one new
    contribution to the current key. ``http_status`` is what the coordinator answers with, so
    the participant's client can raise the same error from the response.
    """

    exit_code = 1
    http_status = 409


class TicketError(CoordinatorError):
    """A ticket is unknown, has lost its turn, or does not hold the turn it needs."""

    http_status = 403


# -- runtime ------------------------------------------------------------------------------


class TransportError(ParaloomError):
    """A message could not be delivered: unknown peer, closed endpoint, oversized frame."""

    exit_code = 1


class PeerAuthenticationError(TransportError):
    """A peer did not prove the node id it must have: no TLS or certificate, or another key."""


class StorageError(ParaloomError):
    """The node's database cannot be used, or refused a write.

    Not SQLite, corrupted, of a newer schema than this paraloom, or a record that breaks a rule
    of the store (a nullifier spent twice, a result from outside a job's cohort); the message
    names the database file and what was wrong. Nothing of a refused write is kept.
    """

    exit_code = 1


class DistributionError(ParaloomError):
    """A job cannot be handed out: too few eligible validators for its cohort, a heartbeat from
    a validator that is not (or no longer) registered, or one with impossible values."""

    exit_code = 1


class JobLimitError(ParaloomError):
    """A job asks for more than a network-wide cap allows; the message names the cap."""


class JobStateError(ParaloomError):
    """A job got a message its state does not allow: an illegal transition, a result from a
    node outside its cohort, two different results from one node."""

    exit_code = 1


class CoordinationError(ParaloomError):
    """The coordinator-role protocol of the node (not the ceremony's CoordinatorError) refused
    a message or a request: a sender outside the coordinator set, a snapshot older than the one
    held or conflicting with it, two primaries claiming one term."""

    exit_code = 1


class NotPrimaryError(CoordinationError):
    """A write reached a node that is not the primary coordinator; the message names the
    primary it knows of, if any, so the client can go there."""


class NodeApiError(ParaloomError):
    """A node's client API refused a request or could not be reached: an unknown job, a
    malformed request, no coordinator known yet. The message names the node and the reason."""

    exit_code = 1


class LocalnetError(ParaloomError):
    """A localnet could not be started, inspected or stopped: no localnet in the directory,
    one already there, or a node that did not come up (the message points at its log)."""

    exit_code = 1


class ProofOfExecutionError(ParaloomError):
    """A proof of execution is malformed or does not bind this request, result and node.

    The message names the check that failed; a rejected proof is an answer, so it exits 1.
    """

    exit_code = 1


class ConsensusError(ParaloomError):
    """Withdrawal consensus refused an input: a registration below the minimum stake, an
    unknown validator, a round without validators, no validator with weight to lead."""

    exit_code = 1


class VoteError(ConsensusError):
    """A withdrawal vote is refused: forged (another node, another request or round, a bad
    signature) or from a node that is not a registered validator of the round."""


class EvidenceError(ConsensusError):
    """Equivocation evidence does not prove equivocation: the votes do not conflict, are not
    by one validator for one request and round, or a signature does not verify."""


class PrivateJobError(EnvelopeError):
    """A private job is malformed or tampered with: its ownership proof, its input commitment
    or its job id do not hold. An EnvelopeError, so one except clause covers a whole job."""


class ExecutionError(ParaloomError):
    """A job failed inside an executor (trap, limit, invalid module).

    ``fuel_consumed`` and ``elapsed`` (seconds) say what the job cost before it failed: a
    failure is an outcome that validators compare and that a requester is charged for, just as
    a result is. The message names the reason, the fuel and the time; ``reason`` alone is kept
    so that pickling (a job run in another process) rebuilds the same error.
    """

    exit_code = 1

    def __init__(self, reason: str, *, fuel_consumed: int = 0, elapsed: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fuel_consumed = fuel_consumed
        self.elapsed = elapsed

    def __str__(self) -> str:
        return f"{self.reason} (fuel used {self.fuel_consumed:,}, time {self.elapsed * 1e3:.2f} ms)"


class OutOfFuelError(ExecutionError):
    """A job used its whole instruction budget."""


class MemoryLimitError(ExecutionError):
    """A job needed more linear memory than its limit (at instantiation or by growing)."""


class ExecutionTimeoutError(ExecutionError):
    """A job ran past its wall-clock limit."""


class StackOverflowError(ExecutionError):
    """A job exhausted the executor's bounded wasm stack (deep or unbounded recursion)."""


class GuestTrapError(ExecutionError):
    """A job trapped (unreachable, out-of-bounds access, division by zero...) or broke the
    guest ABI at run time (refused to allocate its input, returned output outside memory)."""


class InvalidModuleError(ExecutionError):
    """The job's bytes are not a WebAssembly module that follows the guest ABI."""


class ImportsNotAllowedError(ExecutionError):
    """The job's module declares imports; jobs get no host functions at all."""
