"""`paraloom circuit info` and `paraloom witness calculate`: circom artefacts without Node.

Neither command needs plugins; both load the config in effect, so that a broken ``--config``
is reported as it is by every other command.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from paraloom.cli.output import print_json
from paraloom.cli.session import Session
from paraloom.errors import ParaloomError
from paraloom.formats.fields import FR
from paraloom.formats.files import open_source
from paraloom.formats.r1cs import R1csReader
from paraloom.formats.wtns import Witness, write_wtns
from paraloom.units import parse_size
from paraloom.zk.circom_input import read_circom_input

_EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("circuit")
def circuit_group() -> None:
    """Inspect circom circuits."""


@circuit_group.command("info")
@click.argument("r1cs_path", metavar="FILE.r1cs", type=_EXISTING_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
@click.pass_obj
def info_command(session: Session, r1cs_path: Path, as_json: bool) -> None:
    """Print the counts of a .r1cs file, one `name: value` per line.

    Only the header is read, so this is instant for circuits of any size.
    """
    session.config  # noqa: B018 - loading validates --config
    with open_source(r1cs_path) as stream:
        header = R1csReader(stream, name=str(r1cs_path)).header
    counts = {
        "constraints": header.n_constraints,
        "wires": header.n_wires,
        "public_outputs": header.n_pub_out,
        "public_inputs": header.n_pub_in,
        "private_inputs": header.n_prv_in,
        "labels": header.n_labels,
    }
    if as_json:
        print_json(counts)
        return
    for name, value in counts.items():
        click.echo(f"{name}: {value}")


@click.group("witness")
def witness_group() -> None:
    """Compute circom witnesses."""


def _optional_size(
    _context: click.Context, _parameter: click.Parameter, text: str | None
) -> int | None:
    return None if text is None else parse_size(text)


@witness_group.command("calculate")
@click.argument("wasm_path", metavar="CIRCUIT.wasm", type=_EXISTING_FILE)
@click.argument("input_path", metavar="INPUT.json", type=_EXISTING_FILE)
@click.argument("output_path", metavar="OUT.wtns", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--fuel",
    type=click.IntRange(min=1),
    help="Instruction budget of the calculation [default: 10^11].",
)
@click.option(
    "--memory-limit",
    metavar="SIZE",
    callback=_optional_size,
    help='Largest linear memory the generator may use, e.g. "512MiB" [default: 2GiB].',
)
@click.pass_obj
def calculate_command(
    session: Session,
    *,
    wasm_path: Path,
    input_path: Path,
    output_path: Path,
    fuel: int | None,
    memory_limit: int | None,
) -> None:
    """Run circom's witness generator CIRCUIT.wasm on INPUT.json and write OUT.wtns: the
    bytes `snarkjs wtns calculate` writes, without Node.

    Compiled generators are cached in $PARALOOM_CACHE_DIR (default: ~/.cache/paraloom/wasm).
    Lines the circuit prints with log() go to stderr.
    """
    session.config  # noqa: B018 - loading validates --config
    # imported here, not at the top: loading wasmtime costs every other command start-up time
    from paraloom.zk.circom_witness import CircomWitnessCalculator, WitnessLimits

    inputs = read_circom_input(input_path)
    given = {"fuel": fuel, "memory_limit": memory_limit}
    limits = replace(
        WitnessLimits(), **{key: value for key, value in given.items() if value is not None}
    )
    calculator = CircomWitnessCalculator.from_file(wasm_path, limits=limits)
    values = calculator.calculate(inputs, on_log=lambda line: click.echo(line, err=True))
    try:
        write_wtns(output_path, Witness(FR, tuple(values)))
    except OSError as error:
        raise ParaloomError(f"cannot write {output_path}: {error.strerror}") from error
    click.echo(f"wrote {output_path} ({len(values)} wires)")
