"""`paraloom hash`: results alone on stdout, names through the registry, one-line errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paraloom.cli.main import paraloom_cli
from paraloom.crypto.poseidon import poseidon_digest
from paraloom.testing import PluginSite

POSEIDON_1_2 = "7853200120776062878684798364095072458815029376092732009249414926327459813530"

HASH_PLUGIN = """
import hashlib
from paraloom import hookimpl
from paraloom.components import HashFunctionSpec
from paraloom.crypto.hashes import HashlibHash

class Reversed(HashlibHash):
    def digest(self, data):
        return hashlib.sha256(data[::-1]).digest()

@hookimpl
def paraloom_hash_functions():
    yield HashFunctionSpec(
        name="reversed-sha256", summary="SHA-256 of the reversed bytes",
        factory=lambda options: Reversed("sha256", 32), digest_size=32,
    )
"""


def invoke(*args: str) -> Result:
    return CliRunner().invoke(paraloom_cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("arguments", [["1", "2"], ["0x1", "0x02"], ["1", "0X2"]])
def test_poseidon_prints_the_decimal_result_alone(arguments: list[str]) -> None:
    result = invoke("hash", "poseidon", *arguments)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == POSEIDON_1_2 + "\n"


def test_byte_hash_prints_the_hex_digest_of_the_text() -> None:
    result = invoke("hash", "sha256", "héllo wörld")
    assert result.stdout == hashlib.sha256("héllo wörld".encode()).hexdigest() + "\n"


@pytest.mark.parametrize("name", ["sha256", "blake2b", "poseidon"])
def test_file_option_hashes_the_bytes_in_hex(tmp_path: Path, name: str) -> None:
    data = bytes(range(256)) * 3
    (tmp_path / "f.bin").write_bytes(data)
    result = invoke("hash", name, "--file", str(tmp_path / "f.bin"))
    expected = poseidon_digest(data) if name == "poseidon" else hashlib.new(name, data).digest()
    assert result.stdout == expected.hex() + "\n"


def test_a_plugins_hash_is_found_by_name(plugin_site: PluginSite) -> None:
    plugin_site.install(
        "paraloom-reversed", "1.0", {"reversed": "reversed_mod"}, {"reversed_mod": HASH_PLUGIN}
    )
    result = invoke("hash", "reversed-sha256", "abc")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == hashlib.sha256(b"cba").hexdigest() + "\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["poseidon", "abc"], "'abc' is not a decimal or 0x-hexadecimal integer"),
        (["poseidon", "--", "-1"], "is -1, not in [0, r)"),
        (["poseidon", str(2**254)], "not in [0, r)"),
        (["poseidon"], "1 to 16 inputs, got 0"),
        (["poseidon", *["1"] * 17], "1 to 16 inputs, got 17"),
        (["md4", "x"], "hash 'md4' not found (available: blake2b, poseidon, sha256"),
        (["sha256"], "give one TEXT"),
        (["sha256", "a", "b"], "give one TEXT"),
        (["sha256", "--file", "pyproject.toml", "x"], "either --file or values"),
    ],
)
def test_errors_are_one_line_with_exit_2(arguments: list[str], message: str) -> None:
    result = invoke("hash", *arguments)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_default_hash_selection_is_installed() -> None:
    result = invoke("config", "check")
    assert "plugins.hash" not in result.stderr
