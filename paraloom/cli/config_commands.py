"""`paraloom config check` and `paraloom init`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from paraloom.cli.output import print_json, print_table
from paraloom.cli.session import Session
from paraloom.config import ConfigProblem, problem_message, render_default_config
from paraloom.errors import ConfigError, ParaloomError
from paraloom.formats.files import atomic_write
from paraloom.registry import SelectionReport


@click.group("config")
def config_group() -> None:
    """Inspect and validate configuration."""


@config_group.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def check_command(session: Session, as_json: bool) -> None:
    """Load and validate the config in effect without starting anything.

    Every problem is reported in one message: unknown keys, bad values, and selections of
    components that are not installed. A default selection whose component is not installed
    is a warning, since nothing in the file asks for it.
    """
    config, config_problems = session.collect_config()
    bad_paths = {problem.path for problem in config_problems}
    reports = [
        report
        for report in session.registry_for(config).check(config)
        if report.path.split("[", 1)[0] not in bad_paths
    ]
    problems: list[ConfigProblem | str] = list(config_problems)
    problems.extend(report.problem for report in reports if report.problem and report.explicit)
    missing = [
        f"{report.path} ({report.selection.name})"
        for report in reports
        if report.problem and not report.explicit
    ]
    if missing:
        click.echo(f"warning: defaults not installed yet: {', '.join(missing)}", err=True)
    if problems:
        raise ConfigError(problem_message(config, problems))
    source = str(config.source) if config.source else "defaults"
    if as_json:
        print_json({"ok": True, "source": source, "selections": _documents(reports)})
        return
    rows = [
        [report.path, report.selection.name, _outcome(report), config.origin(report.path)]
        for report in reports
    ]
    print_table(f"config {source}: OK", ["selection", "name", "component", "from"], rows)


def _outcome(report: SelectionReport) -> str:
    if report.resolved is None:
        return "not installed"
    provided = report.resolved.provided
    return f"{provided.spec.name} ({provided.label})"


def _documents(reports: list[SelectionReport]) -> list[dict[str, Any]]:
    return [
        {
            "path": report.path,
            "name": report.selection.name,
            "resolved": report.resolved.provided.spec.name if report.resolved else None,
            "options": report.resolved.options if report.resolved else {},
            "warning": report.problem,
        }
        for report in reports
    ]


@click.command("init")
@click.argument(
    "path",
    required=False,
    default="paraloom.toml",
    type=click.Path(path_type=Path, dir_okay=False),
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init_command(path: Path, force: bool) -> None:
    """Write a commented config with every default to PATH (default: paraloom.toml)."""
    if path.exists() and not force:
        raise ParaloomError(f"{path} exists; use --force to overwrite it")
    try:
        with atomic_write(path) as stream:
            stream.write(render_default_config().encode())
    except OSError as error:
        raise ParaloomError(f"cannot write {path}: {error.strerror}") from error
    click.echo(f"wrote {path}; check it with: paraloom --config {path} config check")
