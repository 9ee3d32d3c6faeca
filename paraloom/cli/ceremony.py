"""The `paraloom-ceremony` command line: phase-2 ceremonies (commands arrive with the scheme)."""

from __future__ import annotations

from pathlib import Path

import click

from paraloom import __version__
from paraloom.cli.app import ParaloomGroup, global_options, start_session


@click.group(cls=ParaloomGroup, name="paraloom-ceremony")
@global_options
@click.version_option(__version__, prog_name="paraloom-ceremony")
@click.pass_context
def ceremony_cli(
    context: click.Context, config_path: Path | None, assignments: tuple[str, ...], debug: bool
) -> None:
    """Run Groth16 phase-2 (BGM17) ceremonies compatible with snarkjs .zkey files."""
    start_session(context, config_path, assignments, debug)


def run_ceremony() -> None:
    """Console-script entry point."""
    ceremony_cli(prog_name="paraloom-ceremony")
