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
from typing import Any, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from paraloom.compute.execution import ExecutionLimits, ExecutionResult
from paraloom.math.backend import AnyCurveBackend
from paraloom.options import Option
from paraloom.zk.keys import Proof, VerificationKey

COMPONENT_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

ComponentT_co = TypeVar("ComponentT_co", covariant=True)


# -- contracts ----------------------------------------------------------------------------


@runtime_checkable
class HashFunction(Protocol):
    """A hash over bytes. Hashes with an R1CS gadget also expose it on their spec."""

    @property
    def digest_size(self) -> int: ...

    def digest(self, data: bytes) -> bytes: ...


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


@dataclass(frozen=True, kw_only=True)
class HashFunctionSpec(ComponentSpec[HashFunction]):
    """A hash function; ``digest_size`` in bytes lets callers size buffers without building it."""

    KIND: ClassVar[str] = "hash"
    digest_size: int


@dataclass(frozen=True, kw_only=True)
class CircuitSpec(ComponentSpec[Any]):
    """A circuit: built with the R1CS builder or imported from circom artefacts."""

    KIND: ClassVar[str] = "circuit"


@dataclass(frozen=True, kw_only=True)
class ProofCodecSpec(ComponentSpec[ProofCodec]):
    """Encodes and decodes proofs, verifying keys and public inputs.

    ``format_id`` names the byte layout independently of the Python API, for peers to compare.
    """

    KIND: ClassVar[str] = "codec"
    format_id: str


@dataclass(frozen=True, kw_only=True)
class CeremonySchemeSpec(ComponentSpec[Any]):
    """Phase-2 contribute / verify / beacon over a key file."""

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
