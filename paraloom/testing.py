"""pytest fixtures for plugin authors (and paraloom's own tests).

Enable them with ``pytest_plugins = ["paraloom.testing"]`` in a ``conftest.py``:

- ``plugin_manager``: a fresh manager with paraloom's built-ins only, nothing else installed;
- ``register_plugin``: registers a plugin object on it for one test and unregisters it after;
- ``plugin_site``: installs throwaway distributions (real ``.dist-info`` metadata with entry
  points) into a temporary ``sys.path`` entry, to test the entry-point path without pip.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from paraloom.config import LoadingSettings
from paraloom.hookspecs import ENTRY_POINT_GROUP
from paraloom.manager import (
    CORE_DISTRIBUTION,
    ParaloomPluginManager,
    PluginRecord,
    build_plugin_manager,
    normalize_name,
)
from paraloom.registry import Registry


def builtin_entry_points() -> list[metadata.EntryPoint]:
    """The entry points of the core distribution only."""
    return [
        entry_point
        for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP)
        if entry_point.dist is not None
        and normalize_name(entry_point.dist.name) == CORE_DISTRIBUTION
    ]


def fresh_manager(loading: LoadingSettings | None = None) -> ParaloomPluginManager:
    """A manager with the built-ins loaded and no third-party plugin."""
    return build_plugin_manager(loading, entry_points=builtin_entry_points())


@pytest.fixture
def plugin_manager() -> ParaloomPluginManager:
    """A fresh manager with paraloom's built-in plugins only."""
    return fresh_manager()


@pytest.fixture
def registry(plugin_manager: ParaloomPluginManager) -> Registry:
    """The registry over ``plugin_manager``."""
    return Registry(plugin_manager)


@pytest.fixture
def register_plugin(
    plugin_manager: ParaloomPluginManager,
) -> Iterator[Callable[[object, str], PluginRecord]]:
    """Register plugin objects on ``plugin_manager`` for the duration of one test."""
    registered: list[object] = []

    def register(plugin: object, name: str) -> PluginRecord:
        record = plugin_manager.register_plugin(plugin, name)
        if record.status == "active":
            registered.append(plugin)
        return record

    yield register
    for plugin in registered:
        if plugin_manager.is_registered(plugin):
            plugin_manager.unregister(plugin)


@dataclass
class PluginSite:
    """A directory on sys.path into which tests install small distributions."""

    root: Path

    def install(
        self,
        distribution: str,
        version: str,
        entry_points: dict[str, str],
        modules: dict[str, str],
    ) -> None:
        """Write modules and a ``.dist-info`` with entry points, as an installer would."""
        for module, source in modules.items():
            (self.root / f"{module}.py").write_text(source)
        info = self.root / f"{distribution.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
        )
        lines = [f"[{ENTRY_POINT_GROUP}]"]
        lines += [f"{name} = {target}" for name, target in entry_points.items()]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
        importlib.invalidate_caches()

    def entry_points(self) -> list[metadata.EntryPoint]:
        """Entry points of the built-ins plus those installed in this site."""
        site_dists = metadata.distributions(path=[str(self.root)])
        local = [
            entry_point
            for dist in site_dists
            for entry_point in dist.entry_points
            if entry_point.group == ENTRY_POINT_GROUP
        ]
        return builtin_entry_points() + local


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PluginSite]:
    """A temporary site directory on sys.path; modules imported from it are forgotten after."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    before = set(sys.modules)
    yield PluginSite(root)
    for name in set(sys.modules) - before:
        module_file = getattr(sys.modules[name], "__file__", None) or ""
        if module_file.startswith(str(root)):
            del sys.modules[name]
