"""`paraloom proof convert`, invoked as a standalone click command and inside a group."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from codec_helpers import CODECS, FORMAT_DATA, without_alphabeta

from paraloom.cli.app import ParaloomGroup
from paraloom.cli.proof_convert import convert_command
from paraloom.errors import ComponentNotFoundError, FormatError, ParaloomError
from paraloom.testing import PluginSite

HEX_CODEC_PLUGIN = '''
from paraloom import hookimpl
from paraloom.codecs.compact import CompactCodec
from paraloom.components import ProofCodecSpec
from paraloom.errors import FormatError


class HexCodec:
    """The compact layout written as hexadecimal text."""

    format_id = "hex-of-compact"

    def __init__(self):
        self.inner = CompactCodec()

    def _bytes(self, data):
        try:
            return bytes.fromhex(data.decode("ascii"))
        except (UnicodeDecodeError, ValueError) as error:
            raise FormatError(f"hex: {error}") from None

    def encode_proof(self, proof):
        return self.inner.encode_proof(proof).hex().encode()

    def decode_proof(self, data):
        return self.inner.decode_proof(self._bytes(data))

    def encode_verification_key(self, key):
        return self.inner.encode_verification_key(key).hex().encode()

    def decode_verification_key(self, data):
        return self.inner.decode_verification_key(self._bytes(data))

    def encode_public(self, values):
        return self.inner.encode_public(values).hex().encode()

    def decode_public(self, data):
        return self.inner.decode_public(self._bytes(data))


@hookimpl
def paraloom_proof_codecs():
    yield ProofCodecSpec(
        name=NAME, summary="hex text", factory=lambda options: FACTORY(), format_id="hex"
    )
'''


def install_codec(site: PluginSite, name: str, factory: str) -> None:
    module = f"codec_{name.replace('-', '_')}"
    source = HEX_CODEC_PLUGIN.replace("NAME", repr(name)).replace("FACTORY", factory)
    site.install(f"paraloom-{name}", "1.0", {name: module}, {module: source})


def convert(*args: str | Path) -> Result:
    return CliRunner().invoke(convert_command, [str(arg) for arg in args])


def proof_group() -> click.Group:
    """A group like the application's `proof`, which turns paraloom errors into one line."""
    group = ParaloomGroup(name="proof")
    group.add_command(convert_command)
    return group


@pytest.mark.parametrize("target", sorted(CODECS))
def test_converts_the_fixture_proof(tmp_path: Path, target: str) -> None:
    out = tmp_path / "proof.out"
    result = convert("--to", target, FORMAT_DATA / "mul_proof.json", out)
    assert result.exit_code == 0, result.output
    assert "snarkjs-json -> " + target in result.stdout
    proof = CODECS["snarkjs-json"].decode_proof((FORMAT_DATA / "mul_proof.json").read_bytes())
    assert out.read_bytes() == CODECS[target].encode_proof(proof)


@pytest.mark.parametrize(("kind", "suffix"), [("vk", "vk"), ("public", "public")])
def test_converts_keys_and_public_inputs_both_ways(tmp_path: Path, kind: str, suffix: str) -> None:
    original = FORMAT_DATA / f"chain_{suffix}.json"
    binary, back = tmp_path / "out.bin", tmp_path / "back.json"
    assert convert("--kind", kind, "--to", "solana", original, binary).exit_code == 0
    result = convert("--kind", kind, "--from", "solana", "--to", "snarkjs-json", binary, back)
    assert result.exit_code == 0, result.output
    json_codec = CODECS["snarkjs-json"]
    if kind == "vk":
        expected = without_alphabeta(json_codec.decode_verification_key(original.read_bytes()))
        assert json_codec.decode_verification_key(back.read_bytes()) == expected
    else:
        assert back.read_bytes() == original.read_bytes()


def test_detects_the_source_codec(tmp_path: Path) -> None:
    compact, solana = tmp_path / "p.compact", tmp_path / "p.solana"
    assert convert("--to", "compact", FORMAT_DATA / "mul_proof.json", compact).exit_code == 0
    result = convert("--to", "solana", compact, solana)
    assert result.exit_code == 0, result.output
    assert "compact -> solana" in result.stdout


def test_unreadable_input_lists_every_codecs_reason(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"\x01" * 100)
    result = convert("--to", "compact", garbage, tmp_path / "out")
    assert isinstance(result.exception, FormatError)
    message = str(result.exception)
    assert message.startswith(f"{garbage}: not a proof in any installed codec (")
    for name in CODECS:
        assert f"{name}: " in message
    assert not (tmp_path / "out").exists()


def test_a_named_source_codec_reports_what_is_wrong(tmp_path: Path) -> None:
    solana = tmp_path / "p.solana"
    assert convert("--to", "solana", FORMAT_DATA / "mul_proof.json", solana).exit_code == 0
    solana.write_bytes(solana.read_bytes()[:-1])
    result = convert("--from", "solana", "--to", "compact", solana, tmp_path / "out")
    assert isinstance(result.exception, FormatError)
    assert str(result.exception) == f"{solana}: solana proof: C: truncated: needs 64 bytes, 63 left"


def test_an_unknown_codec_names_the_installed_ones(tmp_path: Path) -> None:
    result = convert("--to", "nope", FORMAT_DATA / "mul_proof.json", tmp_path / "out")
    assert isinstance(result.exception, ComponentNotFoundError)
    assert "--to: codec 'nope' not found (available: compact, snarkjs-json, solana" in str(
        result.exception
    )


def test_in_the_application_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_bytes(b"previous")
    args = ["convert", "--from", "compact", "--to", "solana", FORMAT_DATA / "mul_proof.json", out]
    result = CliRunner().invoke(proof_group(), [str(arg) for arg in args])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "mul_proof.json: compact proof: A: x: " in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == b"previous"


def test_an_unwritable_output_is_a_paraloom_error(tmp_path: Path) -> None:
    result = convert("--to", "compact", FORMAT_DATA / "mul_proof.json", tmp_path / "no" / "out")
    assert isinstance(result.exception, ParaloomError)
    assert "cannot write" in str(result.exception)


def test_a_third_party_codec_is_used_and_detected(plugin_site: PluginSite, tmp_path: Path) -> None:
    install_codec(plugin_site, "hex", "HexCodec")
    text, back = tmp_path / "p.hex", tmp_path / "p.json"
    assert convert("--to", "hex", FORMAT_DATA / "mul_proof.json", text).exit_code == 0
    compact = CODECS["compact"].encode_proof(
        CODECS["snarkjs-json"].decode_proof((FORMAT_DATA / "mul_proof.json").read_bytes())
    )
    assert text.read_bytes() == compact.hex().encode()
    result = convert("--to", "snarkjs-json", text, back)
    assert result.exit_code == 0, result.output
    assert "hex -> snarkjs-json" in result.stdout
    assert back.read_bytes() == (FORMAT_DATA / "mul_proof.json").read_bytes()


def test_two_codecs_reading_the_same_bytes_must_be_told_apart(
    plugin_site: PluginSite, tmp_path: Path
) -> None:
    install_codec(plugin_site, "compact-twin", "CompactCodec")
    compact = tmp_path / "p.compact"
    assert convert("--to", "compact", FORMAT_DATA / "mul_proof.json", compact).exit_code == 0
    result = convert("--to", "solana", compact, tmp_path / "out")
    assert isinstance(result.exception, FormatError)
    assert "in several codecs (compact, compact-twin); name the source codec" in str(
        result.exception
    )
    explicit = convert("--from", "compact", "--to", "solana", compact, tmp_path / "out")
    assert explicit.exit_code == 0
