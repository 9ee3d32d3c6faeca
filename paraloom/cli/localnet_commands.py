"""`paraloom localnet up|status|down`: validator processes on loopback.

`up` returns once every node is ready and registered, and records the localnet as current in
the user's state directory, so `paraloom compute submit` reaches it without ``--node``.
`status` and `down` act on ``--dir`` or, by default, on the current localnet.
"""

from __future__ import annotations

from pathlib import Path

import click

from paraloom.cli.output import print_json, print_table
from paraloom.errors import LocalnetError
from paraloom.localnet.layout import create_layout, load_layout, parse_fault
from paraloom.localnet.processes import (
    START_TIMEOUT,
    NodeState,
    localnet_status,
    start_localnet,
    stop_localnet,
)
from paraloom.localnet.state import (
    forget_current,
    localnet_dir,
    new_localnet_dir,
    record_current,
)
from paraloom.options import TomlValue

_DIR = click.Path(file_okay=False, path_type=Path)


@click.group("localnet")
def localnet_group() -> None:
    """Run validators as separate processes on loopback."""


@localnet_group.command("up")
@click.option(
    "--validators",
    type=click.IntRange(1, 64),
    default=3,
    show_default=True,
    help="Node processes to start; each validates.",
)
@click.option("--dir", "directory", type=_DIR, help="Where the nodes live (default: a new one).")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="NODE:KEY=VALUE",
    callback=lambda _context, _option, specs: _faults(specs),
    help="Give one node a [testing] fault, e.g. node3:wrong_results=true or "
    "node2:slow_replies=2s (repeatable).",
)
def up_command(
    validators: int, directory: Path | None, faults: dict[str, dict[str, TomlValue]]
) -> None:
    """Start the nodes and wait until all are ready and a primary coordinator is elected.

    \b
    paraloom localnet up --validators 3
    paraloom localnet up --validators 5 --fault node3:wrong_results=true
    paraloom compute submit --wasm guest.wasm --input in.bin
    """
    names = {f"node{index}" for index in range(validators)}
    for name in faults:
        if name not in names:
            raise click.BadParameter(
                f"no node {name!r} among node0..node{validators - 1}", param_hint="--fault"
            )
    target = (directory or new_localnet_dir()).resolve()
    click.echo(f"localnet in {target}")
    layout = create_layout(target, validators, faults=faults)
    try:
        start_localnet(layout, START_TIMEOUT)
    except BaseException:
        layout.manifest_path.unlink(missing_ok=True)  # nothing runs: the dir can be reused
        raise
    record = record_current(target)
    _print_nodes(localnet_status(layout))
    click.echo(f"current localnet recorded in {record}")


@localnet_group.command("status")
@click.option("--dir", "directory", type=_DIR, help="The localnet (default: the current one).")
@click.option("--json", "as_json", is_flag=True, help="Print the nodes as JSON.")
def status_command(directory: Path | None, as_json: bool) -> None:
    """Show each node: pid, role, whether it runs and is ready, and its URLs."""
    states = localnet_status(load_layout(localnet_dir(directory)))
    if as_json:
        print_json([_document(state) for state in states])
        return
    _print_nodes(states)


@localnet_group.command("down")
@click.option("--dir", "directory", type=_DIR, help="The localnet (default: the current one).")
def down_command(directory: Path | None) -> None:
    """Stop every node (SIGTERM, then SIGKILL after a grace period) and free its ports."""
    target = localnet_dir(directory).resolve()
    layout = load_layout(target)
    for state in stop_localnet(layout):
        what = f"stopped (pid {state.pid})" if state.running else "was not running"
        click.echo(f"{state.node.name} {what}")
    forget_current(target)
    layout.manifest_path.unlink(missing_ok=True)


def _faults(specs: tuple[str, ...]) -> dict[str, dict[str, TomlValue]]:
    faults: dict[str, dict[str, TomlValue]] = {}
    for spec in specs:
        try:
            node, key, value = parse_fault(spec)
        except LocalnetError as error:
            raise click.BadParameter(str(error), param_hint="--fault") from None
        faults.setdefault(node, {})[key] = value
    return faults


def _print_nodes(states: list[NodeState]) -> None:
    rows = [
        [
            state.node.name,
            state.role,
            str(state.pid or "-"),
            "ready" if state.ready else "running" if state.running else "stopped",
        ]
        for state in states
    ]
    print_table("localnet", ("node", "role", "pid", "state"), rows)
    for state in states:  # whole lines, so that no table column folds a URL
        node = state.node
        click.echo(
            f"{node.name}  api {node.api_url}  health {node.health_url}  log {node.log_path}"
        )


def _document(state: NodeState) -> dict[str, object]:
    return {
        "name": state.node.name,
        "node_id": state.node.node_id,
        "role": state.role,
        "pid": state.pid,
        "running": state.running,
        "ready": state.ready,
        "api": state.node.api_url,
        "health": state.node.health_url,
        "log": str(state.node.log_path),
    }
