"""`paraloom node run`: one node in the foreground until SIGINT or SIGTERM.

The node uses the transport and executor its config selects and the identity key at
``node.identity_key``, which is created on first start (a Solana keypair file, mode 0600).
Once serving, it prints one line per endpoint; on SIGINT or SIGTERM it stops taking work,
closes its connections and its database, and exits 0.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import click

from paraloom.cli.session import Session, session_of
from paraloom.components import Executor
from paraloom.compute.execution import limits_from_options
from paraloom.crypto.identity import NodeIdentity
from paraloom.node.faults import require_localnet
from paraloom.node.node import Node, NodeRoles
from paraloom.node.validator_role import ValidatorOptions
from paraloom.node.withdrawals import load_withdraw_proofs


@click.group("node")
def node_group() -> None:
    """Run a node of the network."""


@node_group.command("run")
@click.option(
    "--coordinator/--no-coordinator",
    default=False,
    help="Be the coordinator alone when coordinator.members is empty; with a coordinator set "
    "configured, every member whose key is listed takes part in electing the primary.",
)
@click.option("--validate/--no-validate", default=True, help="Take the validator role (run jobs).")
@click.option(
    "--coordinator-id",
    metavar="NODE_ID",
    help="The coordinator's node id; by default a validator asks the coordinator set's "
    "members (or, without a set, its peers).",
)
@click.pass_context
def run_command(
    context: click.Context, *, coordinator: bool, validate: bool, coordinator_id: str | None
) -> None:
    """Run a node until SIGINT or SIGTERM.

    \b
    paraloom node run --coordinator
    paraloom --set node.api_listen=127.0.0.1:7501 node run
    """
    session = session_of(context)
    require_localnet(session.config)  # before anything is written, such as a new key
    identity = _identity(Path(session.config.node.identity_key).expanduser())
    roles = NodeRoles(coordinator=coordinator, validator=validate, coordinator_id=coordinator_id)
    executor, options = _executor(session) if validate else (None, None)
    proofs = load_withdraw_proofs(session.registry, session.config) if validate else None
    node = Node(
        session.config,
        identity,
        session.component("transport"),
        executor,
        roles=roles,
        validator_options=options,
        hooks=session.manager.hook,
        withdraw_proofs=proofs,
    )
    try:
        asyncio.run(_serve(node))
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()


def _identity(path: Path) -> NodeIdentity:
    if path.exists():
        return NodeIdentity.load(path)
    identity = NodeIdentity.generate()
    identity.save(path)
    click.echo(f"created identity {identity.node_id_hex} at {path}", err=True)
    return identity


def _executor(session: Session) -> tuple[Executor, ValidatorOptions]:
    """The selected executor, and the capacity it announces: its limits and slots."""
    resolved = session.registry.resolve(session.config.plugins.executor, "plugins.executor")
    slots = int(resolved.options.get("concurrent_jobs", 1))
    capacity = limits_from_options(resolved.options)
    executor: Executor = resolved.build()
    return executor, ValidatorOptions(capacity, slots)


async def _serve(node: Node) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await node.start()
    try:
        click.echo(f"node {node.node_id} running")
        if node.api_address is not None:
            click.echo(f"api http://{node.api_address[0]}:{node.api_address[1]}")
        if node.health_address is not None:
            click.echo(f"health http://{node.health_address[0]}:{node.health_address[1]}")
        await stop.wait()
    finally:
        await node.stop()
    click.echo(f"node {node.node_id} stopped")
