"""Printing: rich tables for people, plain JSON for programs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table


def print_json(document: Any) -> None:
    """JSON alone on stdout (warnings and logs go to stderr)."""
    click.echo(json.dumps(document, indent=2, sort_keys=False))


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    stdout_console().print(table)


def stdout_console() -> Console:
    """A console bound to the current stdout (test runners replace it)."""
    return Console(soft_wrap=False, highlight=False)
