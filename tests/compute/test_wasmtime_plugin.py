"""The `wasmtime` executor as a built-in plugin: listed, built from options, loaded lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from paraloom.cli.main import paraloom_cli
from paraloom.components import Executor
from paraloom.compute.execution import executor_options
from paraloom.compute.wasmtime_executor import WasmtimeExecutor
from paraloom.config import Selection
from paraloom.errors import ConfigError
from paraloom.registry import Registry


def test_the_core_distribution_provides_the_wasmtime_executor(registry: Registry) -> None:
    provided = registry.get("executor", "wasmtime")
    assert (provided.plugin, provided.distribution) == ("wasmtime_executor", "paraloom")
    keys = [option.key for option in provided.spec.options]
    assert keys == [option.key for option in executor_options()] + ["disk_cache"]


def test_the_executor_is_built_with_the_selected_limits(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARALOOM_CACHE_DIR", str(tmp_path))
    options = {"fuel": 1234, "memory_limit": "1MiB", "timeout": "2s", "concurrent_jobs": 2}
    executor = registry.build(Selection("executor", "wasmtime", options), "plugins.executor")
    try:
        assert isinstance(executor, Executor)
        assert isinstance(executor, WasmtimeExecutor)
        assert (executor.limits.fuel, executor.limits.memory_limit) == (1234, 2**20)
        assert executor.limits.timeout == 2.0
        assert executor.modules.directory == tmp_path / "jobs"
    finally:
        executor.close()


def test_the_disk_cache_can_be_switched_off(registry: Registry) -> None:
    selection = Selection("executor", "wasmtime", {"disk_cache": False})
    with registry.build(selection, "plugins.executor") as executor:
        assert executor.modules.directory is None


def test_an_unknown_executor_option_names_its_path(registry: Registry) -> None:
    with pytest.raises(ConfigError, match=r"plugins\.executor\.stack"):
        registry.resolve(Selection("executor", "wasmtime", {"stack": 1}), "plugins.executor")


def test_loading_the_plugin_does_not_import_wasmtime() -> None:
    script = (
        "import sys, paraloom.plugins.wasmtime_executor as plugin\n"
        "list(plugin.paraloom_executors())\n"
        "print('wasmtime' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    )
    assert completed.stdout.strip() == "False"


def test_the_components_listing_shows_the_executor() -> None:
    result = CliRunner().invoke(paraloom_cli, ["components", "executor", "--json"])
    assert result.exit_code == 0, result.stderr
    assert '"wasmtime"' in result.stdout
