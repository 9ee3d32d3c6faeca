"""The component kinds: what a plugin hands to the host (spec) and what it builds (contract).

A spec is a frozen description with a name, a one-line summary, the options it accepts and a
factory; the host never calls a plugin to decide anything, it builds the selected component from
its spec and calls it directly. Contracts are :class:`typing.Protocol`\\ s so that third-party
components need no base class from paraloom.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from paraloom.compute.execution import ExecutionLimits, ExecutionResult
from paraloom.math.backend import AnyCurveBackend
from paraloom.options import Option
from paraloom.zk.builder import CircuitBuilder
from paraloom.zk.expressions import Expr
from paraloom.zk.keys import Proof, VerificationKey

if TYPE_CHECKING:
    from paraloom.ceremony.bases import ChainBase
    from paraloom.ceremony.contribute import ContributionResult
    from paraloom.ceremony.verify import VerificationReport
    from paraloom.formats.files import Target
    from paraloom.progress import Progress

COMPONENT_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

ComponentT_co = TypeVar("ComponentT_co", covariant=True)


# -- contracts ----------------------------------------------------------------------------


@runtime_checkable
class HashFunction(Protocol):
    """A hash over bytes and over BN254 scalar-field elements.

    ``hash_elements`` takes integers in [0, r) and returns one; anything else is refused with
    InvalidScalarError, never reduced. Field-native hashes (Poseidon) compute it directly and
    may bound the count (Poseidon: 1..16 elements, as circomlib); byte hashes hash each element
    as 32 bytes big-endian and reduce the big-endian digest mod r
    (:mod:`paraloom.crypto.hashes`). Hashes with an R1CS gadget expose it on their spec.
    """

    @property
    def digest_size(self) -> int: ...

    def digest(self, data: bytes) -> bytes: ...

    def hash_elements(self, elements: Sequence[int]) -> int: ...


@runtime_checkable
class Executor(Protocol):
    """Runs one WASM job under limits; every failure raises an ExecutionError subclass."""

    def execute(
        self, wasm: bytes, job_input: bytes, limits: ExecutionLimits | None = None
    ) -> ExecutionResult: ...


@runtime_checkable
class ProofCodec(Protocol):
    """A byte layout for Groth16 proofs, verifying keys and public inputs.

    Decoders are the trust boundary for data from files and peers: they refuse malformed
    bytes (lengths, trailing bytes, flags) with FormatError, coordinates or scalars out of
    range with InvalidScalarError, and points off the curve or outside the order-r subgroup
    with InvalidPointError, so a decoded value is always one the verifier may use. Encoders
    refuse invalid values the same way, so whatever one codec writes, every codec reads back.
    """

    @property
    def format_id(self) -> str:
        """Names the byte layout, so that peers can tell whether they speak the same one."""
        ...

    def encode_proof(self, proof: Proof) -> bytes: ...

    def decode_proof(self, data: bytes) -> Proof: ...

    def encode_verification_key(self, key: VerificationKey) -> bytes: ...

    def decode_verification_key(self, data: bytes) -> VerificationKey: ...

    def encode_public(self, values: Sequence[int]) -> bytes: ...

    def decode_public(self, data: bytes) -> tuple[int, ...]: ...


@runtime_checkable
class CeremonyScheme(Protocol):
    """Phase-2 steps over one key-file format, with the curve backend the caller selected.

    ``contribute`` and ``beacon`` write ``destination`` atomically and return what they
    appended (number, record, contribution hash); ``verify`` raises CeremonyVerificationError
    unless ``key`` validly extends ``base`` and returns the verified contributions.
    """

    def contribute(
        self,
        backend: AnyCurveBackend,
        source: Target,
        destination: Target,
        *,
        name: str | None,
        entropy: str | None = None,
        progress: Progress = ...,
    ) -> ContributionResult: ...

    def beacon(
        self,
        backend: AnyCurveBackend,
        source: Target,
        destination: Target,
        *,
        beacon_hash: bytes,
        iterations_exp: int,
        name: str | None = ...,
        progress: Progress = ...,
    ) -> ContributionResult: ...

    def verify(
        self,
        backend: AnyCurveBackend,
        key: Target,
        base: ChainBase,
        *,
        progress: Progress = ...,
    ) -> VerificationReport: ...


@runtime_checkable
class Circuit(Protocol):
    """A circuit whose keys came out of a ceremony: what validators verify and users prove.

    ``public_inputs`` names the public signals in the order proofs carry them; ``prove`` refuses
    inputs that do not satisfy the circuit, naming the failed constraint.
    """

    @property
    def name(self) -> str: ...

    @property
    def public_inputs(self) -> tuple[str, ...]: ...

    def verification_key(self) -> VerificationKey: ...

    def prove(
        self, backend: AnyCurveBackend, inputs: Mapping[str, int]
    ) -> tuple[Proof, tuple[int, ...]]: ...

    def verify(self, backend: AnyCurveBackend, public: Sequence[int], proof: Proof) -> bool: ...


class MessageHandler(Protocol):
    """What a transport delivers inbound traffic to (the node's dispatcher)."""

    async def on_request(self, peer: str, payload: bytes) -> bytes: ...

    async def on_gossip(self, peer: str, topic: str, payload: bytes) -> None: ...


@runtime_checkable
class Transport(Protocol):
    """Node-to-node messaging: request/response to one peer, gossip to all."""

    async def start(self, node_id: str, handler: MessageHandler) -> None: ...

    async def close(self) -> None: ...

    async def request(self, peer: str, payload: bytes, timeout: float) -> bytes: ...

    async def gossip(self, topic: str, payload: bytes) -> None: ...

    def peers(self) -> Sequence[str]: ...


# -- specs --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ComponentSpec(Generic[ComponentT_co]):
    """A named component a plugin provides.

    ``factory`` receives the selection's options, already validated against ``options`` and
    completed with their defaults. ``auto_priority`` lets ``"auto"`` pick among components of
    one kind (highest wins); ``None`` means "never picked automatically".
    """

    KIND: ClassVar[str] = "component"

    name: str
    summary: str
    factory: Callable[[Mapping[str, Any]], ComponentT_co]
    options: tuple[Option, ...] = ()
    auto_priority: int | None = None

    def __post_init__(self) -> None:
        if not COMPONENT_NAME_PATTERN.match(self.name):
            raise ValueError(
                f"{self.KIND} name {self.name!r} must match {COMPONENT_NAME_PATTERN.pattern}"
            )
        if not self.summary.strip():
            raise ValueError(f"{self.KIND} {self.name!r} needs a one-line summary")


@dataclass(frozen=True, kw_only=True)
class CurveBackendSpec(ComponentSpec[AnyCurveBackend]):
    """BN254 arithmetic (add, mul, MSM, pairing check, NTT); contract: ``CurveBackend``."""

    KIND: ClassVar[str] = "curve"


HashGadget = Callable[[CircuitBuilder, Sequence[Expr | int]], Expr]
"""An R1CS gadget of a hash: constrains and returns ``hash_elements`` of its operands."""


@dataclass(frozen=True, kw_only=True)
class HashFunctionSpec(ComponentSpec[HashFunction]):
    """A hash function; ``digest_size`` in bytes lets callers size buffers without building it.

    ``field_native`` says the hash works on field elements itself (cheap in a circuit, and the
    natural choice for commitments and Merkle trees); ``gadget`` is its R1CS gadget, equal to
    the component's ``hash_elements`` on every input it accepts, or None when it has none.
    """

    KIND: ClassVar[str] = "hash"
    digest_size: int
    field_native: bool = False
    gadget: HashGadget | None = None


@dataclass(frozen=True, kw_only=True)
class CircuitSpec(ComponentSpec[Circuit]):
    """A circuit with its ceremony keys: built with the R1CS builder or imported from circom."""

    KIND: ClassVar[str] = "circuit"


@dataclass(frozen=True, kw_only=True)
class ProofCodecSpec(ComponentSpec[ProofCodec]):
    """Encodes and decodes proofs, verifying keys and public inputs.

    ``format_id`` names the byte layout independently of the Python API, for peers to compare.
    """

    KIND: ClassVar[str] = "codec"
    format_id: str


@dataclass(frozen=True, kw_only=True)
class CeremonySchemeSpec(ComponentSpec[CeremonyScheme]):
    """Phase-2 contribute / verify / beacon over a key file; contract: ``CeremonyScheme``.

    ``transcript_version`` names the transcript layout, so tools can tell whether they agree.
    """

    KIND: ClassVar[str] = "ceremony"
    transcript_version: int


@dataclass(frozen=True, kw_only=True)
class ExecutorSpec(ComponentSpec[Executor]):
    """Runs WASM jobs under limits."""

    KIND: ClassVar[str] = "executor"


@dataclass(frozen=True, kw_only=True)
class TransportSpec(ComponentSpec[Transport]):
    """Node-to-node messaging; ``protocol_id`` is exchanged so peers agree on the wire format."""

    KIND: ClassVar[str] = "transport"
    protocol_id: str


#: Every component kind: (kind, hook that provides it, spec type). The order is display order.
COMPONENT_KINDS: tuple[tuple[str, str, type[ComponentSpec[Any]]], ...] = (
    ("curve", "paraloom_curve_backends", CurveBackendSpec),
    ("hash", "paraloom_hash_functions", HashFunctionSpec),
    ("circuit", "paraloom_circuits", CircuitSpec),
    ("codec", "paraloom_proof_codecs", ProofCodecSpec),
    ("ceremony", "paraloom_ceremony_schemes", CeremonySchemeSpec),
    ("executor", "paraloom_executors", ExecutorSpec),
    ("transport", "paraloom_transports", TransportSpec),
)

KIND_NAMES: tuple[str, ...] = tuple(kind for kind, _, _ in COMPONENT_KINDS)
