"""The withdraw ceremony (ceremony/withdraw/) still verifies, and what ships is its result.

The final key is not in the record but in the package (paraloom/data/circuits/withdraw/), so
these tests check the very file users prove with. Recomputing the initial key from the circuit
and phase 1 takes about 8 s on arkworks and 100 s on the python backend: those tests are slow.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from paraloom.ceremony.bases import FromInitial
from paraloom.ceremony.export import export_verification_key
from paraloom.ceremony.info import BEACON, NORMAL, key_info
from paraloom.ceremony.verify import verify_key
from paraloom.circuits.shipped import PROVING_KEY_FILE, VERIFICATION_KEY_FILE
from paraloom.cli.ceremony import ceremony_cli
from paraloom.formats import snarkjs_json
from paraloom.formats.ptau import PtauReader
from paraloom.formats.r1cs import read_r1cs
from paraloom.formats.zkey import write_zkey
from paraloom.formats.zkey_new import new_zkey
from paraloom.manager import build_plugin_manager
from paraloom.registry import Registry

ROOT = Path(__file__).parents[2]
RECORD = ROOT / "ceremony" / "withdraw"
CIRCUIT = ROOT / "circuits" / "withdraw" / "withdraw.r1cs"
PTAU = RECORD / "pot12_final.ptau"
SHIPPED = ROOT / "paraloom" / "data" / "circuits" / "withdraw"
FINAL = SHIPPED / PROVING_KEY_FILE
NAMES = ["paraloom-founder-1", "paraloom-founder-2", "paraloom-founder-3"]


def receipts() -> list[dict[str, Any]]:
    return [
        json.loads((RECORD / f"contribution_{number}.receipt.json").read_text())
        for number in (1, 2, 3)
    ]


@cache
def backend() -> Any:
    return Registry(build_plugin_manager()).get("curve", "auto").spec.factory({})


@cache
def initial_key() -> bytes:
    """`paraloom-ceremony new`'s key, recomputed from the circuit and phase 1."""
    with PTAU.open("rb") as stream:
        zkey = new_zkey(read_r1cs(CIRCUIT), PtauReader(stream), backend=backend())
    buffer = io.BytesIO()
    write_zkey(buffer, zkey, order="new")
    return buffer.getvalue()


def test_the_shipped_key_holds_the_recorded_contributions() -> None:
    info = key_info(FINAL)
    kinds = [(item.name, item.type) for item in info.contributions]
    assert kinds == [*((name, NORMAL) for name in NAMES), ("beacon", BEACON)]
    for receipt, contribution in zip(receipts(), info.contributions, strict=False):
        assert receipt["name"] == contribution.name
        assert bytes.fromhex(receipt["contribution_hash"]) == contribution.hash


def test_the_receipts_form_one_chain_of_files() -> None:
    for earlier, later in itertools.pairwise(receipts()):
        assert earlier["output"]["sha256"] == later["input"]["sha256"]


def test_the_transcript_is_what_info_prints_for_the_shipped_key() -> None:
    result = CliRunner().invoke(ceremony_cli, ["info", str(FINAL)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (RECORD / "transcript.txt").read_text()


def test_the_shipped_verification_key_is_the_final_keys() -> None:
    exported = export_verification_key(backend(), FINAL)
    shipped = (SHIPPED / VERIFICATION_KEY_FILE).read_text()
    assert snarkjs_json.dumps_verification_key(exported) == shipped


@pytest.mark.slow
def test_the_ceremony_started_from_the_circuit_and_phase_1() -> None:
    assert hashlib.sha256(initial_key()).hexdigest() == receipts()[0]["input"]["sha256"]


@pytest.mark.slow
def test_the_shipped_key_verifies_from_the_initial_key() -> None:
    base = FromInitial(io.BytesIO(initial_key()), PTAU)
    report = verify_key(backend(), FINAL, base)
    assert report.first_checked == 1
    assert len(report.info.contributions) == 4
