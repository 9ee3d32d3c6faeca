"""The demo's ceremony: a tiny circuit's phase 2 run through the HTTP coordinator on loopback,
three participants joining in turn, then the final key and the signed transcript verified.

The phase-1 file is package data (``data/ceremony/pot4_final.ptau``, made by snarkjs: 2^4
powers, enough for a circuit of a few constraints), since paraloom does not run phase 1.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from paraloom.ceremony.bases import FromCircuit
from paraloom.ceremony.client import CoordinatorClient, participate
from paraloom.ceremony.coordinator import Coordinator
from paraloom.ceremony.http import CoordinatorServer
from paraloom.ceremony.ledger import verify_ledger
from paraloom.components import CeremonyScheme
from paraloom.demo.inprocess import cube_circuit
from paraloom.formats.files import open_source
from paraloom.formats.ptau import PtauReader
from paraloom.formats.r1cs import R1cs, write_r1cs
from paraloom.formats.zkey import write_zkey
from paraloom.formats.zkey_new import new_zkey
from paraloom.math.backend import AnyCurveBackend
from paraloom.zk.builder import build_shape

PARTICIPANTS = ("alice", "bob", "carol")
TURN_SECONDS = 60.0
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class CeremonyOutcome:
    """The verified result: one hash per contribution and the transcript's length."""

    contribution_hashes: tuple[str, ...]
    transcript_entries: int
    coordinator_key: str


def run_ceremony(
    scheme: CeremonyScheme,
    backend: AnyCurveBackend,
    workdir: Path,
    report: Callable[[str], None],
) -> CeremonyOutcome:
    """Serve the ceremony, let every participant contribute, verify key and transcript."""
    ptau_resource = resources.files("paraloom").joinpath("data/ceremony/pot4_final.ptau")
    with resources.as_file(ptau_resource) as ptau:
        system = R1cs.from_circuit(build_shape(cube_circuit))
        r1cs = workdir / "cube.r1cs"
        write_r1cs(r1cs, system)
        initial = _initial_key(system, ptau, backend, workdir / "cube_0000.zkey")
        with _serving(workdir / "coordinator", initial, scheme, backend) as url:
            report(f"coordinator serving {url}")
            client = CoordinatorClient(url)
            for name in PARTICIPANTS:
                joined = participate(
                    client,
                    scheme,
                    backend,
                    name=name,
                    entropy=None,
                    workdir=workdir / name,
                    poll_seconds=POLL_SECONDS,
                    report=functools.partial(_prefixed, report, name),
                )
                report(f"{name}: contribution {joined.result.hash.hex()[:32]}…")
            final = workdir / "cube_final.zkey"
            client.download(final)
            entries = client.transcript()
            pubkey = str(client.info()["pubkey"])
        verify_ledger(entries, bytes.fromhex(pubkey))
        verified = scheme.verify(backend, final, FromCircuit(r1cs, ptau))
    hashes = tuple(item.hash.hex() for item in verified.info.contributions)
    report(f"final key verified from the circuit and the ptau: {len(hashes)} contributions")
    return CeremonyOutcome(hashes, len(entries), pubkey)


def _prefixed(report: Callable[[str], None], name: str, line: str) -> None:
    report(f"{name}: {line}")


def _initial_key(system: R1cs, ptau: Path, backend: AnyCurveBackend, target: Path) -> Path:
    """The key nobody has contributed to yet (`paraloom-ceremony new`)."""
    with open_source(ptau) as stream:
        zkey = new_zkey(system, PtauReader(stream), backend=backend)
    write_zkey(target, zkey, order="new")
    return target


@contextmanager
def _serving(
    directory: Path, initial: Path, scheme: CeremonyScheme, backend: AnyCurveBackend
) -> Iterator[str]:
    """A coordinator on a free loopback port, served from a thread until the block ends."""
    coordinator = Coordinator.open(
        directory,
        initial,
        scheme=scheme,
        backend=backend,
        signing_key=Ed25519PrivateKey.generate(),
        turn_seconds=TURN_SECONDS,
    )
    server = CoordinatorServer(("127.0.0.1", 0), coordinator)
    thread = threading.Thread(target=server.serve_forever, name="demo-ceremony", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
