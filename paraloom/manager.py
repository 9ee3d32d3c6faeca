"""Building the plugin manager: entry points loaded one by one, each failure isolated.

pluggy's own ``load_setuptools_entrypoints`` stops at the first plugin that raises, so one broken
distribution would take the whole host down. Here every entry point is imported and registered
in its own try block; a failure is recorded with its distribution, version and error, and the
rest load. ``on_error = "fail"`` turns recorded failures into a startup error.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Literal

import pluggy

from paraloom import hookspecs
from paraloom.components import COMPONENT_KINDS, ComponentSpec
from paraloom.config import LoadingSettings
from paraloom.errors import PluginLoadError

LOGGER = logging.getLogger("paraloom.plugins")

CORE_DISTRIBUTION = "paraloom"
TRACE_ENV = "PARALOOM_TRACE_PLUGINS"

PluginStatus = Literal["active", "disabled", "failed"]


@dataclass(frozen=True)
class PluginRecord:
    """What the host knows about one plugin, whatever became of it."""

    name: str
    distribution: str
    version: str
    status: PluginStatus
    builtin: bool
    reason: str = ""
    hooks: tuple[str, ...] = ()
    entry_point: str = ""


@dataclass(frozen=True)
class ProvidedComponent:
    """A component spec together with the plugin that provided it."""

    spec: ComponentSpec[Any]
    plugin: str
    distribution: str
    version: str

    @property
    def kind(self) -> str:
        return self.spec.KIND

    @property
    def label(self) -> str:
        """The plugin and the distribution with its version: "memory_transport (paraloom 0.1)"."""
        if not self.distribution:
            return self.plugin
        return f"{self.plugin} ({self.distribution} {self.version})"

    @property
    def provider(self) -> str:
        """How error messages name the provider."""
        return f"plugin {self.label}"


class ParaloomPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers every plugin it was offered and what happened to it."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self.records: list[PluginRecord] = []
        self.components: list[ProvidedComponent] = []
        self.tracing = False
        self.add_hookspecs(hookspecs)

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        """Only ``paraloom_*`` attributes are hooks, so helper functions are never mistaken."""
        if not name.startswith("paraloom_"):
            return None
        return super().parse_hookimpl_opts(plugin, name)

    @property
    def failures(self) -> list[PluginRecord]:
        return [record for record in self.records if record.status == "failed"]

    def record_for(self, plugin: object) -> PluginRecord | None:
        name = self.get_name(plugin)
        return next((record for record in self.records if record.name == name), None)

    def hook_names(self, plugin: object) -> tuple[str, ...]:
        callers = self.get_hookcallers(plugin) or []
        return tuple(sorted(caller.name for caller in callers))

    def register_plugin(
        self, plugin: object, name: str, distribution: str = "", version: str = ""
    ) -> PluginRecord:
        """Register one plugin object, recording a failure instead of raising.

        The registration is undone when the plugin implements a hook that does not exist, so a
        plugin is either fully active or not present at all.
        """
        builtin = normalize_name(distribution) == CORE_DISTRIBUTION
        try:
            self._register_checked(plugin, name)
            provided = self._collect_components(plugin, name, distribution, version)
        except Exception as error:  # noqa: BLE001 - any plugin bug must be isolated
            if self.is_registered(plugin):
                self.unregister(plugin)
            return self.record(
                PluginRecord(name, distribution, version, "failed", builtin, describe_error(error))
            )
        self.components.extend(provided)
        return self.record(
            PluginRecord(
                name, distribution, version, "active", builtin, hooks=self.hook_names(plugin)
            )
        )

    def _register_checked(self, plugin: object, name: str) -> None:
        holder = self.get_plugin(name)
        if holder is not None:
            owner = self.record_for(holder)
            where = f" by {owner.distribution} {owner.version}" if owner else ""
            raise ValueError(f"plugin name {name!r} is already taken{where}")
        self.register(plugin, name=name)
        try:
            self.check_pending()
        except pluggy.PluginValidationError:
            self.unregister(plugin)
            raise

    def notify(self, event: str, **kwargs: Any) -> None:
        """Call an observe-only event hook on every plugin; a plugin that raises is logged.

        Events must never stop the node: a metrics plugin with a bug cannot interrupt a
        verification or a shutdown.
        """
        caller = getattr(self.hook, event)
        for impl in reversed(caller.get_hookimpls()):
            arguments = {name: kwargs[name] for name in impl.argnames}
            try:
                impl.function(**arguments)
            except Exception as error:  # noqa: BLE001 - observers are isolated by design
                LOGGER.warning(
                    "plugin %s raised in %s: %s", impl.plugin_name, event, describe_error(error)
                )

    def _collect_components(
        self, plugin: object, name: str, distribution: str, version: str
    ) -> list[ProvidedComponent]:
        """Call the plugin's component hooks once; any bad result fails the whole plugin."""
        provided: list[ProvidedComponent] = []
        for _, hook_name, spec_type in COMPONENT_KINDS:
            caller = getattr(self.hook, hook_name)
            for impl in caller.get_hookimpls():
                if impl.plugin is not plugin:
                    continue
                trace(self, f"{hook_name}() on plugin {name}")
                for spec in _as_specs(impl.function(), hook_name, spec_type):
                    provided.append(ProvidedComponent(spec, name, distribution, version))
        return provided

    def record(self, record: PluginRecord) -> PluginRecord:
        """Remember what became of a plugin; failures are also logged as warnings."""
        self.records.append(record)
        if record.status == "failed":
            LOGGER.warning(
                "plugin %s (%s %s) failed to load: %s",
                record.name,
                record.distribution or "?",
                record.version or "?",
                record.reason,
            )
        return record


def _as_specs(
    result: object, hook_name: str, spec_type: type[ComponentSpec[Any]]
) -> list[ComponentSpec[Any]]:
    if result is None or isinstance(result, str | bytes) or not isinstance(result, Iterable):
        raise TypeError(f"{hook_name} returned {type(result).__name__}, expected an iterable")
    specs = list(result)
    for spec in specs:
        if not isinstance(spec, spec_type):
            raise TypeError(
                f"{hook_name} returned a {type(spec).__name__}, expected {spec_type.__name__}"
            )
    return specs


def normalize_name(name: str) -> str:
    """PEP 503 normalisation, so "Paraloom_Example" and "paraloom-example" match."""
    return re.sub(r"[-_.]+", "-", name).lower()


def describe_error(error: BaseException) -> str:
    """One line that says what went wrong, without a traceback."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


@dataclass(frozen=True)
class _Candidate:
    entry_point: metadata.EntryPoint
    distribution: str
    version: str

    @property
    def builtin(self) -> bool:
        return normalize_name(self.distribution) == CORE_DISTRIBUTION


def _candidates(entry_points: Iterable[metadata.EntryPoint]) -> Iterator[_Candidate]:
    """Entry points of our group, each once (a distribution on sys.path twice lists it twice)."""
    seen: set[tuple[str, str, str]] = set()
    for entry_point in entry_points:
        dist = entry_point.dist
        distribution = dist.name if dist is not None else ""
        version = dist.version if dist is not None else ""
        key = (normalize_name(distribution), entry_point.name, entry_point.value)
        if key not in seen:
            seen.add(key)
            yield _Candidate(entry_point, distribution, version)


def _exclusion(candidate: _Candidate, loading: LoadingSettings) -> str | None:
    """Why a plugin is not loaded, or None to load it."""
    names = {normalize_name(candidate.entry_point.name), normalize_name(candidate.distribution)}
    if names & {normalize_name(item) for item in loading.disable}:
        return "disabled in plugins.loading.disable"
    if candidate.builtin or loading.autoload:
        return None
    if names & {normalize_name(item) for item in loading.load}:
        return None
    return "not in plugins.loading.load (autoload is false)"


def build_plugin_manager(
    loading: LoadingSettings | None = None,
    entry_points: Iterable[metadata.EntryPoint] | None = None,
    extra_plugins: Mapping[str, object] | None = None,
) -> ParaloomPluginManager:
    """Create a manager and load plugins by the loading policy.

    :param loading: which plugins load (default: every installed plugin, warn on failures).
    :param entry_points: the entry points to consider; default: those installed in the
        ``paraloom.plugins`` group. Tests pass their own.
    :param extra_plugins: objects to register directly by name (tests, embedding).
    :raises PluginLoadError: when ``on_error = "fail"`` and any plugin failed.
    """
    loading = loading or LoadingSettings()
    manager = ParaloomPluginManager()
    if os.environ.get(TRACE_ENV, "") not in ("", "0"):
        enable_tracing(manager)
    if entry_points is None:
        entry_points = metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP)
    for candidate in _candidates(entry_points):
        _load_candidate(manager, candidate, loading)
    for name, plugin in (extra_plugins or {}).items():
        manager.register_plugin(plugin, name)
    if loading.on_error == "fail" and manager.failures:
        raise PluginLoadError(failure_summary(manager.failures, 'on_error = "fail"'))
    return manager


def _load_candidate(
    manager: ParaloomPluginManager, candidate: _Candidate, loading: LoadingSettings
) -> None:
    entry_point = candidate.entry_point
    reason = _exclusion(candidate, loading)
    if reason is not None:
        manager.record(
            PluginRecord(
                entry_point.name,
                candidate.distribution,
                candidate.version,
                "disabled",
                candidate.builtin,
                reason,
                entry_point=entry_point.value,
            )
        )
        return
    try:
        plugin = entry_point.load()
    except BaseException as error:  # a plugin may even call sys.exit on import
        if isinstance(error, KeyboardInterrupt):
            raise
        manager.record(
            PluginRecord(
                entry_point.name,
                candidate.distribution,
                candidate.version,
                "failed",
                candidate.builtin,
                describe_error(error),
                entry_point=entry_point.value,
            )
        )
        return
    manager.register_plugin(plugin, entry_point.name, candidate.distribution, candidate.version)


def failure_summary(failures: Sequence[PluginRecord], why: str) -> str:
    """One message naming each failed plugin, its distribution, version and error."""
    parts = [
        f"{record.name} ({record.distribution or '?'} {record.version or '?'}): {record.reason}"
        for record in failures
    ]
    noun = "plugin" if len(parts) == 1 else "plugins"
    return f"{len(parts)} {noun} failed to load ({why}): " + "; ".join(parts)


def trace(manager: ParaloomPluginManager, message: str) -> None:
    """Write one trace line to stderr when tracing is on."""
    if manager.tracing:
        print(f"paraloom trace: {message}", file=sys.stderr)


def enable_tracing(manager: ParaloomPluginManager) -> None:
    """Log every hook call and its result to stderr (``PARALOOM_TRACE_PLUGINS=1``)."""
    manager.tracing = True

    def before(hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        plugins = ", ".join(impl.plugin_name for impl in hook_impls)
        trace(manager, f"{hook_name}({_brief(kwargs)}) -> [{plugins}]")

    def after(
        outcome: Any, hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> None:
        exception = outcome.exception
        result = describe_error(exception) if exception else _brief_result(outcome.get_result())
        trace(manager, f"{hook_name} returned {result}")

    manager.add_hookcall_monitoring(before, after)


def _brief(kwargs: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={type(value).__name__}" for key, value in kwargs.items())


def _brief_result(result: Any) -> str:
    if isinstance(result, list):
        return f"{len(result)} result(s)"
    return type(result).__name__
