"""The shared frame of both CLIs: global options, plugin commands and error handling.

Errors a user can cause become one line on stderr and a non-zero exit; a traceback appears
only with ``--debug`` (or ``PARALOOM_DEBUG=1``).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from paraloom.cli.session import Session, session_of
from paraloom.errors import ParaloomError
from paraloom.manager import describe_error


class ParaloomGroup(click.Group):
    """A group that adds plugin commands lazily and turns errors into one-line messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        own = super().list_commands(ctx)
        plugin_commands = session_of(ctx).plugin_commands(set(own)) if self.plugin_host else {}
        return sorted([*own, *plugin_commands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and self.plugin_host:
            reserved = set(super().list_commands(ctx))
            command = session_of(ctx).plugin_commands(reserved).get(cmd_name)
        return command

    @property
    def plugin_host(self) -> bool:
        return self.name == "paraloom"

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ParaloomError as error:
            if session_of(ctx).debug:
                raise
            fail(ctx, str(error), error.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if session_of(ctx).debug:
                raise
            message = f"internal error: {describe_error(error)} (run with --debug for a traceback)"
            fail(ctx, message, 1)


def fail(ctx: click.Context, message: str, exit_code: int) -> NoReturn:
    """Print one error line to stderr and leave with the error's exit code."""
    click.echo(f"error: {message}", err=True)
    ctx.exit(exit_code)


def global_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--config, --set, --debug: honoured by every command of both CLIs."""
    decorators = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path, dir_okay=False),
            envvar="PARALOOM_CONFIG",
            help="TOML configuration file (also $PARALOOM_CONFIG).",
        ),
        click.option(
            "--set",
            "assignments",
            multiple=True,
            metavar="KEY=VALUE",
            help="Override one setting, e.g. --set compute.replication=5 (repeatable).",
        ),
        click.option(
            "--debug",
            is_flag=True,
            envvar="PARALOOM_DEBUG",
            help="Show tracebacks and debug logs.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def start_session(
    context: click.Context, config_path: Path | None, assignments: tuple[str, ...], debug: bool
) -> Session:
    """Store the global options where every command finds them, and set up logging."""
    session = Session(config_path=config_path, assignments=assignments, debug=debug)
    context.obj = session
    configure_logging(debug)
    return session


def configure_logging(debug: bool) -> None:
    """Warnings (and debug logs with --debug) go to stderr, so stdout stays clean for --json."""
    level = logging.DEBUG if debug else logging.WARNING
    root = logging.getLogger("paraloom")
    root.setLevel(level)
    if not any(getattr(handler, "paraloom_cli", False) for handler in root.handlers):
        handler = logging.StreamHandler(_StderrProxy())
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        handler.paraloom_cli = True  # type: ignore[attr-defined]
        root.addHandler(handler)


class _StderrProxy:
    """Writes to whatever sys.stderr is at the time, so test runners that swap it see logs."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()
