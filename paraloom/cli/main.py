"""The `paraloom` command line."""

from __future__ import annotations

from pathlib import Path

import click

from paraloom import __version__
from paraloom.cli.app import ParaloomGroup, global_options, start_session
from paraloom.cli.circuit_commands import circuit_group, witness_group
from paraloom.cli.compute_commands import compute_group
from paraloom.cli.config_commands import config_group, init_command
from paraloom.cli.demo import demo_command
from paraloom.cli.hash_commands import hash_command
from paraloom.cli.localnet_commands import localnet_group
from paraloom.cli.node_commands import node_group
from paraloom.cli.plugin_commands import components_command, plugins_command
from paraloom.cli.proof_commands import proof_group
from paraloom.cli.session import Session


@click.group(cls=ParaloomGroup, name="paraloom", invoke_without_command=True)
@global_options
@click.option("--version", "show_version", is_flag=True, help="Show versions and plugins.")
@click.pass_context
def paraloom_cli(
    context: click.Context,
    config_path: Path | None,
    assignments: tuple[str, ...],
    debug: bool,
    show_version: bool,
) -> None:
    """paraloom: zk ceremonies, a cryptography toolkit and a privacy L2 node."""
    session = start_session(context, config_path, assignments, debug)
    if show_version:
        print_versions(session)
        context.exit(0)
    if context.invoked_subcommand is None:
        click.echo(context.get_help())


def print_versions(session: Session) -> None:
    """The core version, then one line per plugin (tox-style)."""
    click.echo(f"paraloom {__version__}")
    for record in session.registry_for_listing().manager.records:
        where = f"{record.distribution} {record.version}".strip() or "unregistered"
        click.echo(f"  {record.name}: {where} [{record.status}]")


paraloom_cli.add_command(plugins_command)
paraloom_cli.add_command(components_command)
paraloom_cli.add_command(config_group)
paraloom_cli.add_command(init_command)
paraloom_cli.add_command(demo_command)
paraloom_cli.add_command(circuit_group)
paraloom_cli.add_command(witness_group)
paraloom_cli.add_command(proof_group)
paraloom_cli.add_command(hash_command)
paraloom_cli.add_command(compute_group)
paraloom_cli.add_command(node_group)
paraloom_cli.add_command(localnet_group)


def run_paraloom() -> None:
    """Console-script entry point."""
    paraloom_cli(prog_name="paraloom")
