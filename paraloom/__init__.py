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
    ProofCodecSpec,
    Transport,
    TransportSpec,
)
from paraloom.compute.execution import ExecutionLimits, ExecutionResult
from paraloom.errors import (
    ComponentNotFoundError,
    ConfigError,
    CurveError,
    DuplicateComponentError,
    ExecutionError,
    FormatError,
    InvalidPointError,
    InvalidScalarError,
    ParaloomError,
    PluginError,
    PluginLoadError,
    TransportError,
)
from paraloom.hookspecs import hookimpl
from paraloom.options import Option

__all__ = [
    "CeremonySchemeSpec",
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
    "InvalidPointError",
    "InvalidScalarError",
    "MessageHandler",
    "Option",
    "ParaloomError",
    "PluginError",
    "PluginLoadError",
    "ProofCodecSpec",
    "Transport",
    "TransportError",
    "TransportSpec",
    "__version__",
    "hookimpl",
]
