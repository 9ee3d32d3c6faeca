"""The third-party path for real: distributions installed by pip, the `paraloom` script run as a
process. The `plugins` tox env installs plugins/paraloom-example-executor and the broken test
distribution; elsewhere these tests skip (unless PARALOOM_REQUIRE_EXTERNAL=1, which makes a
missing installation a failure instead of a skip)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import metadata
from importlib.resources import files
from pathlib import Path

import pytest

pytestmark = pytest.mark.external_plugins

REQUIRED = os.environ.get("PARALOOM_REQUIRE_EXTERNAL") == "1"


def require_distribution(name: str) -> None:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        if REQUIRED:
            pytest.fail(f"{name} is not installed but PARALOOM_REQUIRE_EXTERNAL=1")
        pytest.skip(f"{name} is not installed (run `tox -e plugins`)")


def paraloom(*args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("paraloom")
    assert executable, "the paraloom console script is not on PATH"
    command = [executable, *(["--config", str(config)] if config else []), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def example_installed() -> None:
    require_distribution("paraloom-example-executor")


@pytest.fixture
def broken_installed() -> None:
    require_distribution("paraloom-broken-plugin")


@pytest.mark.usefixtures("example_installed")
def test_third_party_executor_is_listed() -> None:
    result = paraloom("plugins", "--json")
    assert result.returncode == 0, result.stderr
    plugins = {plugin["name"]: plugin for plugin in json.loads(result.stdout)["plugins"]}
    example = plugins["paraloom-example-executor"]
    assert example["status"] == "active"
    assert example["builtin"] is False
    assert example["version"] == "0.1.0"
    assert {"kind": "executor", "name": "example"} in example["components"]


@pytest.mark.usefixtures("example_installed")
def test_third_party_executor_is_selectable_and_runs_a_job(tmp_path: Path) -> None:
    config = tmp_path / "node.toml"
    config.write_text('[plugins]\nexecutor = { name = "example", fuel = 100000 }\n')
    check = paraloom("config", "check", "--json", config=config)
    assert check.returncode == 0, check.stderr
    selections = {item["path"]: item for item in json.loads(check.stdout)["selections"]}
    assert selections["plugins.executor"]["resolved"] == "example"
    assert selections["plugins.executor"]["options"]["fuel"] == 100000
    listing = paraloom("components", "executor", "--json", config=config)
    components = {item["name"]: item for item in json.loads(listing.stdout)["components"]}
    assert components["example"]["selected"] is True
    assert components["wasmtime"]["selected"] is False
    demo = paraloom("demo", config=config)
    assert demo.returncode == 0, demo.stderr
    assert "b'omed moolarap'" in demo.stdout


@pytest.mark.usefixtures("example_installed")
def test_example_executor_enforces_its_fuel_budget() -> None:
    from paraloom.config import Selection
    from paraloom.errors import ExecutionError
    from paraloom.manager import build_plugin_manager
    from paraloom.registry import Registry

    registry = Registry(build_plugin_manager())
    wasm = files("paraloom").joinpath("data/guests/reverse.wasm").read_bytes()
    generous = registry.build(Selection("executor", "example"), "test")
    assert generous.execute(wasm, b"abc").output == b"cba"
    starved = registry.build(Selection("executor", "example", {"fuel": 10}), "test")
    with pytest.raises(ExecutionError, match="fuel"):
        starved.execute(wasm, b"abc" * 100)


@pytest.mark.usefixtures("example_installed")
def test_disabling_the_third_party_executor(tmp_path: Path) -> None:
    config = tmp_path / "node.toml"
    config.write_text(
        '[plugins]\nexecutor = "example"\n'
        '[plugins.loading]\ndisable = ["paraloom-example-executor"]\n'
    )
    listing = paraloom("plugins", "--json", config=config)
    plugins = {plugin["name"]: plugin for plugin in json.loads(listing.stdout)["plugins"]}
    assert plugins["paraloom-example-executor"]["status"] == "disabled"
    check = paraloom("config", "check", config=config)
    assert check.returncode == 2
    assert "executor 'example' not found" in check.stderr


@pytest.mark.usefixtures("broken_installed")
def test_broken_distribution_is_reported_and_isolated(tmp_path: Path) -> None:
    listing = paraloom("plugins", "--json")
    assert listing.returncode == 0, listing.stderr
    document = json.loads(listing.stdout)
    broken = next(p for p in document["plugins"] if p["name"] == "paraloom-broken-plugin")
    assert broken["status"] == "failed"
    assert "libbroken.so" in broken["reason"]
    assert broken["version"] == "0.0.1"
    components = paraloom("components")
    assert components.returncode == 0
    assert "sha256" in components.stdout
    strict = tmp_path / "strict.toml"
    strict.write_text('[plugins.loading]\non_error = "fail"\n')
    failing = paraloom("components", config=strict)
    assert failing.returncode == 2
    assert "paraloom-broken-plugin (paraloom-broken-plugin 0.0.1)" in failing.stderr
    assert "Traceback" not in failing.stderr
