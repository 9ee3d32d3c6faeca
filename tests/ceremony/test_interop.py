"""Both directions with snarkjs 0.7 as the oracle: chains, contribution hashes, beacon bytes,
proofs made with the finished keys, and damaged keys failing in both tools."""

from __future__ import annotations

import io
import re
import subprocess
from itertools import pairwise
from pathlib import Path

import click
from click.testing import CliRunner
from npm_tools import SNARKJS, interop_marks

from paraloom.cli.ceremony import ceremony_cli
from paraloom.cli.main import paraloom_cli
from paraloom.formats.container import ContainerReader
from paraloom.formats.zkey import MAGIC

from .helpers import PTAU, fixture, flip, verified_positions

pytestmark = interop_marks("snarkjs")

R1CS, WTNS = fixture("mul.r1cs"), fixture("mul.wtns")
BEACON_HEX = "5eed" * 16
_HASH_TITLE = re.compile(r"contribution #(\d+)")


def snarkjs(*arguments: object, check: bool = True) -> subprocess.CompletedProcess[str]:
    assert SNARKJS is not None, "snarkjs is not on PATH"
    command = [SNARKJS, *map(str, arguments)]
    return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)


def paraloom(*arguments: object, cli: click.Command = ceremony_cli) -> str:
    result = CliRunner().invoke(cli, [str(argument) for argument in arguments])
    assert result.exit_code == 0, result.output
    return result.stdout


def printed_hashes(output: str) -> dict[int, str]:
    """Contribution number -> the hex of the 4-line block printed after its title."""
    lines = output.splitlines()
    hashes = {}
    for index, line in enumerate(lines):
        if match := _HASH_TITLE.search(line):
            block = lines[index + 1 : index + 5]
            hashes[int(match.group(1))] = "".join("".join(row.split()) for row in block)
    return hashes


def test_snarkjs_chains_verify_here_from_every_start(tmp_path: Path) -> None:
    keys = [tmp_path / f"k{index}.zkey" for index in range(4)]
    snarkjs("groth16", "setup", R1CS, PTAU, keys[0])
    snarkjs("zkey", "contribute", keys[0], keys[1], "--name=alice", "-e=one")
    snarkjs("zkey", "contribute", keys[1], keys[2], "--name=bob", "-e=two")
    snarkjs("zkey", "beacon", keys[2], keys[3], BEACON_HEX, "10", "-n=end")
    for previous, key in pairwise(keys):
        paraloom("verify", "--previous", previous, key)
    ours = paraloom("verify", "--r1cs", R1CS, "--ptau", PTAU, keys[3])
    paraloom("verify", "--initial", keys[0], "--ptau", PTAU, keys[3])
    theirs = snarkjs("zkey", "verify", R1CS, PTAU, keys[3]).stdout
    assert printed_hashes(ours) == printed_hashes(theirs)
    assert len(printed_hashes(ours)) == 3


def test_a_chain_through_bellman_verifies_in_both_tools(tmp_path: Path) -> None:
    """snarkjs -> bellman MPCParameters -> snarkjs, then paraloom and a snarkjs beacon on top."""
    r1cs = fixture("chain.r1cs")
    keys = [tmp_path / f"k{index}.zkey" for index in range(5)]
    exported, contributed = tmp_path / "alice.params", tmp_path / "carol.params"
    snarkjs("groth16", "setup", r1cs, PTAU, keys[0])
    snarkjs("zkey", "contribute", keys[0], keys[1], "--name=alice", "-e=one")
    snarkjs("zkey", "export", "bellman", keys[1], exported)
    snarkjs("zkey", "bellman", "contribute", "bn128", exported, contributed, "-e=two")
    snarkjs("zkey", "import", "bellman", keys[1], contributed, keys[2], "-n=carol")
    paraloom("contribute", keys[2], keys[3], "--name", "dave")
    snarkjs("zkey", "beacon", keys[3], keys[4], BEACON_HEX, "10", "-n=end")
    for previous, key in pairwise(keys):
        paraloom("verify", "--previous", previous, key)
    ours = paraloom("verify", "--r1cs", r1cs, "--ptau", PTAU, keys[4])
    paraloom("verify", "--initial", keys[0], "--ptau", PTAU, keys[4])
    theirs = snarkjs("zkey", "verify", r1cs, PTAU, keys[4]).stdout
    assert printed_hashes(ours) == printed_hashes(theirs)
    assert len(printed_hashes(ours)) == 4


def test_paraloom_steps_pass_snarkjs_and_the_key_proves_in_both(tmp_path: Path) -> None:
    keys = [tmp_path / f"k{index}.zkey" for index in range(4)]
    paraloom("new", R1CS, PTAU, keys[0])
    alice = paraloom("contribute", keys[0], keys[1], "--name", "alice")
    snarkjs("zkey", "contribute", keys[1], keys[2], "--name=bob", "-e=two")
    end = paraloom("beacon", keys[2], keys[3], "--hash", BEACON_HEX, "--iterations", 10)
    theirs = printed_hashes(snarkjs("zkey", "verify", R1CS, PTAU, keys[3]).stdout)
    assert theirs[1] in alice.splitlines()  # printed as a block and again as one hex line
    assert theirs[3] in end.splitlines()
    snarkjs("zkvi", keys[0], PTAU, keys[1])  # `zkey verify init`; the long form is refused

    vk_theirs, vk_ours = tmp_path / "vk_snarkjs.json", tmp_path / "vk.json"
    snarkjs("zkey", "export", "verificationkey", keys[3], vk_theirs)
    paraloom("export-vk", keys[3], vk_ours)
    assert vk_ours.read_bytes() == vk_theirs.read_bytes()

    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    snarkjs("groth16", "prove", keys[3], WTNS, proof, public)
    snarkjs("groth16", "verify", vk_ours, public, proof)
    paraloom("proof", "verify", vk_ours, public, proof, cli=paraloom_cli)
    paraloom("proof", "prove", keys[3], WTNS, proof, public, cli=paraloom_cli)
    snarkjs("groth16", "verify", vk_theirs, public, proof)


def test_the_beacon_is_snarkjs_byte_for_byte(tmp_path: Path) -> None:
    start, ours, theirs = tmp_path / "k1.zkey", tmp_path / "ours.zkey", tmp_path / "theirs.zkey"
    paraloom("contribute", fixture("mul_0.zkey"), start, "--name", "alice")
    paraloom("beacon", start, ours, "--hash", BEACON_HEX, "--iterations", 11, "--name", "drand")
    snarkjs("zkey", "beacon", start, theirs, BEACON_HEX, "11", "-n=drand")
    assert ours.read_bytes() == theirs.read_bytes()


def damage_positions(data: bytes) -> list[int]:
    """One verified byte in the middle of every section, and one in each contribution record."""
    container = ContainerReader(io.BytesIO(data), magic=MAGIC, versions={1})
    verified = set(verified_positions(data))
    middles = []
    for section_id in range(2, 11):
        section = container.section(section_id)
        middles.append(section.offset + section.size // 2)
    records = container.section(10).offset + 68
    return sorted({*middles, records + 100, records + 399 + 300} & verified)


def test_damage_fails_in_both_tools(tmp_path: Path) -> None:
    final = fixture("mul_final.zkey")
    data = final.read_bytes()
    for position in damage_positions(data):
        damaged = tmp_path / f"damaged_{position}.zkey"
        damaged.write_bytes(flip(data, position, 0x10))
        assert snarkjs("zkey", "verify", R1CS, PTAU, damaged, check=False).returncode != 0
        result = CliRunner().invoke(
            ceremony_cli, ["verify", "--r1cs", str(R1CS), "--ptau", str(PTAU), str(damaged)]
        )
        assert result.exit_code in (1, 2), (position, result.output)
