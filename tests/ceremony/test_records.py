"""The ceremonies recorded in ceremony/ still verify, from their circuit and phase 1.

A record is what people trust: a change to paraloom that stops an old, valid transcript from
verifying (or a damaged file in the record) must fail CI.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from paraloom.ceremony.bases import FromCircuit
from paraloom.ceremony.export import export_verification_key
from paraloom.ceremony.info import BEACON, NORMAL
from paraloom.ceremony.verify import VerificationReport, verify_key
from paraloom.formats import snarkjs_json
from paraloom.math.python_backend import PythonBackend

ROOT = Path(__file__).parents[2]
RECORD = ROOT / "ceremony" / "bounded_commitment"
CIRCUIT = ROOT / "circuits" / "bounded_commitment" / "bounded_commitment.r1cs"


@pytest.fixture(scope="module")
def report() -> VerificationReport:
    """The whole chain, verified once for the module (a few seconds on the python backend)."""
    base = FromCircuit(CIRCUIT, RECORD / "pot9_final.ptau")
    return verify_key(PythonBackend(), RECORD / "final.zkey", base)


def test_the_chain_verifies_from_the_circuit_and_phase_1(report: VerificationReport) -> None:
    kinds = [(item.name, item.type) for item in report.info.contributions]
    assert kinds == [("alice", NORMAL), ("bob", NORMAL), ("carol", NORMAL), ("beacon", BEACON)]
    assert report.first_checked == 1


def test_receipts_match_the_contributions_in_the_key(report: VerificationReport) -> None:
    receipts = [
        json.loads((RECORD / f"contribution_{number}.receipt.json").read_text())
        for number in (1, 2, 3)
    ]
    for receipt, contribution in zip(receipts, report.info.contributions[:3], strict=True):
        assert receipt["name"] == contribution.name
        assert bytes.fromhex(receipt["contribution_hash"]) == contribution.hash
    # each receipt's output is the next one's input: one unbroken chain of files
    for earlier, later in itertools.pairwise(receipts):
        assert earlier["output"]["sha256"] == later["input"]["sha256"]


def test_the_published_verification_key_is_the_final_keys() -> None:
    exported = export_verification_key(PythonBackend(), RECORD / "final.zkey")
    published = RECORD / "verification_key.json"
    assert snarkjs_json.dumps_verification_key(exported) == published.read_text()
