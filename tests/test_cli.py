"""The `paraloom` and `paraloom-ceremony` command lines, through click's CliRunner."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paraloom import __version__
from paraloom.cli.ceremony import ceremony_cli
from paraloom.cli.main import paraloom_cli
from paraloom.config import Config, load_config
from paraloom.testing import PluginSite

COMMAND_PLUGIN = '''
import click
from paraloom import hookimpl

@click.command("hello")
def hello():
    """Say hello from a plugin."""
    click.echo("hello from a plugin")

@hookimpl
def paraloom_register_commands(cli):
    cli.add_command(hello)
'''


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(paraloom_cli, list(args), env=env, catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_plugins_json_is_json_alone_and_lists_builtins() -> None:
    result = invoke("plugins", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    plugins = {plugin["name"]: plugin for plugin in document["plugins"]}
    assert plugins["hashlib_hashes"]["status"] == "active"
    assert plugins["hashlib_hashes"]["builtin"] is True
    assert {"kind": "hash", "name": "sha256"} in plugins["hashlib_hashes"]["components"]
    assert plugins["memory_transport"]["hooks"] == ["paraloom_transports"]
    assert plugins["proof_codecs"]["hooks"] == ["paraloom_proof_codecs"]
    assert {"kind": "codec", "name": "solana"} in plugins["proof_codecs"]["components"]


def test_plugins_table_shows_status_and_components() -> None:
    result = invoke("plugins")
    assert result.exit_code == 0
    assert "hashlib_hashes" in result.stdout
    assert "hash:sha256" in result.stdout


def test_components_marks_the_selected_one(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", '[plugins]\nhash = "blake2b"\n')
    result = invoke("--config", str(config), "components", "hash", "--json")
    document = json.loads(result.stdout)
    selected = {item["name"]: item["selected"] for item in document["components"]}
    assert selected == {"blake2b": True, "poseidon": False, "sha256": False}


def test_components_rejects_an_unknown_kind() -> None:
    result = invoke("components", "gadgets")
    assert result.exit_code == 2
    assert "gadgets" in result.stderr


def test_config_check_names_the_unknown_executor_and_the_available_ones(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", '[plugins]\nexecutor = "nope"\n')
    result = invoke("--config", str(config), "config", "check")
    assert result.exit_code == 2
    assert "executor 'nope' not found (available:" in result.stderr
    assert "Traceback" not in result.output


def test_config_check_reports_every_error_in_one_message(tmp_path: Path) -> None:
    config = write(
        tmp_path / "c.toml",
        '[plugins]\nexecutor = "nope"\nhash = "md4"\ncolour = 1\n'
        '[compute]\nreplication = 0\ndistribution_timeout = "5 minutes"\n',
    )
    result = invoke("--config", str(config), "config", "check")
    assert result.exit_code == 2
    for fragment in (
        "5 problems",
        "plugins.colour: unknown key",
        "compute.replication",
        "compute.distribution_timeout",
        "'nope'",
        "'md4'",
        str(config),
    ):
        assert fragment in result.stderr


def test_config_check_accepts_a_valid_file_and_shows_origins(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", '[plugins]\nhash = "sha256"\ntransport = "memory"\n')
    result = invoke("--config", str(config), "config", "check", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    resolved = {item["path"]: item["resolved"] for item in document["selections"]}
    assert resolved["plugins.hash"] == "sha256"
    assert resolved["plugins.transport"] == "memory"
    assert resolved["plugins.codec"] == "compact"
    assert "defaults not installed yet" in result.stderr
    assert "plugins.codec" not in result.stderr


def test_config_path_also_comes_from_the_environment(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", '[plugins]\nexecutor = "nope"\n')
    result = invoke("config", "check", env={"PARALOOM_CONFIG": str(config)})
    assert result.exit_code == 2
    assert "'nope'" in result.stderr


def test_set_overrides_the_file(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", '[plugins]\nexecutor = "nope"\n')
    result = invoke("--config", str(config), "--set", "plugins.hash=md4", "config", "check")
    assert "hash 'md4' not found" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--config", "/no/such/file.toml", "plugins"], "does not exist"),
        (["--set", "compute.replication=three", "components"], "compute.replication"),
        (["--set", "noequals", "components"], "expected KEY=VALUE"),
    ],
)
def test_user_errors_are_one_line_with_exit_2(args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_invalid_toml_is_a_user_error(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", "[plugins\n")
    result = invoke("--config", str(config), "config", "check")
    assert result.exit_code == 2
    assert "invalid TOML" in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(paraloom_cli, ["--debug", "--config", "/no/such.toml", "plugins"])
    assert result.exit_code != 0
    assert result.exception is not None
    assert "does not exist" in str(result.exception)


def test_version_lists_core_and_plugins() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"paraloom {__version__}\n")
    assert "hashlib_hashes: paraloom" in result.stdout


def test_init_writes_a_config_that_loads_back_to_the_defaults(tmp_path: Path) -> None:
    target = tmp_path / "paraloom.toml"
    result = invoke("init", str(target))
    assert result.exit_code == 0
    assert load_config(target) == Config()
    assert "# " in target.read_text()
    assert tomllib.loads(target.read_text())["compute"]["replication"] == 3


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = write(tmp_path / "paraloom.toml", "# mine\n")
    result = invoke("init", str(target))
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert target.read_text() == "# mine\n"
    assert invoke("init", "--force", str(target)).exit_code == 0
    assert load_config(target) == Config()


def test_plugins_can_add_commands(plugin_site: PluginSite) -> None:
    plugin_site.install(
        "paraloom-hello", "1.0", {"hello": "hello_mod"}, {"hello_mod": COMMAND_PLUGIN}
    )
    assert "hello" in invoke("--help").stdout
    result = invoke("hello")
    assert result.exit_code == 0
    assert result.stdout == "hello from a plugin\n"


def test_a_broken_plugin_is_listed_as_failed_and_the_rest_works(
    plugin_site: PluginSite, tmp_path: Path
) -> None:
    plugin_site.install(
        "paraloom-broken",
        "0.3.1",
        {"broken": "broken_mod"},
        {"broken_mod": "raise ImportError('needs libfoo.so')\n"},
    )
    listing = invoke("plugins", "--json")
    assert listing.exit_code == 0
    document = json.loads(listing.stdout)
    broken = next(plugin for plugin in document["plugins"] if plugin["name"] == "broken")
    assert broken["status"] == "failed"
    assert "needs libfoo.so" in broken["reason"]
    assert document["failed"] == 1
    components = invoke("components")
    assert components.exit_code == 0
    assert "sha256" in components.stdout
    assert "failed to load" in components.stderr
    strict = write(tmp_path / "strict.toml", '[plugins.loading]\non_error = "fail"\n')
    failing = invoke("--config", str(strict), "components")
    assert failing.exit_code == 2
    assert "broken (paraloom-broken 0.3.1)" in failing.stderr


def test_ceremony_cli_has_the_global_options() -> None:
    result = CliRunner().invoke(ceremony_cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout
    help_text = CliRunner().invoke(ceremony_cli, ["--help"]).stdout
    assert "--config" in help_text
