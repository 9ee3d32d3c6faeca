"""`paraloom compute ...`: WASM jobs. `run` executes one job locally with the configured executor.

Limits default to the options of the config's executor selection (``[plugins] executor``) and
flags override them, written with units as in TOML (``--memory 64MiB``, ``--timeout 30s``). An
executor failure exits 1 with one line naming the reason, the fuel used and the time; exit 2 is
for bad flags and unreadable or unwritable files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from paraloom.cli.output import print_json
from paraloom.cli.proof_convert import write_output
from paraloom.cli.session import session_of
from paraloom.compute.execution import (
    ExecutionResult,
    executor_options,
    limits_from_options,
)
from paraloom.errors import ParaloomError
from paraloom.options import OptionValueError

_INPUT_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


def _limit_flag(key: str) -> Callable[[click.Context, click.Parameter, str | None], Any]:
    """Parse a limit flag exactly as the same option is parsed in TOML (units, minimums)."""
    kind = next(option.kind for option in executor_options() if option.key == key)

    def parse(_context: click.Context, _parameter: click.Parameter, text: str | None) -> Any:
        if text is None:
            return None
        try:
            return kind.parse_text(text)
        except OptionValueError as error:
            raise click.BadParameter(str(error)) from error

    return parse


@click.group("compute")
def compute_group() -> None:
    """Run WASM jobs."""


@compute_group.command("run")
@click.option("--wasm", "wasm_path", required=True, type=_INPUT_FILE, help="Guest module.")
@click.option("--input", "input_path", required=True, type=_INPUT_FILE, help="Job input bytes.")
@click.option("--fuel", callback=_limit_flag("fuel"), help="Instruction budget, e.g. 1000000.")
@click.option("--memory", callback=_limit_flag("memory_limit"), help="Memory limit, e.g. 64MiB.")
@click.option("--timeout", callback=_limit_flag("timeout"), help="Wall-clock limit, e.g. 30s.")
@click.option(
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the raw result bytes here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def run_command(
    context: click.Context,
    *,
    wasm_path: Path,
    input_path: Path,
    fuel: int | None,
    memory: int | None,
    timeout: float | None,
    output_path: Path | None,
    as_json: bool,
) -> None:
    """Run one job locally and print its result hash, fuel used and time.

    \b
    paraloom compute run --wasm guest.wasm --input in.bin --output out.bin
    paraloom compute run --wasm guest.wasm --input in.bin --fuel 5000 --timeout 2s
    """
    session = session_of(context)
    resolved = session.registry.resolve(session.config.plugins.executor, "plugins.executor")
    flags = {"fuel": fuel, "memory_limit": memory, "timeout": timeout}
    given = {key: value for key, value in flags.items() if value is not None}
    limits = limits_from_options({**resolved.options, **given})
    wasm, job_input = _read(wasm_path), _read(input_path)
    executor = resolved.build()
    try:
        result = executor.execute(wasm, job_input, limits)
    finally:
        if hasattr(executor, "close"):
            executor.close()
    if output_path is not None:
        write_output(output_path, result.output)
    _report(result, output_path, as_json)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ParaloomError(f"cannot read {path}: {error.strerror}") from error


def _report(result: ExecutionResult, output_path: Path | None, as_json: bool) -> None:
    figures = {
        "sha256": hashlib.sha256(result.output).hexdigest(),
        "fuel_consumed": result.fuel_consumed,
        "elapsed_ms": round(result.elapsed * 1e3, 3),
        "output_bytes": len(result.output),
        "output_file": None if output_path is None else str(output_path),
    }
    if as_json:
        print_json(figures)
        return
    click.echo(f"sha256  {figures['sha256']}")
    click.echo(f"fuel    {result.fuel_consumed:,}")
    click.echo(f"time    {figures['elapsed_ms']:.3f} ms")
    where = f" -> {output_path}" if output_path is not None else ""
    click.echo(f"output  {len(result.output):,} bytes{where}")
