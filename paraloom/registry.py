"""Name → component, per kind, over what the loaded plugins provide.

Selections are resolved here when they are used. Install order never decides: two plugins that
provide one name make that name unusable until one is disabled, and the error names both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from paraloom.components import KIND_NAMES
from paraloom.config import Config, Selection
from paraloom.errors import ComponentNotFoundError, ConfigError, DuplicateComponentError
from paraloom.manager import ParaloomPluginManager, ProvidedComponent, failure_summary
from paraloom.options import parse_table

AUTO = "auto"


@dataclass(frozen=True)
class ResolvedComponent:
    """A selection matched to its provider, with validated options (defaults filled in)."""

    provided: ProvidedComponent
    options: dict[str, Any]

    def build(self) -> Any:
        """Create the component; its factory receives the validated options."""
        return self.provided.spec.factory(self.options)


@dataclass(frozen=True)
class SelectionReport:
    """The outcome of checking one selection in a config."""

    path: str
    selection: Selection
    resolved: ResolvedComponent | None
    problem: str | None
    explicit: bool


class Registry:
    """Lookups over the components of one plugin manager."""

    def __init__(self, manager: ParaloomPluginManager) -> None:
        self.manager = manager

    def providers(self, kind: str, name: str) -> list[ProvidedComponent]:
        return [
            item for item in self.manager.components if item.kind == kind and item.spec.name == name
        ]

    def components(self, kind: str | None = None) -> list[ProvidedComponent]:
        """Components in display order: by kind, then name."""
        chosen = [item for item in self.manager.components if kind in (None, item.kind)]
        return sorted(chosen, key=lambda item: (KIND_NAMES.index(item.kind), item.spec.name))

    def names(self, kind: str) -> list[str]:
        return sorted({item.spec.name for item in self.manager.components if item.kind == kind})

    def duplicates(self) -> Iterator[tuple[str, str, list[ProvidedComponent]]]:
        """(kind, name, providers) for every name that more than one plugin provides."""
        for kind in KIND_NAMES:
            for name in self.names(kind):
                providers = self.providers(kind, name)
                if len(providers) > 1:
                    yield kind, name, providers

    def get(self, kind: str, name: str) -> ProvidedComponent:
        """The one provider of a component; "auto" picks the highest auto_priority."""
        if kind not in KIND_NAMES:
            raise ComponentNotFoundError(
                f"unknown component kind {kind!r} (kinds: {', '.join(KIND_NAMES)})"
            )
        if name == AUTO:
            return self._automatic(kind)
        providers = self.providers(kind, name)
        if not providers:
            raise ComponentNotFoundError(self._not_found(kind, name))
        if len(providers) > 1:
            raise DuplicateComponentError(duplicate_message(kind, name, providers))
        return providers[0]

    def resolve(self, selection: Selection, path: str) -> ResolvedComponent:
        """Match a selection and validate its options against the component's declaration.

        :raises ComponentNotFoundError, DuplicateComponentError: the name does not resolve.
        :raises ConfigError: an option is unknown or has a bad value; names ``path.option``.
        """
        try:
            provided = self.get(selection.kind, selection.name)
        except (ComponentNotFoundError, DuplicateComponentError) as error:
            raise type(error)(f"{path}: {error}") from None
        declared = provided.spec.options
        values, problems = parse_table(selection.options, declared, path)
        if problems:
            raise ConfigError("; ".join(problems))
        defaults = {option.key: option.default_value() for option in declared}
        return ResolvedComponent(provided, {**defaults, **values})

    def build(self, selection: Selection, path: str) -> Any:
        return self.resolve(selection, path).build()

    def check(self, config: Config) -> list[SelectionReport]:
        """Resolve every selection of a config, collecting problems instead of raising."""
        return [self._report(path, selection, config) for path, selection in selections(config)]

    def _report(self, path: str, selection: Selection, config: Config) -> SelectionReport:
        explicit = config.is_explicit(path.split("[", 1)[0])
        try:
            resolved = self.resolve(selection, path)
        except (ComponentNotFoundError, DuplicateComponentError, ConfigError) as error:
            return SelectionReport(path, selection, None, str(error), explicit)
        return SelectionReport(path, selection, resolved, None, explicit)

    def _automatic(self, kind: str) -> ProvidedComponent:
        ranked = [
            item
            for item in self.components(kind)
            if item.spec.auto_priority is not None
            and len(self.providers(kind, item.spec.name)) == 1
        ]
        if not ranked:
            available = ", ".join(self.names(kind)) or "none installed"
            raise ComponentNotFoundError(
                f"no {kind} can be chosen automatically (available: {available})"
                + self._failure_note()
            )
        return max(ranked, key=lambda item: item.spec.auto_priority or 0)

    def _not_found(self, kind: str, name: str) -> str:
        available = ", ".join(self.names(kind)) or "none installed"
        return (
            f"{kind} {name!r} not found (available: {available})"
            + self._failure_note()
            + "; see `paraloom components`"
        )

    def _failure_note(self) -> str:
        failures = self.manager.failures
        if not failures:
            return ""
        return "; note: " + failure_summary(failures, "its components are missing")


def duplicate_message(kind: str, name: str, providers: list[ProvidedComponent]) -> str:
    named = " and ".join(item.provider for item in providers)
    return f"{kind} {name!r} is provided by both {named}; disable one in plugins.loading.disable"


def selections(config: Config) -> Iterator[tuple[str, Selection]]:
    """Every component selection of a config with its key path."""
    plugins = config.plugins
    for kind in ("curve", "hash", "codec", "ceremony", "executor", "transport"):
        yield f"plugins.{kind}", getattr(plugins, kind)
    for index, circuit in enumerate(plugins.circuits):
        yield f"plugins.circuits[{index}]", circuit
