"""Hook specifications: every hook a paraloom plugin can implement.

Plugins implement hooks with :data:`paraloom.hookimpl` in a module (or object) registered under
the entry-point group ``paraloom.plugins``. Implementations may accept fewer arguments than the
spec lists, so arguments can be added later without breaking plugins.

Component hooks return iterables of frozen spec objects (:mod:`paraloom.components`); the host
collects them into a registry and builds only what the configuration selects. No hook decides a
verification: the node calls the selected component directly, so an installed but unselected
plugin cannot change an outcome. Event hooks only observe; an exception raised in one is logged
and does not stop the node.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from paraloom.components import (
        CeremonySchemeSpec,
        CircuitSpec,
        CurveBackendSpec,
        ExecutorSpec,
        HashFunctionSpec,
        ProofCodecSpec,
        TransportSpec,
    )
    from paraloom.config import Config

PROJECT_NAME = "paraloom"
ENTRY_POINT_GROUP = "paraloom.plugins"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# -- component hooks: called once per registry build, results are cached --------------------


@hookspec
def paraloom_curve_backends() -> Iterable[CurveBackendSpec]:
    """Provide BN254 curve backends (group arithmetic, MSM, pairing check, NTT over Fr).

    :returns: specs whose factory builds a backend implementing ``CurveBackend``. Set
        ``auto_priority`` so that ``curve = "auto"`` can prefer the fastest installed backend.

    .. versionadded:: 0.1
    """


@hookspec
def paraloom_hash_functions() -> Iterable[HashFunctionSpec]:
    """Provide hash functions (a native function and, where one exists, an R1CS gadget).

    :returns: specs whose factory builds a ``HashFunction``.

    .. versionadded:: 0.1
    """


@hookspec
def paraloom_circuits() -> Iterable[CircuitSpec]:
    """Provide circuits: built with the R1CS builder, or imported from circom artefacts.

    :returns: circuit specs; ``[plugins] circuits`` selects which a node loads.

    .. versionadded:: 0.1
    """


@hookspec
def paraloom_proof_codecs() -> Iterable[ProofCodecSpec]:
    """Provide encodings of proofs, verifying keys and public inputs.

    :returns: codec specs; ``format_id`` names the byte layout.

    .. versionadded:: 0.1
    """


@hookspec
def paraloom_ceremony_schemes() -> Iterable[CeremonySchemeSpec]:
    """Provide phase-2 ceremony schemes (contribute, verify, beacon over a key file).

    :returns: scheme specs; ``transcript_version`` names the transcript format.

    .. versionadded:: 0.1
    """


@hookspec
def paraloom_executors() -> Iterable[ExecutorSpec]:
    """Provide executors that run WASM jobs under memory, fuel and time limits.

    :returns: executor specs whose factory builds an ``Executor``.

    .. versionadded:: 0.1
    """


@hookspec
def paraloom_transports() -> Iterable[TransportSpec]:
    """Provide node-to-node transports.

    :returns: transport specs whose factory builds a ``Transport``; ``protocol_id`` is
        compared between peers.

    .. versionadded:: 0.1
    """


# -- host hooks -------------------------------------------------------------------------------


@hookspec
def paraloom_register_commands(cli: click.Group) -> None:
    """Add commands to the ``paraloom`` command line.

    Called once when the CLI is built, after plugins are loaded.

    :param cli: the top-level ``paraloom`` click group; call ``cli.add_command(...)``.

    .. versionadded:: 0.1
    """


@hookspec(historic=True)
def paraloom_configure(config: Config) -> None:
    """Receive the configuration in effect, once it is loaded and validated.

    Historic: a plugin registered later still receives the call. Observe only; the config is
    frozen.

    :param config: the validated configuration.

    .. versionadded:: 0.1
    """


# -- events: observe only ---------------------------------------------------------------------


@hookspec
def paraloom_node_started(node_id: str, config: Config) -> None:
    """A node finished starting and serves requests.

    :param node_id: hex SHA-256 of the node's Ed25519 public key.
    :param config: the configuration the node runs with.

    .. versionadded:: 0.1
    """


@hookspec
def paraloom_node_stopping(node_id: str) -> None:
    """A node begins an orderly shutdown.

    :param node_id: hex SHA-256 of the node's Ed25519 public key.

    .. versionadded:: 0.1
    """


@hookspec
def paraloom_job_completed(job_id: str, state: str, details: Mapping[str, Any]) -> None:
    """A compute job reached a final state.

    :param job_id: the job's identifier.
    :param state: ``"completed"``, ``"failed"`` or ``"rejected"``.
    :param details: result hash, fuel used, validators involved (read-only).

    .. versionadded:: 0.1
    """


@hookspec
def paraloom_contribution_verified(index: int, contribution_hash: bytes, valid: bool) -> None:
    """A ceremony contribution was verified.

    :param index: position of the contribution in the chain (1 is the first).
    :param contribution_hash: the 64-byte BLAKE2b contribution hash.
    :param valid: the verifier's verdict (already decided; observers cannot change it).

    .. versionadded:: 0.1
    """
