"""`paraloom proof`: Groth16 prove, verify and batch-verify over snarkjs' files.

Arguments come in snarkjs' order, so a script can swap ``snarkjs groth16`` for ``paraloom
proof``. Verification exits 0 for a valid proof, 1 for an invalid one and 2 for input that is
not a proof, a key or public signals at all: "invalid" is an answer, bad input is an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from paraloom.cli.proof_convert import (
    build_codec,
    convert_command,
    installed_codecs,
    write_output,
)
from paraloom.cli.session import session_of
from paraloom.codecs.conversion import PROOF, PUBLIC, VERIFICATION_KEY, ArtifactKind, detect
from paraloom.errors import ParaloomError, ProofRejectedError
from paraloom.formats.wtns import read_wtns
from paraloom.formats.zkey import proving_key_of, read_zkey, require_contributions
from paraloom.math.fields import FR_MODULUS
from paraloom.registry import Registry
from paraloom.zk.keys import VerificationKey
from paraloom.zk.prover import prove
from paraloom.zk.verifier import batch_verify, find_invalid, prepare_verifying_key, verify

INPUT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
OUTPUT_FILE = click.Path(dir_okay=False, path_type=Path)
SNARKJS_JSON = "snarkjs-json"

codec_option = click.option(
    "--codec",
    metavar="CODEC",
    help="Codec of the input files; by default each file's codec is recognised.",
)


@click.group("proof")
def proof_group() -> None:
    """Groth16 proofs: prove, verify, verify-batch, convert (snarkjs-compatible files)."""


@proof_group.command("prove")
@click.argument("zkey_path", metavar="ZKEY", type=INPUT_FILE)
@click.argument("wtns_path", metavar="WTNS", type=INPUT_FILE)
@click.argument("proof_path", metavar="PROOF", type=OUTPUT_FILE)
@click.argument("public_path", metavar="PUBLIC", type=OUTPUT_FILE)
@click.option(
    "--codec",
    default=SNARKJS_JSON,
    show_default=True,
    metavar="CODEC",
    help="Codec to write PROOF and PUBLIC in.",
)
@click.option(
    "--allow-uncontributed",
    is_flag=True,
    help="Accept a key with no phase-2 contribution (tests only: anyone can forge its proofs).",
)
@click.pass_context
def prove_command(
    context: click.Context,
    *,
    zkey_path: Path,
    wtns_path: Path,
    proof_path: Path,
    public_path: Path,
    codec: str,
    allow_uncontributed: bool,
) -> None:
    """Prove with ZKEY for the witness WTNS; write PROOF and PUBLIC.

    The proof is checked against the key's own verifying key before anything is written, so a
    witness that does not satisfy the circuit is reported instead of producing a dud proof.
    """
    session = session_of(context)
    writer = build_codec(session.registry, codec, "--codec")
    backend = session.component("curve")
    zkey = read_zkey(zkey_path)
    if not allow_uncontributed:
        require_contributions(zkey)
    key = proving_key_of(zkey)
    witness = read_wtns(wtns_path)
    if witness.field.modulus != FR_MODULUS:
        raise ParaloomError(f"{wtns_path}: the witness is not over BN254's scalar field")
    with _status("proving") as report:
        proof, public = prove(backend, key, witness.values, progress=report)
        report("checking the proof")
        if not verify(backend, key.verification_key(), public, proof):
            raise ProofRejectedError(
                f"{wtns_path} does not satisfy the circuit of {zkey_path}: the proof is invalid"
            )
    write_output(proof_path, writer.encode_proof(proof))
    write_output(public_path, writer.encode_public(public))
    click.echo(f"wrote {proof_path} and {public_path} ({len(public)} public signals)")


@proof_group.command("verify")
@click.argument("vk_path", metavar="VK", type=INPUT_FILE)
@click.argument("public_path", metavar="PUBLIC", type=INPUT_FILE)
@click.argument("proof_path", metavar="PROOF", type=INPUT_FILE)
@codec_option
@click.pass_context
def verify_command(
    context: click.Context, *, vk_path: Path, public_path: Path, proof_path: Path, codec: str
) -> None:
    """Verify PROOF for the public signals PUBLIC under the verifying key VK."""
    session = session_of(context)
    read = _reader(session.registry, codec)
    key = read(vk_path, VERIFICATION_KEY)
    public = read(public_path, PUBLIC)
    proof = read(proof_path, PROOF)
    _check_count(key, public, public_path)
    valid = verify(session.component("curve"), key, public, proof)
    click.echo(f"{proof_path}: {'valid' if valid else 'INVALID'}")
    context.exit(0 if valid else 1)


@proof_group.command("verify-batch")
@click.argument("vk_path", metavar="VK", type=INPUT_FILE)
@click.argument("pairs", metavar="PUBLIC1 PROOF1 [PUBLIC2 PROOF2 ...]", nargs=-1, type=INPUT_FILE)
@codec_option
@click.pass_context
def verify_batch_command(
    context: click.Context, *, vk_path: Path, pairs: tuple[Path, ...], codec: str
) -> None:
    """Verify many proofs under one key with a single multi-pairing; name any invalid ones."""
    if not pairs or len(pairs) % 2:
        raise click.UsageError("give PUBLIC PROOF pairs after VK (an even, non-zero count)")
    session = session_of(context)
    read = _reader(session.registry, codec)
    key = read(vk_path, VERIFICATION_KEY)
    items = [
        (read(public, PUBLIC), read(proof, PROOF))
        for public, proof in zip(pairs[::2], pairs[1::2], strict=True)
    ]
    for (public, _), path in zip(items, pairs[::2], strict=True):
        _check_count(key, public, path)
    backend = session.component("curve")
    prepared = prepare_verifying_key(backend, key)
    started = time.perf_counter()
    if batch_verify(backend, prepared, items):
        elapsed = (time.perf_counter() - started) * 1e3
        click.echo(f"{len(items)} proofs: all valid ({elapsed:.0f} ms, one multi-pairing)")
        return
    invalid = find_invalid(backend, prepared, items)
    for index in invalid:
        click.echo(f"{pairs[2 * index + 1]}: INVALID (with {pairs[2 * index]})")
    click.echo(f"{len(items)} proofs: {len(invalid)} invalid")
    context.exit(1)


proof_group.add_command(convert_command)


def _reader(registry: Registry, codec: str | None) -> Callable[[Path, ArtifactKind[Any]], Any]:
    """Decode files in the named codec, or in whichever installed codec each one is in."""
    named = None if codec is None else build_codec(registry, codec, "--codec")
    candidates = installed_codecs(registry) if named is None else {}

    def read(path: Path, kind: ArtifactKind[Any]) -> Any:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ParaloomError(f"cannot read {path}: {error.strerror}") from None
        if named is None:
            return detect(candidates, kind, data, str(path))[1]
        try:
            return kind.decode(named, data)
        except ParaloomError as error:
            raise type(error)(f"{path}: {error}") from None

    return read


def _check_count(key: VerificationKey, public: Sequence[int], path: Path) -> None:
    if len(public) != key.n_public:
        raise ParaloomError(
            f"{path}: {len(public)} public signals, the verifying key expects {key.n_public}"
        )


@contextmanager
def _status(action: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the current phase (nothing when stderr is not a terminal)."""
    console = Console(stderr=True)
    with console.status(action) as status:

        def report(phase: str) -> None:
            status.update(f"{action}: {phase}")

        yield report
