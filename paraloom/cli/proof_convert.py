"""`paraloom proof convert`: re-encode a proof, verifying key or public inputs in another codec.

Codecs come from the session's registry, so a codec that a third-party plugin provides can be
named (or detected) like the built-in ones.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from paraloom.cli.session import session_of
from paraloom.codecs.conversion import ARTIFACT_KINDS, ArtifactKind, detect
from paraloom.components import ProofCodec
from paraloom.config import Selection
from paraloom.errors import ParaloomError
from paraloom.formats.files import atomic_write
from paraloom.registry import Registry

_T = TypeVar("_T")


@click.command("convert")
@click.option("--to", "target", required=True, metavar="CODEC", help="Codec to write.")
@click.option(
    "--from",
    "source",
    metavar="CODEC",
    help="Codec IN is in; by default the one installed codec that can read IN.",
)
@click.option(
    "--kind",
    type=click.Choice(sorted(ARTIFACT_KINDS)),
    default="proof",
    show_default=True,
    help="What IN holds.",
)
@click.argument("input_path", metavar="IN", type=click.Path(exists=True, dir_okay=False))
@click.argument("output_path", metavar="OUT", type=click.Path(dir_okay=False))
@click.pass_context
def convert_command(
    context: click.Context,
    *,
    target: str,
    source: str | None,
    kind: str,
    input_path: str,
    output_path: str,
) -> None:
    """Read IN in one codec and write it to OUT (atomically) in codec --to.

    Everything read is checked (lengths, ranges, curve and subgroup membership) before
    anything is written, and OUT is replaced only once it is complete.
    """
    registry = session_of(context).registry
    artifact = ARTIFACT_KINDS[kind]
    encoder = build_codec(registry, target, "--to")
    source, value = read_input(registry, artifact, source, Path(input_path))
    write_output(Path(output_path), artifact.encode(encoder, value))
    click.echo(f"wrote {output_path}: {artifact.description} {source} -> {target}")


def read_input(
    registry: Registry, artifact: ArtifactKind[Any], source: str | None, path: Path
) -> tuple[str, Any]:
    """The name of the codec that reads ``path`` (``source``, or else the one installed codec
    that can) and the value it read."""
    data = path.read_bytes()
    if source is None:
        codecs = installed_codecs(registry)
        return detect(codecs, artifact, data, str(path))
    codec = build_codec(registry, source, "--from")
    return source, about_file(path, lambda: artifact.decode(codec, data))


def about_file(path: Path, read: Callable[[], _T]) -> _T:
    """Errors about the content of a file start with its path."""
    try:
        return read()
    except ParaloomError as error:
        raise type(error)(f"{path}: {error}") from None


def build_codec(registry: Registry, name: str, path: str) -> ProofCodec:
    codec: ProofCodec = registry.build(Selection("codec", name), path)
    return codec


def installed_codecs(registry: Registry) -> dict[str, ProofCodec]:
    return {name: build_codec(registry, name, "codec") for name in registry.names("codec")}


def write_output(path: Path, data: bytes) -> None:
    try:
        with atomic_write(path) as stream:
            stream.write(data)
    except OSError as error:
        raise ParaloomError(f"cannot write {path}: {error.strerror}") from None
