"""What one CLI invocation loads, loaded once and only when a command needs it."""

from __future__ import annotations

import dataclasses
import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from paraloom.config import (
    Config,
    ConfigProblem,
    Selection,
    collect_config,
    load_config,
    parse_assignments,
)
from paraloom.errors import ConfigError
from paraloom.manager import ParaloomPluginManager, build_plugin_manager, describe_error
from paraloom.registry import Registry

LOGGER = logging.getLogger("paraloom.cli")


@dataclass
class Session:
    """The global options of an invocation, and the config and plugins they lead to."""

    config_path: Path | None = None
    assignments: tuple[str, ...] = ()
    debug: bool = False

    @functools.cached_property
    def overrides(self) -> dict[str, str]:
        return parse_assignments(self.assignments)

    @functools.cached_property
    def config(self) -> Config:
        return load_config(self.config_path, overrides=self.overrides)

    def collect_config(self) -> tuple[Config, list[ConfigProblem]]:
        """The config with every problem listed instead of raised (for `config check`)."""
        return collect_config(self.config_path, overrides=self.overrides)

    @functools.cached_property
    def manager(self) -> ParaloomPluginManager:
        manager = build_plugin_manager(self.config.plugins.loading)
        manager.hook.paraloom_configure.call_historic(kwargs={"config": self.config})
        return manager

    @functools.cached_property
    def registry(self) -> Registry:
        return Registry(self.manager)

    def component(self, kind: str) -> Any:
        """The component that the config selects for ``kind``, built with its options."""
        selection: Selection = getattr(self.config.plugins, kind)
        return self.registry.build(selection, f"plugins.{kind}")

    def registry_for_listing(self) -> Registry:
        """Plugins loaded with failures recorded, never raised, so they can be listed."""
        loading = dataclasses.replace(self.config.plugins.loading, on_error="warn")
        return Registry(build_plugin_manager(loading))

    @staticmethod
    def registry_for(config: Config) -> Registry:
        """Plugins loaded by the policy of a config other than the session's own."""
        return Registry(build_plugin_manager(config.plugins.loading))

    def plugin_commands(self, reserved: set[str]) -> dict[str, click.Command]:
        """Commands that plugins add; a plugin that breaks here loses its commands only."""
        try:
            manager = self.manager
        except ConfigError:
            return {}
        commands: dict[str, click.Command] = {}
        for impl in manager.hook.paraloom_register_commands.get_hookimpls():
            collector = click.Group()
            try:
                impl.function(cli=collector)
            except Exception as error:  # noqa: BLE001 - isolate the plugin
                LOGGER.warning(
                    "plugin %s failed to register commands: %s",
                    impl.plugin_name,
                    describe_error(error),
                )
                continue
            for name, command in collector.commands.items():
                if name in reserved or name in commands:
                    LOGGER.warning(
                        "plugin %s: command %r is already taken; ignored", impl.plugin_name, name
                    )
                    continue
                commands[name] = command
        return commands


def session_of(context: click.Context) -> Session:
    """The session of the invocation; built from defaults when the group callback has not run
    (top-level ``--help`` is handled before it)."""
    session = context.find_object(Session)
    if session is not None:
        return session
    root = context.find_root()
    session = Session(
        config_path=root.params.get("config_path"),
        assignments=root.params.get("assignments") or (),
    )
    root.obj = session
    return session
