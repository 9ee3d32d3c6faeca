"""Configuration: TOML with defaults for every setting, validated strictly.

Precedence is command line > environment (``PARALOOM_<SECTION>_<KEY>``) > TOML file > defaults.
Every problem in a file is collected and reported in one :class:`ConfigError`, so a user fixes a
file in one pass. Component selections are only checked for shape here; whether a named
component exists is decided when it is used (:mod:`paraloom.registry`), because that depends on
which plugins are installed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paraloom.errors import ConfigError
from paraloom.options import (
    Address,
    Bool,
    Choice,
    Duration,
    Float,
    Int,
    Option,
    OptionValueError,
    Size,
    Text,
    TextList,
    TomlValue,
    ValueKind,
    option_field,
    options_of,
)

ENV_PREFIX = "PARALOOM_"


# -- component selections -------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """A component chosen in config: a name, plus options when given as an inline table."""

    kind: str
    name: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def to_toml(self) -> TomlValue:
        if not self.options:
            return self.name
        return {"name": self.name, **self.options}


@dataclass(frozen=True)
class SelectionKind(ValueKind):
    """A component name, or an inline table ``{ name = "...", option = value, ... }``."""

    kind: str = ""

    @property
    def expected(self) -> str:  # type: ignore[override]
        return f"a {self.kind} name or an inline table with 'name'"

    def parse(self, raw: object) -> Selection:
        if isinstance(raw, str) and raw:
            return Selection(self.kind, raw)
        if isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"]:
            options = {key: value for key, value in raw.items() if key != "name"}
            return Selection(self.kind, raw["name"], options)
        raise self._refuse(raw)

    def to_toml(self, value: Any) -> TomlValue:
        selection: Selection = value
        return selection.to_toml()


@dataclass(frozen=True)
class SelectionListKind(ValueKind):
    """A list of component names or inline tables (used for ``circuits``)."""

    kind: str = ""

    @property
    def expected(self) -> str:  # type: ignore[override]
        return f"a list of {self.kind} names or inline tables"

    def parse(self, raw: object) -> tuple[Selection, ...]:
        if not isinstance(raw, list):
            raise self._refuse(raw)
        item_kind = SelectionKind(kind=self.kind)
        return tuple(item_kind.parse(item) for item in raw)

    def parse_text(self, text: str) -> tuple[Selection, ...]:
        return self.parse([item.strip() for item in text.split(",") if item.strip()])

    def to_toml(self, value: Any) -> TomlValue:
        return [selection.to_toml() for selection in value]


# -- sections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadingSettings:
    """Which plugin distributions load."""

    autoload: bool = option_field(
        Bool(), True, "load every installed plugin; false: only the core and those in `load`"
    )
    load: tuple[str, ...] = option_field(
        TextList(), [], "distributions or plugin names to load when autoload is false"
    )
    disable: tuple[str, ...] = option_field(
        TextList(), [], "distributions or plugin names never to load (built-ins included)"
    )
    on_error: str = option_field(
        Choice(choices=("warn", "fail")),
        "warn",
        "a plugin that fails to load: warn and go on, or fail (use fail on production nodes)",
    )


@dataclass(frozen=True)
class PluginSettings:
    """One component per kind; a name, or an inline table with `name` and options."""

    curve: Selection = option_field(
        SelectionKind(kind="curve"), "auto", "BN254 backend; auto picks the fastest installed"
    )
    hash: Selection = option_field(SelectionKind(kind="hash"), "poseidon", "hash function")
    codec: Selection = option_field(SelectionKind(kind="codec"), "compact", "proof encoding")
    ceremony: Selection = option_field(
        SelectionKind(kind="ceremony"), "bgm17", "phase-2 ceremony scheme"
    )
    executor: Selection = option_field(
        SelectionKind(kind="executor"),
        "wasmtime",
        "WASM executor; options: memory_limit, fuel, timeout, concurrent_jobs",
    )
    transport: Selection = option_field(
        SelectionKind(kind="transport"), "tcp", "node-to-node transport"
    )
    circuits: tuple[Selection, ...] = option_field(
        SelectionListKind(kind="circuit"),
        ["transfer", "withdraw", "ownership"],
        "circuits this node loads",
    )
    loading: LoadingSettings = field(default_factory=LoadingSettings)


@dataclass(frozen=True)
class ComputeSettings:
    """Job distribution and result agreement."""

    replication: int = option_field(Int(minimum=1), 3, "validators that run each job (K)")
    distribution_timeout: float = option_field(
        Duration(minimum=0.001), "300s", "longest time to assign a job"
    )
    retries: int = option_field(
        Int(minimum=0), 1, "retries on a fresh cohort when the results disagree"
    )
    poe_sample_rate: float = option_field(
        Float(minimum=0.0, maximum=1.0),
        0.1,
        "fraction of non-replicated jobs re-run on a second node",
    )
    heartbeat_interval: float = option_field(
        Duration(minimum=0.001), "30s", "how often validators announce capacity"
    )
    validator_timeout: float = option_field(
        Duration(minimum=0.001), "60s", "silence after which a validator leaves the pool"
    )
    max_memory_limit: int = option_field(
        Size(minimum=64 * 1024), "1GiB", "network-wide cap on a job's memory limit"
    )
    max_fuel: int = option_field(Int(minimum=1), 10_000_000_000, "network-wide cap on fuel")
    max_timeout: float = option_field(
        Duration(minimum=0.001), "300s", "network-wide cap on a job's timeout"
    )


@dataclass(frozen=True)
class ConsensusSettings:
    """Withdrawal verification."""

    approval_fraction: float = option_field(
        Float(minimum=0.5, maximum=1.0),
        0.7,
        "fraction of registered validators that must approve (7 of 10)",
    )
    vote_timeout: float = option_field(
        Duration(minimum=0.001), "30s", "longest a verification round waits for votes"
    )


@dataclass(frozen=True)
class LeaderSelectionSettings:
    """weight = stake_weight·stake_share + reputation_weight·reputation/10000."""

    stake_weight: float = option_field(Float(minimum=0.0, maximum=1.0), 0.7, "weight of stake")
    reputation_weight: float = option_field(
        Float(minimum=0.0, maximum=1.0), 0.3, "weight of reputation"
    )


@dataclass(frozen=True)
class ReputationSettings:
    """Reputation bounds and adjustments."""

    initial: int = option_field(Int(minimum=0), 1000, "reputation of a new validator")
    minimum: int = option_field(Int(minimum=0), 100, "lower bound")
    maximum: int = option_field(Int(minimum=1), 10_000, "upper bound")
    correct_vote: int = option_field(Int(), 10, "change for a vote with the outcome")
    consensus_bonus: int = option_field(Int(), 5, "extra change when consensus is reached")
    incorrect_vote: int = option_field(Int(), -50, "change for a vote against the outcome")
    timeout: int = option_field(Int(), -30, "change for a missing vote")
    daily_decay: float = option_field(
        Float(minimum=0.0, maximum=1.0), 0.001, "fraction lost per day"
    )


@dataclass(frozen=True)
class NetworkSettings:
    """Node-to-node traffic."""

    peers: tuple[str, ...] = option_field(TextList(), [], "bootstrap peer addresses host:port")
    max_frame_size: int = option_field(
        Size(minimum=1024), "4MiB", "largest message accepted from a peer"
    )
    request_timeout: float = option_field(Duration(minimum=0.001), "10s", "reply deadline")
    gossip_ttl: int = option_field(Int(minimum=1, maximum=64), 8, "hops a gossip message lives")
    max_connections: int = option_field(Int(minimum=1), 50, "peers held open at once")


@dataclass(frozen=True)
class CoordinatorSettings:
    """Coordinator failover."""

    heartbeat_interval: float = option_field(
        Duration(minimum=0.001), "1s", "primary heartbeat period"
    )
    failover_after: float = option_field(
        Duration(minimum=0.001), "3s", "missed-heartbeat time before passives elect a primary"
    )
    members: tuple[str, ...] = option_field(
        TextList(),
        [],
        "the coordinator set: hex Ed25519 public keys of the nodes that may be primary "
        "(empty: only `node run --coordinator` takes the role, alone)",
    )


@dataclass(frozen=True)
class HealthSettings:
    """/health, /ready and /metrics."""

    enabled: bool = option_field(Bool(), True, "serve the health endpoints")
    listen: tuple[str, int] = option_field(Address(), "127.0.0.1:9300", "address to serve on")


@dataclass(frozen=True)
class NodeSettings:
    """Where a node keeps its identity and data, and its client API."""

    data_dir: str = option_field(Text(), "~/.paraloom", "SQLite stores and state")
    identity_key: str = option_field(
        Text(), "~/.paraloom/identity.key", "Ed25519 key (the same as the Solana identity)"
    )
    api_listen: tuple[str, int] = option_field(
        Address(), "127.0.0.1:7500", "client JSON API, loopback only"
    )


@dataclass(frozen=True)
class FaultRate(Float):
    """A fraction of events to corrupt, or a boolean: true for every event, false for none."""

    minimum: float | None = 0.0
    maximum: float | None = 1.0

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "true, false or a fraction between 0.0 and 1.0"

    def parse(self, raw: object) -> float:
        if isinstance(raw, bool):
            return 1.0 if raw else 0.0
        return super().parse(raw)

    def parse_text(self, text: str) -> float:
        try:
            return self.parse(Bool().parse_text(text))
        except OptionValueError:
            return super().parse_text(text)


@dataclass(frozen=True)
class TestingSettings:
    """Fault injection for tests; a node refuses to start with a fault set outside a localnet."""

    __test__ = False  # not a pytest test class, despite its name

    localnet: str = option_field(
        Text(),
        "",
        "localnet directory, set by `paraloom localnet up`; faults need its manifest there "
        "and node.data_dir inside one of its nodes",
    )
    wrong_results: float = option_field(
        FaultRate(),
        False,
        "corrupt this fraction of job results (true: all); the node signs what it corrupted",
    )
    drop_votes: float = option_field(
        FaultRate(), False, "withhold this fraction of job outcomes and withdrawal votes"
    )
    slow_replies: float = option_field(
        Duration(), "0s", "delay every reply to a peer's request by this long"
    )

    @property
    def faults(self) -> tuple[str, ...]:
        """The keys of the faults this table switches on."""
        values = {
            "wrong_results": self.wrong_results,
            "drop_votes": self.drop_votes,
            "slow_replies": self.slow_replies,
        }
        return tuple(key for key, value in values.items() if value > 0)


@dataclass(frozen=True)
class Config:
    """The configuration in effect, with the origin of every value."""

    plugins: PluginSettings = field(default_factory=PluginSettings)
    compute: ComputeSettings = field(default_factory=ComputeSettings)
    consensus: ConsensusSettings = field(default_factory=ConsensusSettings)
    leader_selection: LeaderSelectionSettings = field(default_factory=LeaderSelectionSettings)
    reputation: ReputationSettings = field(default_factory=ReputationSettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    coordinator: CoordinatorSettings = field(default_factory=CoordinatorSettings)
    health: HealthSettings = field(default_factory=HealthSettings)
    node: NodeSettings = field(default_factory=NodeSettings)
    testing: TestingSettings = field(default_factory=TestingSettings)
    source: Path | None = field(default=None, compare=False)
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)

    def origin(self, path: str) -> str:
        """Where the value at a dotted path came from: default, file, an env var, or --set."""
        return self.origins.get(path, "default")

    def is_explicit(self, path: str) -> bool:
        return self.origin(path) != "default"


#: Top-level tables, in the order `paraloom init` writes them.
SECTIONS: tuple[str, ...] = tuple(
    item.name for item in dataclasses.fields(Config) if item.name not in ("source", "origins")
)


# -- the schema walk ------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a configuration, at a key path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class SettingSlot:
    """A leaf setting: its dotted path, option, and environment variable name."""

    path: str
    option: Option

    @property
    def env_name(self) -> str:
        return ENV_PREFIX + self.path.replace(".", "_").upper()


def _subsections(section: type[Any]) -> Iterator[tuple[str, type[Any]]]:
    hints = typing.get_type_hints(section)
    for item in dataclasses.fields(section):
        kind = hints[item.name]
        if "option" not in item.metadata and dataclasses.is_dataclass(kind):
            assert isinstance(kind, type)
            yield item.name, kind


def iter_slots(section: type[Any] = Config, prefix: str = "") -> Iterator[SettingSlot]:
    """Every leaf setting under a section, depth first in declaration order."""
    for option in options_of(section):
        yield SettingSlot(_join(prefix, option.key), option)
    for name, subsection in _subsections(section):
        yield from iter_slots(subsection, _join(prefix, name))


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _unknown_keys(table: Mapping[str, Any], section: type[Any], prefix: str) -> list[ConfigProblem]:
    known_options = {option.key for option in options_of(section)}
    subsections = dict(_subsections(section))
    problems: list[ConfigProblem] = []
    for key, value in table.items():
        path = _join(prefix, key)
        if key in subsections:
            if isinstance(value, dict):
                problems.extend(_unknown_keys(value, subsections[key], path))
            else:
                problems.append(ConfigProblem(path, f"expected a table, got {value!r}"))
        elif key not in known_options:
            problems.append(ConfigProblem(path, "unknown key"))
    return problems


def _lookup(table: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    node: Any = table
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _assemble(section: type[Any], prefix: str, values: Mapping[str, Any]) -> Any:
    arguments: dict[str, Any] = {
        name: _assemble(subsection, _join(prefix, name), values)
        for name, subsection in _subsections(section)
    }
    for option in options_of(section):
        path = _join(prefix, option.key)
        if path in values:
            arguments[option.key] = values[path]
    return section(**arguments)


# -- loading --------------------------------------------------------------------------------


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning every failure into a ConfigError naming the file."""
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError as error:
        raise ConfigError(f"config file {path} does not exist") from error
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error


def load_config(
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Config:
    """Build the configuration in effect from a file, the environment and CLI overrides.

    :param path: TOML file, or None for defaults only.
    :param environ: environment to read ``PARALOOM_*`` settings from (default: os.environ).
    :param overrides: ``{"compute.replication": "5"}`` from ``--set``; highest precedence.
    :raises ConfigError: listing every problem found, each with its key path and source.
    """
    config, problems = collect_config(path, environ, overrides)
    if problems:
        raise ConfigError(problem_message(config, problems))
    return config


def collect_config(
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> tuple[Config, list[ConfigProblem]]:
    """Like :func:`load_config`, but return the problems with a config of the valid values.

    A setting with a problem keeps its default, so a checker can go on to look at the rest.
    """
    table = read_toml(path) if path is not None else {}
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    problems = _unknown_keys(table, Config, "")
    slots = list(iter_slots())
    known_paths = {slot.path for slot in slots}
    problems.extend(
        ConfigProblem(f"--set {key}", "unknown setting")
        for key in sorted(overrides)
        if key not in known_paths
    )
    problems.extend(_unknown_environment(environ, slots))
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for slot in slots:
        origin, value, problem = _resolve_slot(slot, table, environ, overrides)
        if problem:
            problems.append(problem)
        elif origin != "default":
            values[slot.path] = value
            origins[slot.path] = origin
    config: Config = _assemble(Config, "", values)
    return dataclasses.replace(config, source=path, origins=origins), problems


def _unknown_environment(
    environ: Mapping[str, str], slots: list[SettingSlot]
) -> list[ConfigProblem]:
    """Variables that look like settings (``PARALOOM_<SECTION>_...``) but name none: typos."""
    known = {slot.env_name for slot in slots}
    prefixes = tuple(f"{ENV_PREFIX}{section.upper()}_" for section in SECTIONS)
    return [
        ConfigProblem(f"${name}", "unknown setting")
        for name in sorted(environ)
        if name.startswith(prefixes) and name not in known
    ]


def _resolve_slot(
    slot: SettingSlot,
    table: Mapping[str, Any],
    environ: Mapping[str, str],
    overrides: Mapping[str, str],
) -> tuple[str, Any, ConfigProblem | None]:
    """(origin, value, problem) of one setting, taking the highest-precedence source."""
    kind = slot.option.kind
    try:
        if slot.path in overrides:
            return "--set", kind.parse_text(overrides[slot.path]), None
        if slot.env_name in environ:
            return f"${slot.env_name}", kind.parse_text(environ[slot.env_name]), None
        found, raw = _lookup(table, slot.path)
        if found:
            return "file", kind.parse(raw), None
    except OptionValueError as error:
        source = _source_label(slot, overrides, environ)
        return "", None, ConfigProblem(slot.path, f"{error}{source}")
    return "default", None, None


def _source_label(
    slot: SettingSlot, overrides: Mapping[str, str], environ: Mapping[str, str]
) -> str:
    if slot.path in overrides:
        return " (from --set)"
    if slot.env_name in environ:
        return f" (from ${slot.env_name})"
    return ""


def problem_message(config: Config, problems: Sequence[ConfigProblem | str]) -> str:
    """All problems of a config in one message, prefixed with the file they are in."""
    where = str(config.source) if config.source is not None else "configuration"
    if len(problems) == 1:
        return f"{where}: {problems[0]}"
    listed = "\n".join(f"  - {problem}" for problem in problems)
    return f"{where}: {len(problems)} problems:\n{listed}"


def parse_assignments(assignments: tuple[str, ...]) -> dict[str, str]:
    """Turn ``("compute.replication=5",)`` from ``--set`` into a mapping."""
    result: dict[str, str] = {}
    for assignment in assignments:
        key, separator, value = assignment.partition("=")
        if not separator or not key.strip():
            raise ConfigError(f"--set {assignment!r}: expected KEY=VALUE")
        result[key.strip()] = value
    return result


def setting_value(config: Config, path: str) -> Any:
    """The value at a dotted path, e.g. ``"compute.replication"``."""
    node: Any = config
    for part in path.split("."):
        node = getattr(node, part)
    return node


# -- writing --------------------------------------------------------------------------------


def render_default_config() -> str:
    """A complete config with every default and a comment on each setting (`paraloom init`)."""
    lines = [
        "# paraloom configuration. Precedence: --set > PARALOOM_<SECTION>_<KEY> > this file.",
        '# Sizes and durations take units: "64MiB", "30s". `paraloom config check` validates.',
    ]
    for name in SECTIONS:
        lines.extend(_render_section(_section_type(Config, name), name))
    return "\n".join(lines) + "\n"


def _section_type(section: type[Any], name: str) -> type[Any]:
    return dict(_subsections(section))[name]


def _render_section(section: type[Any], path: str) -> list[str]:
    doc = (section.__doc__ or "").strip().splitlines()[0]
    lines = ["", f"[{path}]", f"# {doc}"]
    for option in options_of(section):
        lines.append(f"# {option.help}")
        lines.append(f"{option.key} = {toml_literal(option.default)}")
    for name, subsection in _subsections(section):
        lines.extend(_render_section(subsection, _join(path, name)))
    return lines


def toml_literal(value: TomlValue) -> str:
    """A TOML literal for a default value (strings, numbers, booleans, lists, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(item) for item in value) + "]"
    items = ", ".join(f"{key} = {toml_literal(item)}" for key, item in value.items())
    return "{ " + items + " }"


# `Option` kinds re-exported so that plugin authors find them next to the config they extend.
__all__ = [
    "Address",
    "Bool",
    "Choice",
    "Config",
    "Duration",
    "Float",
    "Int",
    "Option",
    "Selection",
    "Size",
    "Text",
    "TextList",
    "load_config",
]
