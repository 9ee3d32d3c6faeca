"""paraloom: a plugin-based zk ceremony and cryptography toolkit, and a privacy L2 node.

Plugin authors import from here: the hook marker, the spec types their hooks return, and the
errors they may raise.
"""

from paraloom._version import __version__
from paraloom.components import (
    CeremonySchemeSpec,
    CircuitSpec,
    ComponentSpec,
    CurveBackendSpec,
    Executor,
    ExecutorSpec,
    HashFunction,
    HashFunctionSpec,
    MessageHandler,
    ProofCodec,
    ProofCodecSpec,
    Transport,
    TransportSpec,
)
from paraloom.compute.execution import ExecutionLimits, ExecutionResult
from paraloom.errors import (
    CircuitError,
    ComponentNotFoundError,
    ConfigError,
    CurveError,
    DuplicateComponentError,
    ExecutionError,
    FormatError,
    InvalidDomainError,
    InvalidPointError,
    InvalidScalarError,
    LengthMismatchError,
    ParaloomError,
    PluginError,
    PluginLoadError,
    ProofRejectedError,
    SetupError,
    TransportError,
    UnsatisfiedConstraintError,
    WitnessError,
)
from paraloom.hookspecs import hookimpl
from paraloom.options import Option

__all__ = [
    "CeremonySchemeSpec",
    "CircuitError",
    "CircuitSpec",
    "ComponentNotFoundError",
    "ComponentSpec",
    "ConfigError",
    "CurveBackendSpec",
    "CurveError",
    "DuplicateComponentError",
    "ExecutionError",
    "ExecutionLimits",
    "ExecutionResult",
    "Executor",
    "ExecutorSpec",
    "FormatError",
    "HashFunction",
    "HashFunctionSpec",
    "InvalidDomainError",
    "InvalidPointError",
    "InvalidScalarError",
    "LengthMismatchError",
    "MessageHandler",
    "Option",
    "ParaloomError",
    "PluginError",
    "PluginLoadError",
    "ProofCodec",
    "ProofCodecSpec",
    "ProofRejectedError",
    "SetupError",
    "Transport",
    "TransportError",
    "TransportSpec",
    "UnsatisfiedConstraintError",
    "WitnessError",
    "__version__",
    "hookimpl",
]
