"""`paraloom-ceremony` as users run it: outputs, exit codes, receipts, the config."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paraloom import __version__
from paraloom.cli.ceremony import ceremony_cli, parse_beacon_hash
from paraloom.formats.zkey import read_zkey
from paraloom.testing import PluginSite

from .helpers import PTAU, fixture, flip, verified_positions

MUL_0, MUL_FINAL = fixture("mul_0.zkey"), fixture("mul_final.zkey")
BEACON_HEX = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


def run(*arguments: object, stdin: str | None = None) -> Result:
    return CliRunner().invoke(ceremony_cli, [str(argument) for argument in arguments], input=stdin)


def hash_block(output: str) -> str:
    """The first 4-line snarkjs hash block in ``output``, as one hex string."""
    lines = [line for line in output.splitlines() if line.startswith("\t\t")][:4]
    return "".join("".join(line.split()) for line in lines)


def test_new_writes_snarkjs_initial_key(tmp_path: Path) -> None:
    output = tmp_path / "k0.zkey"
    result = run("new", fixture("mul.r1cs"), PTAU, output)
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == MUL_0.read_bytes()
    assert hash_block(result.stdout) == read_zkey(MUL_0).cs_hash.hex()


def test_contribute_never_prompts_and_writes_a_receipt(tmp_path: Path) -> None:
    output = tmp_path / "k1.zkey"
    result = run("contribute", MUL_0, output, "--name", "alice", stdin="")
    assert result.exit_code == 0, result.output
    printed = hash_block(result.stdout)
    assert printed in result.stdout.splitlines()  # the block again, as one hex line
    receipt = json.loads((tmp_path / "k1.zkey.receipt.json").read_text())
    assert receipt["name"] == "alice"
    assert receipt["contribution"] == 1
    assert receipt["contribution_hash"] == printed
    for side, path in (("input", MUL_0), ("output", output)):
        data = path.read_bytes()
        assert receipt[side]["sha256"] == hashlib.sha256(data).hexdigest()
        assert receipt[side]["blake2b"] == hashlib.blake2b(data).hexdigest()
    assert receipt["tool"] == "paraloom-ceremony"
    assert receipt["version"] == __version__
    assert datetime.fromisoformat(receipt["time"]).utcoffset() is not None
    assert run("verify", "--previous", MUL_0, output).exit_code == 0


def test_the_receipt_can_go_elsewhere_and_entropy_is_accepted(tmp_path: Path) -> None:
    receipt = tmp_path / "mine.json"
    result = run(
        "contribute", MUL_0, tmp_path / "k1.zkey", "--name", "bob", "--entropy", "dice: 4 2 6",
        "--receipt", receipt,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(receipt.read_text())["name"] == "bob"
    assert not (tmp_path / "k1.zkey.receipt.json").exists()


def test_contribute_needs_a_name(tmp_path: Path) -> None:
    result = run("contribute", MUL_0, tmp_path / "k1.zkey")
    assert result.exit_code == 2
    assert "--name" in result.output


def test_beacon_then_verify_from_the_circuit(tmp_path: Path) -> None:
    output = tmp_path / "final.zkey"
    result = run("beacon", MUL_FINAL, output, "--hash", BEACON_HEX, "--iterations", 10)
    assert result.exit_code == 0, result.output
    verified = run("verify", "--r1cs", fixture("mul.r1cs"), "--ptau", PTAU, output)
    assert verified.exit_code == 0, verified.output
    assert "ZKey Ok! (3 of 3 contributions checked)" in verified.stdout
    assert "contribution #3 (beacon) [beacon]:" in verified.stdout
    assert f"Beacon generator: {BEACON_HEX}" in verified.stdout


@pytest.mark.parametrize(
    ("hash_text", "iterations"),
    [("xyz", 10), ("012", 10), ("", 10), ("00" * 256, 10), (BEACON_HEX, 9), (BEACON_HEX, 64)],
)
def test_bad_beacon_parameters_exit_2(tmp_path: Path, hash_text: str, iterations: int) -> None:
    output = tmp_path / "o.zkey"
    result = run("beacon", MUL_FINAL, output, "--hash", hash_text, "--iterations", iterations)
    assert result.exit_code == 2
    assert not output.exists()


def test_beacon_hashes_may_carry_0x() -> None:
    assert parse_beacon_hash("0x0a0B") == b"\x0a\x0b"


def test_verify_modes_and_exit_codes(tmp_path: Path) -> None:
    assert run("verify", "--initial", MUL_0, MUL_FINAL).exit_code == 0
    assert run("verify", "--initial", MUL_0, "--ptau", PTAU, MUL_FINAL).exit_code == 0
    document = json.loads(run("verify", "--initial", MUL_0, MUL_FINAL, "--json").stdout)
    assert document["valid"] is True
    assert document["first_checked"] == 1
    assert [c["type"] for c in document["contributions"]] == ["contribution", "beacon"]
    damaged = tmp_path / "damaged.zkey"
    position = verified_positions(MUL_FINAL.read_bytes())[-1]  # the beacon's transcript
    damaged.write_bytes(flip(MUL_FINAL.read_bytes(), position, 1))
    invalid = run("verify", "--initial", MUL_0, damaged)
    assert invalid.exit_code == 1
    assert invalid.stderr.startswith("error: contribution #2 (final): ")
    assert len(invalid.stderr.splitlines()) == 1
    garbage = tmp_path / "garbage.zkey"
    garbage.write_bytes(b"not a zkey")
    assert run("verify", "--initial", MUL_0, garbage).exit_code == 2


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--r1cs", fixture("mul.r1cs")],
        ["--previous", MUL_0, "--ptau", PTAU],
        ["--initial", MUL_0, "--previous", MUL_0],
    ],
)
def test_verify_needs_one_starting_point(options: list[object]) -> None:
    result = run("verify", *options, MUL_FINAL)
    assert result.exit_code == 2


def test_export_vk_is_snarkjs_file_and_refuses_uncontributed_keys(tmp_path: Path) -> None:
    output = tmp_path / "vk.json"
    assert run("export-vk", MUL_FINAL, output).exit_code == 0
    assert output.read_bytes() == fixture("mul_vk.json").read_bytes()
    refused = run("export-vk", MUL_0, tmp_path / "unsafe.json")
    assert refused.exit_code == 2
    assert "anyone can forge proofs" in refused.stderr
    assert run("export-vk", MUL_0, tmp_path / "unsafe.json", "--allow-unsafe").exit_code == 0


def test_info_shows_hashes_and_beacon_parameters() -> None:
    result = run("info", MUL_FINAL)
    assert result.exit_code == 0
    assert "contribution #1 (alice) [contribution]:" in result.stdout
    assert "Beacon iterations Exp: 10" in result.stdout
    document = json.loads(run("info", MUL_FINAL, "--json").stdout)
    assert document["circuit_hash"] == read_zkey(MUL_FINAL).cs_hash.hex()
    assert [c["name"] for c in document["contributions"]] == ["alice", "final"]


def test_the_config_selects_the_scheme_and_backend(tmp_path: Path) -> None:
    missing = run("--set", "plugins.ceremony=nope", "verify", "--initial", MUL_0, MUL_FINAL)
    assert missing.exit_code == 2
    assert "nope" in missing.stderr
    assert "bgm17" in missing.stderr
    output = tmp_path / "k1.zkey"
    oracle = run("--set", "plugins.curve=py_ecc", "contribute", MUL_0, output, "--name", "o")
    assert oracle.exit_code == 0, oracle.output
    assert run("verify", "--previous", MUL_0, output).exit_code == 0


def test_an_unwritable_output_is_bad_input(tmp_path: Path) -> None:
    result = run("contribute", MUL_0, tmp_path / "no" / "such" / "dir.zkey", "--name", "x")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")


OBSERVER_PLUGIN = """
import json, os
from paraloom import hookimpl

@hookimpl
def paraloom_contribution_verified(index, contribution_hash, valid):
    with open(os.environ["OBSERVED_EVENTS"], "a") as log:
        log.write(json.dumps([index, contribution_hash.hex(), valid]) + "\\n")
"""


def test_verify_tells_observer_plugins_each_contribution_it_checked(
    tmp_path: Path, plugin_site: PluginSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin_site.install(
        "observer", "1.0", {"observer": "observer_mod"}, {"observer_mod": OBSERVER_PLUGIN}
    )
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv("OBSERVED_EVENTS", str(events))
    document = json.loads(run("verify", "--initial", MUL_0, MUL_FINAL, "--json").stdout)
    observed = [json.loads(line) for line in events.read_text().splitlines()]
    expected = [[c["number"], c["hash"], True] for c in document["contributions"]]
    assert observed == expected
