"""Typed settings: what a config key or a component option accepts, its default and its help.

One description serves TOML, environment variables and the command line, so a value means the
same wherever it is written, and `paraloom init` renders the defaults from the same source.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from paraloom.errors import UnitParseError
from paraloom.units import format_duration, format_size, parse_duration, parse_size

#: Values that TOML can hold and that paraloom uses in settings.
TomlValue = str | int | float | bool | list[Any] | dict[str, Any]

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class OptionValueError(ValueError):
    """A raw value does not fit its kind; the message says what was expected."""


class ValueKind:
    """How a raw TOML value (or an environment/CLI string) becomes a typed value."""

    expected: str = "a value"

    def parse(self, raw: object) -> Any:
        """Parse a value as TOML gives it; raise OptionValueError if it does not fit."""
        raise NotImplementedError

    def parse_text(self, text: str) -> Any:
        """Parse a value given as text (an environment variable or `--set KEY=VALUE`)."""
        return self.parse(text)

    def to_toml(self, value: Any) -> TomlValue:
        """The TOML form of a typed value, so `paraloom init` can write defaults back."""
        converted: TomlValue = value
        return converted

    def _refuse(self, raw: object) -> OptionValueError:
        return OptionValueError(f"expected {self.expected}, got {raw!r}")


@dataclass(frozen=True)
class Int(ValueKind):
    minimum: int | None = None
    maximum: int | None = None

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "an integer" + _range_text(self.minimum, self.maximum)

    def parse(self, raw: object) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise self._refuse(raw)
        _check_range(raw, self.minimum, self.maximum, self.expected)
        return raw

    def parse_text(self, text: str) -> int:
        if not text.strip().isascii():
            raise self._refuse(text)
        try:
            return self.parse(int(text))
        except ValueError as error:
            raise self._refuse(text) from error


@dataclass(frozen=True)
class Float(ValueKind):
    minimum: float | None = None
    maximum: float | None = None

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "a number" + _range_text(self.minimum, self.maximum)

    def parse(self, raw: object) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise self._refuse(raw)
        try:
            value = float(raw)
        except OverflowError as error:
            raise self._refuse(raw) from error
        if not math.isfinite(value):
            raise self._refuse(raw)
        _check_range(value, self.minimum, self.maximum, self.expected)
        return value

    def parse_text(self, text: str) -> float:
        if not text.strip().isascii():
            raise self._refuse(text)
        try:
            return self.parse(float(text))
        except ValueError as error:
            raise self._refuse(text) from error


@dataclass(frozen=True)
class Bool(ValueKind):
    expected: str = "true or false"

    def parse(self, raw: object) -> bool:
        if not isinstance(raw, bool):
            raise self._refuse(raw)
        return raw

    def parse_text(self, text: str) -> bool:
        word = text.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise self._refuse(text)


@dataclass(frozen=True)
class Text(ValueKind):
    expected: str = "a string"

    def parse(self, raw: object) -> str:
        if not isinstance(raw, str):
            raise self._refuse(raw)
        return raw


@dataclass(frozen=True)
class Choice(ValueKind):
    choices: tuple[str, ...] = ()

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(repr(choice) for choice in self.choices)

    def parse(self, raw: object) -> str:
        if raw not in self.choices:
            raise self._refuse(raw)
        assert isinstance(raw, str)
        return raw


@dataclass(frozen=True)
class TextList(ValueKind):
    expected: str = "a list of strings"

    def parse(self, raw: object) -> tuple[str, ...]:
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise self._refuse(raw)
        return tuple(raw)

    def parse_text(self, text: str) -> tuple[str, ...]:
        return tuple(item.strip() for item in text.split(",") if item.strip())

    def to_toml(self, value: Any) -> TomlValue:
        return list(value)


@dataclass(frozen=True)
class Size(ValueKind):
    minimum: int = 0
    expected: str = "a size with a unit, e.g. '64MiB'"

    def parse(self, raw: object) -> int:
        if not isinstance(raw, str):
            raise self._refuse(raw)
        try:
            size = parse_size(raw)
        except UnitParseError as error:
            raise OptionValueError(str(error)) from error
        if size < self.minimum:
            raise OptionValueError(f"{raw!r} is below the minimum of {format_size(self.minimum)}")
        return size

    def to_toml(self, value: Any) -> TomlValue:
        return format_size(value)


@dataclass(frozen=True)
class Duration(ValueKind):
    minimum: float = 0.0
    expected: str = "a duration with a unit, e.g. '30s'"

    def parse(self, raw: object) -> float:
        if not isinstance(raw, str):
            raise self._refuse(raw)
        try:
            seconds = parse_duration(raw)
        except UnitParseError as error:
            raise OptionValueError(str(error)) from error
        if seconds < self.minimum:
            raise OptionValueError(
                f"{raw!r} is below the minimum of {format_duration(self.minimum)}"
            )
        return seconds

    def to_toml(self, value: Any) -> TomlValue:
        return format_duration(value)


@dataclass(frozen=True)
class Address(ValueKind):
    """A "host:port" listen or peer address; IPv6 hosts go in brackets ("[::1]:7400")."""

    expected: str = "an address 'host:port', e.g. '127.0.0.1:7400'"

    def parse(self, raw: object) -> tuple[str, int]:
        if not isinstance(raw, str) or not raw.isascii() or ":" not in raw:
            raise self._refuse(raw)
        host, _, port_text = raw.rpartition(":")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
            _require_ip(host, raw, self.expected)
        elif "[" in host or "]" in host or ":" in host:
            raise self._refuse(raw)
        if not host or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
            raise self._refuse(raw)
        return host, int(port_text)

    def to_toml(self, value: Any) -> TomlValue:
        host, port = value
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class Option:
    """One setting: its key, what it accepts, its default (in TOML form) and why it exists."""

    key: str
    kind: ValueKind
    default: TomlValue
    help: str

    def default_value(self) -> Any:
        return self.kind.parse(self.default)


def option_field(kind: ValueKind, default: TomlValue, help: str) -> Any:
    """A dataclass field whose default is parsed from its TOML form and that carries its Option.

    The key is filled in from the field name by :func:`options_of`.
    """
    option = Option(key="", kind=kind, default=default, help=help)
    return field(default=option.default_value(), metadata={"option": option})


def options_of(section: type[Any]) -> tuple[Option, ...]:
    """The options of a settings dataclass, keyed by field name, in declaration order."""
    return tuple(
        dataclasses.replace(item.metadata["option"], key=item.name)
        for item in dataclasses.fields(section)
        if "option" in item.metadata
    )


def parse_table(
    table: Mapping[str, object], options: tuple[Option, ...], path: str
) -> tuple[dict[str, Any], list[str]]:
    """Parse a TOML table against its options: the values given, and one problem per bad key."""
    known = {option.key: option for option in options}
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, raw in table.items():
        option = known.get(key)
        if option is None:
            problems.append(f"{_join(path, key)}: unknown key (known: {', '.join(known) or '-'})")
            continue
        try:
            values[key] = option.kind.parse(raw)
        except OptionValueError as error:
            problems.append(f"{_join(path, key)}: {error}")
    return values, problems


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _require_ip(host: str, raw: str, expected: str) -> None:
    try:
        ipaddress.ip_address(host)
    except ValueError as error:
        raise OptionValueError(f"expected {expected}, got {raw!r}") from error


def _range_text(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" ≥ {minimum}"
    if maximum is not None:
        return f" ≤ {maximum}"
    return ""


def _check_range(value: float, minimum: float | None, maximum: float | None, expected: str) -> None:
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise OptionValueError(f"expected {expected}, got {value!r}")
