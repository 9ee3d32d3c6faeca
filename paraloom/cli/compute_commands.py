"""`paraloom compute ...`: WASM jobs. `run` executes one job locally with the configured executor;
`submit`, `status` and `result` hand jobs to the network through a node's client API
(``--node URL``; by default ``node.api_listen`` when the config sets it, else the coordinator
of the current localnet, else the default ``node.api_listen``).

Limits default to the options of the config's executor selection (``[plugins] executor``) and
flags override them, written with units as in TOML (``--memory 64MiB``, ``--timeout 30s``). An
executor failure exits 1 with one line naming the reason, the fuel used and the time; exit 2 is
for bad flags and unreadable or unwritable files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from paraloom.cli.output import print_json
from paraloom.cli.proof_convert import write_output
from paraloom.cli.session import session_of
from paraloom.compute.execution import (
    ExecutionLimits,
    ExecutionResult,
    executor_options,
    limits_from_options,
)
from paraloom.compute.messages import MAX_COHORT_SIZE
from paraloom.errors import ParaloomError
from paraloom.localnet.state import default_node_url
from paraloom.node.client import JobRequest, NodeClient, decrypt_result
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
    limits = _limits(resolved.options, fuel=fuel, memory=memory, timeout=timeout)
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


def _limits(
    options: Mapping[str, Any], *, fuel: int | None, memory: int | None, timeout: float | None
) -> ExecutionLimits:
    """The executor's limits from its options, overridden by the flags given."""
    flags = {"fuel": fuel, "memory_limit": memory, "timeout": timeout}
    given = {key: value for key, value in flags.items() if value is not None}
    return limits_from_options({**options, **given})


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


# -- jobs on the network --------------------------------------------------------------------


def _node_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--node",
        "node_url",
        metavar="URL",
        help="The node's client API (default: node.api_listen when configured, else the "
        "current localnet's coordinator, else http://<node.api_listen>).",
    )(function)


def _client(context: click.Context, node_url: str | None) -> NodeClient:
    """The node named by --node, a configured api_listen, the current localnet (so that
    `localnet up` then `compute submit` just works), or the default api_listen, in that order."""
    config = session_of(context).config
    if node_url is None and not config.is_explicit("node.api_listen"):
        node_url = default_node_url()
    if node_url is None:
        host, port = config.node.api_listen
        node_url = f"http://{host}:{port}"
    return NodeClient(node_url)


def _keys_dir(context: click.Context) -> Path:
    """Where the job keys of private jobs submitted from here are kept."""
    return Path(session_of(context).config.node.data_dir).expanduser() / "requests"


def _job_argument(job: str | None, job_id: str | None) -> str:
    if (job is None) == (job_id is None):
        raise click.UsageError("give the job id once: as JOB or as --job-id")
    return job if job is not None else str(job_id)


@compute_group.command("submit")
@click.option("--wasm", "wasm_path", required=True, type=_INPUT_FILE, help="Guest module.")
@click.option("--input", "input_path", required=True, type=_INPUT_FILE, help="Job input bytes.")
@click.option("--private", is_flag=True, help="Seal the input to the cohort (and the output).")
@click.option(
    "--replication",
    type=click.IntRange(1, MAX_COHORT_SIZE),
    help="Validators that run the job (default: compute.replication).",
)
@click.option("--fuel", callback=_limit_flag("fuel"), help="Instruction budget, e.g. 1000000.")
@click.option("--memory", callback=_limit_flag("memory_limit"), help="Memory limit, e.g. 64MiB.")
@click.option("--timeout", callback=_limit_flag("timeout"), help="Wall-clock limit, e.g. 30s.")
@_node_option
@click.pass_context
def submit_command(
    context: click.Context,
    *,
    wasm_path: Path,
    input_path: Path,
    private: bool,
    replication: int | None,
    fuel: int | None,
    memory: int | None,
    timeout: float | None,
    node_url: str | None,
) -> None:
    """Submit a job to the network; the job id is the last word printed.

    \b
    paraloom compute submit --wasm guest.wasm --input in.bin --replication 3
    paraloom compute submit --wasm guest.wasm --input in.bin --private
    """
    session = session_of(context)
    resolved = session.registry.resolve(session.config.plugins.executor, "plugins.executor")
    request = JobRequest(
        wasm=_read(wasm_path),
        data=_read(input_path),
        limits=_limits(resolved.options, fuel=fuel, memory=memory, timeout=timeout),
        replication=replication or session.config.compute.replication,
        private=private,
    )
    job_id = _client(context, node_url).submit(request, _keys_dir(context))
    click.echo(f"submitted job {job_id}")


@compute_group.command("status")
@click.argument("job", required=False)
@click.option("--job-id", help="The job id (instead of JOB).")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@_node_option
@click.pass_context
def status_command(
    context: click.Context,
    *,
    job: str | None,
    job_id: str | None,
    as_json: bool,
    node_url: str | None,
) -> None:
    """Show a job's state, its cohort and its history."""
    status = _client(context, node_url).status(_job_argument(job, job_id))
    if as_json:
        print_json(status)
        return
    click.echo(f"job      {status['job_id']}")
    click.echo(f"state    {status['state']}")
    click.echo(f"attempts {status['attempts']}")
    for entry in status["history"]:
        click.echo(f"  -> {entry['to']}: {entry['reason']}")


@compute_group.command("result")
@click.argument("job", required=False)
@click.option("--job-id", help="The job id (instead of JOB).")
@click.option(
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the output bytes here instead of describing them.",
)
@click.option("--decrypt", is_flag=True, help="Open a private job's output with its saved key.")
@_node_option
@click.pass_context
def result_command(
    context: click.Context,
    *,
    job: str | None,
    job_id: str | None,
    output_path: Path | None,
    decrypt: bool,
    node_url: str | None,
) -> None:
    """Fetch the output the cohort agreed on (sealed for private jobs unless --decrypt)."""
    job_text = _job_argument(job, job_id)
    output = _client(context, node_url).result(job_text)
    if decrypt:
        output = decrypt_result(_keys_dir(context), job_text, output)
    if output_path is not None:
        write_output(output_path, output)
    click.echo(f"sha256  {hashlib.sha256(output).hexdigest()}")
    where = f" -> {output_path}" if output_path is not None else ""
    click.echo(f"output  {len(output):,} bytes{where}")
