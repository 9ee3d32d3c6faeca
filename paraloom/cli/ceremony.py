"""The `paraloom-ceremony` command line: Groth16 phase-2 ceremonies over snarkjs .zkey files.

Arguments follow snarkjs' ``zkey`` commands so scripts can swap one for the other. Steps go
through the ceremony scheme and the curve backend the configuration selects. ``verify`` exits
0 for a valid key, 1 for an invalid one (the message names the contribution or section and
the check) and 2 for files that cannot be read or bad arguments. Progress bars with an ETA go
to stderr (only when it is a terminal); results go to stdout, JSON alone with ``--json``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as ProgressBars

from paraloom import __version__
from paraloom.ceremony.bases import ChainBase, FromCircuit, FromInitial, FromPrevious
from paraloom.ceremony.beacon import DEFAULT_NAME, MAX_ITERATIONS_EXP, MIN_ITERATIONS_EXP
from paraloom.ceremony.client import CoordinatorClient, participate
from paraloom.ceremony.coordinator import Coordinator, load_or_create_key
from paraloom.ceremony.export import export_verification_key
from paraloom.ceremony.http import CoordinatorServer
from paraloom.ceremony.info import ContributionInfo, KeyInfo, key_info
from paraloom.ceremony.ledger import (
    LedgerEntry,
    check_key,
    find_contribution,
    parse_ledger,
    verify_ledger,
)
from paraloom.ceremony.receipt import file_digests, receipt, receipt_path, write_receipt
from paraloom.ceremony.transcript import format_hash
from paraloom.cli.app import ParaloomGroup, global_options, start_session
from paraloom.cli.output import print_json
from paraloom.cli.proof_convert import build_codec, write_output
from paraloom.cli.session import Session, session_of
from paraloom.errors import CeremonyVerificationError, ParaloomError
from paraloom.formats.files import open_source
from paraloom.formats.ptau import PtauReader
from paraloom.formats.r1cs import read_r1cs
from paraloom.formats.zkey import write_zkey
from paraloom.formats.zkey_new import new_zkey
from paraloom.units import parse_duration

if TYPE_CHECKING:
    from paraloom.ceremony.contribute import ContributionResult
    from paraloom.progress import Advance

INPUT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
OUTPUT_FILE = click.Path(dir_okay=False, path_type=Path)
SNARKJS_JSON = "snarkjs-json"
_SEPARATOR = "-------------------------"


@click.group(cls=ParaloomGroup, name="paraloom-ceremony")
@global_options
@click.version_option(__version__, prog_name="paraloom-ceremony")
@click.pass_context
def ceremony_cli(
    context: click.Context, config_path: Path | None, assignments: tuple[str, ...], debug: bool
) -> None:
    """Run Groth16 phase-2 (BGM17) ceremonies compatible with snarkjs .zkey files."""
    start_session(context, config_path, assignments, debug)


@ceremony_cli.command("new")
@click.argument("r1cs_path", metavar="CIRCUIT.r1cs", type=INPUT_FILE)
@click.argument("ptau_path", metavar="PHASE1.ptau", type=INPUT_FILE)
@click.argument("output", metavar="OUT.zkey", type=OUTPUT_FILE)
@click.pass_context
def new_command(context: click.Context, r1cs_path: Path, ptau_path: Path, output: Path) -> None:
    """Write the initial key of CIRCUIT from the prepared PHASE1 powers of tau.

    The bytes are those of `snarkjs groth16 setup`. Nobody has contributed to the key yet, so
    anyone could forge proofs with it: it is the start of phase 2, not a key to prove with.
    """
    backend = session_of(context).component("curve")
    with _file_errors(), _progress() as progress:
        r1cs = read_r1cs(r1cs_path)
        with open_source(ptau_path) as stream:
            zkey = new_zkey(r1cs, PtauReader(stream), backend=backend, progress=progress)
        progress.task(f"writing {output.name}", None)
        write_zkey(output, zkey, order="new")
    click.echo(format_hash(zkey.cs_hash, "Circuit Hash:"))
    click.echo(f"wrote {output} (no contribution yet: contribute before proving with it)")


@ceremony_cli.command("contribute")
@click.argument("source", metavar="IN.zkey", type=INPUT_FILE)
@click.argument("destination", metavar="OUT.zkey", type=OUTPUT_FILE)
@click.option("--name", required=True, help="Your name or handle, stored in the contribution.")
@click.option(
    "--entropy",
    metavar="TEXT",
    help="Text to mix into the 64 random bytes taken from the OS (optional; never prompted).",
)
@click.option(
    "--receipt",
    "receipt_file",
    type=OUTPUT_FILE,
    help="Where to write the JSON receipt [default: OUT.receipt.json].",
)
@click.pass_context
def contribute_command(
    context: click.Context,
    *,
    source: Path,
    destination: Path,
    name: str,
    entropy: str | None,
    receipt_file: Path | None,
) -> None:
    """Add a contribution to IN and write OUT; print its hash as snarkjs does.

    The secret comes from the operating system's CSPRNG, mixed with --entropy when given;
    the command never asks for input, so it runs unattended. Keep the printed hash (and the
    receipt) to find your contribution in the final key later.
    """
    session = session_of(context)
    scheme, backend = session.component("ceremony"), session.component("curve")
    with _file_errors(), _progress() as progress:
        source_digests = file_digests(source)
        result = scheme.contribute(
            backend, source, destination, name=name, entropy=entropy, progress=progress
        )
        written = receipt_file or receipt_path(destination)
        document = receipt(result, source=source, source_digests=source_digests, output=destination)
        write_receipt(written, document)
    _print_step(result)
    click.echo(f"wrote {destination} and the receipt {written}")


@ceremony_cli.command("beacon")
@click.argument("source", metavar="IN.zkey", type=INPUT_FILE)
@click.argument("destination", metavar="OUT.zkey", type=OUTPUT_FILE)
@click.option(
    "--hash",
    "beacon_hash",
    required=True,
    metavar="HEX",
    callback=lambda _context, _parameter, text: parse_beacon_hash(text),
    help="The public random value (hex, 1 to 255 bytes), e.g. a drand round.",
)
@click.option(
    "--iterations",
    "iterations_exp",
    required=True,
    metavar="N",
    type=click.IntRange(MIN_ITERATIONS_EXP, MAX_ITERATIONS_EXP),
    help=f"Apply SHA-256 2^N times ({MIN_ITERATIONS_EXP}..{MAX_ITERATIONS_EXP}).",
)
@click.option("--name", default=DEFAULT_NAME, show_default=True, help="Name of the contribution.")
@click.pass_context
def beacon_command(
    context: click.Context,
    *,
    source: Path,
    destination: Path,
    beacon_hash: bytes,
    iterations_exp: int,
    name: str,
) -> None:
    """Close the ceremony: a contribution anyone can recompute from a public value.

    For the same IN, hash, N and name, OUT is byte for byte what `snarkjs zkey beacon` writes.
    """
    session = session_of(context)
    scheme, backend = session.component("ceremony"), session.component("curve")
    with _file_errors(), _progress() as progress:
        result = scheme.beacon(
            backend,
            source,
            destination,
            beacon_hash=beacon_hash,
            iterations_exp=iterations_exp,
            name=name,
            progress=progress,
        )
    _print_step(result)
    click.echo(f"wrote {destination}")


@ceremony_cli.command("verify")
@click.argument("key", metavar="ZKEY", type=INPUT_FILE)
@click.option("--r1cs", type=INPUT_FILE, help="Verify from the circuit (needs --ptau).")
@click.option("--ptau", type=INPUT_FILE, help="The prepared phase-1 file of the ceremony.")
@click.option("--initial", type=INPUT_FILE, help="Verify from this initial key.")
@click.option("--previous", type=INPUT_FILE, help="Verify only the steps after this key.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def verify_command(
    context: click.Context,
    *,
    key: Path,
    r1cs: Path | None,
    ptau: Path | None,
    initial: Path | None,
    previous: Path | None,
    as_json: bool,
) -> None:
    """Verify ZKEY's phase-2 transcript: exit 0 if valid, 1 if not.

    \b
    --r1cs R --ptau P     the whole chain, from the initial key recomputed from R and P
    --initial I [--ptau P] the whole chain, from the initial key I (checked against P)
    --previous K          only the contributions added after K (no circuit or ptau needed)
    """
    base = _chain_base(r1cs=r1cs, ptau=ptau, initial=initial, previous=previous)
    session = session_of(context)
    scheme, backend = session.component("ceremony"), session.component("curve")
    with _file_errors(), _progress() as progress:
        report = scheme.verify(backend, key, base, progress=progress)
    for contribution in report.info.contributions[report.first_checked - 1 :]:
        session.manager.notify(
            "paraloom_contribution_verified",
            index=contribution.number,
            contribution_hash=contribution.hash,
            valid=True,
        )
    if as_json:
        print_json(
            {"valid": True, "first_checked": report.first_checked, **_info_json(report.info)}
        )
        return
    _print_info(report.info)
    checked = len(report.info.contributions) - report.first_checked + 1
    click.echo(f"ZKey Ok! ({checked} of {len(report.info.contributions)} contributions checked)")


@ceremony_cli.command("export-vk")
@click.argument("key", metavar="ZKEY", type=INPUT_FILE)
@click.argument("output", metavar="VK.json", type=OUTPUT_FILE)
@click.option(
    "--allow-unsafe",
    is_flag=True,
    help="Export a key nobody contributed to (delta = gamma: anyone can forge proofs).",
)
@click.pass_context
def export_vk_command(
    context: click.Context, *, key: Path, output: Path, allow_unsafe: bool
) -> None:
    """Write ZKEY's verifying key as snarkjs' verification_key.json (vk_alphabeta_12 too)."""
    session = session_of(context)
    codec = build_codec(session.registry, SNARKJS_JSON, "export-vk")
    with _file_errors():
        verification_key = export_verification_key(
            session.component("curve"), key, allow_unsafe=allow_unsafe
        )
    write_output(output, codec.encode_verification_key(verification_key))
    click.echo(f"wrote {output} ({verification_key.n_public} public signals)")


@ceremony_cli.command("info")
@click.argument("key", metavar="ZKEY", type=INPUT_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_obj
def info_command(session: Session, key: Path, as_json: bool) -> None:
    """Show ZKEY's circuit hash and contributions (read, not verified: see `verify`)."""
    session.config  # noqa: B018 - loading validates --config
    with _file_errors():
        info = key_info(key)
    if as_json:
        print_json(_info_json(info))
        return
    click.echo(f"wires: {info.n_vars}, public signals: {info.n_public}, domain: {info.domain_size}")
    _print_info(info)


@ceremony_cli.command("serve")
@click.option("--zkey", "initial", required=True, type=INPUT_FILE, help="The initial key.")
@click.option(
    "--dir",
    "directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="State directory (keys, queue, transcript); reused on restart.",
)
@click.option("--listen", default="127.0.0.1:0", show_default=True, metavar="HOST:PORT")
@click.option(
    "--deadline", default="10m", show_default=True, help="Time a participant's turn lasts."
)
@click.option(
    "--key",
    "key_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ed25519 signing key (PEM) [default: DIR/coordinator.key, created if missing].",
)
@click.pass_context
def serve_command(
    context: click.Context,
    *,
    initial: Path,
    directory: Path,
    listen: str,
    deadline: str,
    key_file: Path | None,
) -> None:
    """Coordinate a ceremony over HTTP: a queue of participants, each upload verified.

    Prints the coordinator's public key and the bound address (port 0: any free port), then
    serves until interrupted; publish the key so that participants can check the transcript.
    Anyone may read URL/info, URL/transcript and URL/key/latest. Restarting with the same
    --dir resumes the ceremony.
    """
    session = session_of(context)
    with _file_errors():
        directory.mkdir(parents=True, exist_ok=True)
        signing_key = load_or_create_key(key_file or directory / "coordinator.key")
        coordinator = Coordinator.open(
            directory,
            initial,
            scheme=session.component("ceremony"),
            backend=session.component("curve"),
            signing_key=signing_key,
            turn_seconds=parse_duration(deadline),
        )
        server = CoordinatorServer(_address(listen), coordinator)
    host, port = server.server_address[:2]
    click.echo(f"coordinator public key: {coordinator.public_key}")
    click.echo(f"listening on http://{host!s}:{port}", nl=True)
    sys.stdout.flush()
    with server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


@ceremony_cli.command("join")
@click.argument("url")
@click.option("--name", required=True, help="Your name or handle, stored in the contribution.")
@click.option("--entropy", metavar="TEXT", help="Text to mix into the OS randomness (optional).")
@click.option(
    "--dir",
    "workdir",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Work directory: the ticket, the downloaded key, your contribution and receipt.",
)
@click.option("--poll", default="2s", show_default=True, help="Time between status checks.")
@click.pass_context
def join_command(
    context: click.Context, *, url: str, name: str, entropy: str | None, workdir: Path, poll: str
) -> None:
    """Take part in the ceremony that URL coordinates: wait, contribute, upload.

    Run it again with the same --dir after an interruption to keep your place and resume
    the download. Prints your contribution hash and the signed transcript entry that
    includes it (its position too); keep them (the receipt has both).
    """
    session = session_of(context)
    with _file_errors():
        participation = participate(
            CoordinatorClient(url),
            session.component("ceremony"),
            session.component("curve"),
            name=name,
            entropy=entropy,
            workdir=workdir,
            poll_seconds=parse_duration(poll),
            report=lambda line: click.echo(line, err=True),
        )
    _print_step(participation.result)
    entry = participation.entry
    click.echo(
        f"included as transcript entry #{entry.index} of {participation.transcript_length},"
        f" signed by coordinator key {participation.pubkey}:"
    )
    click.echo(entry.line().decode(), nl=False)
    click.echo(f"wrote the receipt {participation.receipt} (with the signed entry)")


@ceremony_cli.command("verify-transcript")
@click.argument("source", metavar="TRANSCRIPT.jsonl|URL")
@click.option(
    "--pubkey",
    required=True,
    metavar="HEX",
    callback=lambda _context, _parameter, text: _parse_hex(text, 32, "--pubkey"),
    help="The coordinator's Ed25519 public key (64 hex digits).",
)
@click.option(
    "--zkey", type=INPUT_FILE, help="Check that this key's contributions are the entries."
)
@click.option(
    "--contribution-hash",
    metavar="HEX",
    callback=lambda _context, _parameter, text: _parse_hex(text, 64, "--contribution-hash"),
    help="Is this contribution (as `contribute` printed it) included? Exit 0 yes, 1 no.",
)
@click.pass_obj
def verify_transcript_command(
    session: Session,
    *,
    source: str,
    pubkey: bytes,
    zkey: Path | None,
    contribution_hash: bytes | None,
) -> None:
    """Check a coordinator's signed transcript: exit 0 if valid, 1 if not, 2 for bad input.

    The transcript is a file, or the coordinator's URL while the ceremony runs (it serves
    /transcript; the current key is at URL/key/latest for --zkey). Take --pubkey from where
    the coordinator published it, not from the coordinator's own answers.
    """
    session.config  # noqa: B018 - loading validates --config
    with _file_errors():
        entries = _transcript_entries(source)
        verify_ledger(entries, pubkey)
        if zkey is not None:
            check_key(entries, key_info(zkey), file_digests(zkey)["sha256"])
    click.echo(
        f"transcript Ok: {len(entries)} signed entries" + (", matching the key" if zkey else "")
    )
    if contribution_hash is None:
        return
    entry = find_contribution(entries, contribution_hash)
    if entry is None:
        raise CeremonyVerificationError("the contribution is not in the transcript")
    click.echo(f"included as contribution #{entry.index} ({entry.name}, {entry.time})")


def run_ceremony() -> None:
    """Console-script entry point."""
    ceremony_cli(prog_name="paraloom-ceremony")


def _chain_base(
    *, r1cs: Path | None, ptau: Path | None, initial: Path | None, previous: Path | None
) -> ChainBase:
    """The verification's starting point from the options (exactly one of three forms)."""
    chosen = [option for option in (r1cs, initial, previous) if option is not None]
    if len(chosen) != 1:
        raise click.UsageError("give one of --r1cs (with --ptau), --initial or --previous")
    if r1cs is not None:
        if ptau is None:
            raise click.UsageError("--r1cs needs --ptau")
        return FromCircuit(r1cs, ptau)
    if initial is not None:
        return FromInitial(initial, ptau)
    if ptau is not None:
        raise click.UsageError("--previous takes no --ptau: it checks the new steps only")
    return FromPrevious(chosen[0])


def _transcript_entries(source: str) -> list[LedgerEntry]:
    """The transcript in a file, or as the coordinator at an http(s) URL serves it."""
    if urlsplit(source).scheme in ("http", "https"):
        return CoordinatorClient(source).transcript()
    return parse_ledger(Path(source).read_bytes())


def _address(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise click.BadParameter(f"{listen!r} is not HOST:PORT", param_hint="--listen")
    return host, int(port)


def _parse_hex(text: str | None, size: int, option: str) -> bytes | None:
    if text is None:
        return None
    try:
        value = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not hex", param_hint=option) from None
    if len(value) != size:
        raise click.BadParameter(f"{size} bytes expected, not {len(value)}", param_hint=option)
    return value


def parse_beacon_hash(text: str) -> bytes:
    """Hex digits, with or without 0x; snarkjs' limits (1 to 255 bytes)."""
    digits = text.removeprefix("0x")
    try:
        value = bytes.fromhex(digits)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an even number of hex digits") from None
    if not 0 < len(value) <= 255:
        raise click.BadParameter(f"a beacon value has 1 to 255 bytes, not {len(value)}")
    return value


def _print_step(result: ContributionResult) -> None:
    click.echo(format_hash(result.hash, f"Contribution Hash (#{result.number}):"))
    click.echo(result.hash.hex())


def _print_info(info: KeyInfo) -> None:
    """As `snarkjs zkey verify` prints it: the circuit hash, then contributions newest first."""
    click.echo(format_hash(info.cs_hash, "Circuit Hash:"))
    for contribution in reversed(info.contributions):
        click.echo(_SEPARATOR)
        title = f"{contribution.label} [{contribution.kind}]:"
        click.echo(format_hash(contribution.hash, title))
        if contribution.beacon_hash is not None:
            click.echo(f"Beacon generator: {contribution.beacon_hash.hex()}")
            click.echo(f"Beacon iterations Exp: {contribution.iterations_exp}")
    click.echo(_SEPARATOR)


def _info_json(info: KeyInfo) -> dict[str, Any]:
    return {
        "n_vars": info.n_vars,
        "n_public": info.n_public,
        "domain_size": info.domain_size,
        "circuit_hash": info.cs_hash.hex(),
        "contributions": [_contribution_json(c) for c in info.contributions],
    }


def _contribution_json(contribution: ContributionInfo) -> dict[str, Any]:
    return {
        "number": contribution.number,
        "name": contribution.name,
        "type": contribution.kind,
        "hash": contribution.hash.hex(),
        "beacon_hash": None if contribution.beacon_hash is None else contribution.beacon_hash.hex(),
        "iterations_exp": contribution.iterations_exp,
    }


@contextlib.contextmanager
def _file_errors() -> Iterator[None]:
    """A file that cannot be read or written is bad input (exit 2), named in one line."""
    try:
        yield
    except OSError as error:
        raise ParaloomError(f"{error.filename or 'file'}: {error.strerror or error}") from None


class _Bars:
    """The ceremony's :class:`~paraloom.progress.Progress` as rich progress bars."""

    def __init__(self, bars: ProgressBars) -> None:
        self._bars = bars
        self._open: list[TaskID] = []

    def task(self, description: str, total: int | None) -> Advance:
        task_id = self._bars.add_task(description, total=total)
        if total is None:
            self._open.append(task_id)
        return lambda units: self._bars.advance(task_id, units)

    def finish(self) -> None:
        """Steps of unknown size are done when the command is."""
        for task_id in self._open:
            self._bars.update(task_id, total=1, completed=1)


@contextlib.contextmanager
def _progress() -> Iterator[_Bars]:
    console = Console(stderr=True)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with ProgressBars(*columns, console=console, disable=not console.is_terminal) as bars:
        reporter = _Bars(bars)
        yield reporter
        reporter.finish()
