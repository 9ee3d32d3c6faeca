"""`paraloom hash NAME ...`: any installed hash component, by its registry name.

Field-native hashes (Poseidon) take field elements, decimal or 0x-hex, and print the decimal
result alone, the form circom and snarkjs print signals in, so scripts can compare outputs. Byte
hashes take one TEXT (hashed as UTF-8) and print the hex digest. ``--file`` hashes a file's bytes
with either kind and prints hex. A plugin's hash is named like a built-in one.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from paraloom.cli.session import session_of
from paraloom.components import HashFunction, HashFunctionSpec
from paraloom.config import Selection
from paraloom.errors import ParaloomError
from paraloom.zk.circom_input import parse_input_value


@click.command("hash")
@click.argument("name")
@click.argument("values", nargs=-1, metavar="[ELEMENT...|TEXT]")
@click.option(
    "--file",
    "file_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Hash the bytes of this file and print the hex digest.",
)
@click.pass_context
def hash_command(
    context: click.Context, name: str, values: tuple[str, ...], file_path: Path | None
) -> None:
    """Hash with the hash component NAME (see `paraloom components hash`).

    \b
    paraloom hash poseidon 1 2        decimal result of Poseidon over field elements
    paraloom hash sha256 'some text'  hex digest of the UTF-8 text
    paraloom hash blake2b --file F    hex digest of the file's bytes
    """
    resolved = session_of(context).registry.resolve(Selection("hash", name), "hash")
    # the plugin manager admits only HashFunctionSpec under the hash kind
    spec = cast(HashFunctionSpec, resolved.provided.spec)
    function: HashFunction = resolved.build()
    if file_path is not None:
        if values:
            raise ParaloomError("give either --file or values to hash, not both")
        click.echo(function.digest(file_path.read_bytes()).hex())
    elif spec.field_native:
        elements = [parse_input_value(f"element {i + 1}", text) for i, text in enumerate(values)]
        click.echo(function.hash_elements(elements))
    elif len(values) == 1:
        click.echo(function.digest(values[0].encode()).hex())
    else:
        raise ParaloomError(f"{name} hashes bytes: give one TEXT (quote it) or --file")
