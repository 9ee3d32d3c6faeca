"""Configuration: defaults, TOML files, environment and --set, validation and `paraloom init`."""

from __future__ import annotations

import math
import re
import tomllib
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paraloom.compute.execution import executor_options
from paraloom.config import (
    Config,
    Selection,
    iter_slots,
    load_config,
    parse_assignments,
    render_default_config,
    setting_value,
)
from paraloom.errors import ConfigError
from paraloom.options import Duration, Float, Int, Size
from paraloom.units import format_duration, format_size

NO_ENV: dict[str, str] = {}
SLOTS = list(iter_slots())
SLOT_PATHS = [slot.path for slot in SLOTS]


def write(tmp_path: Path, text: str, name: str = "paraloom.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str, **kwargs: Any) -> Config:
    kwargs.setdefault("environ", NO_ENV)
    return load_config(write(tmp_path, text), **kwargs)


def config_error(tmp_path: Path, text: str, **kwargs: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text, **kwargs)
    return str(caught.value)


# -- a TOML writer for generated values (strings escaped so any text is valid TOML) ----------


def toml_string(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04X}")
        else:
            out.append(f"\\U{code:08X}")
    out.append('"')
    return "".join(out)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # nan, inf, -inf and 1e-05 are all TOML floats
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    items = ", ".join(f"{toml_string(key)} = {toml_value(item)}" for key, item in value.items())
    return "{ " + items + " }"


def toml_document(values: dict[str, Any]) -> str:
    """A TOML file setting dotted paths ("compute.replication") to values."""
    tables: dict[str, list[str]] = defaultdict(list)
    for path, value in values.items():
        table, _, key = path.rpartition(".")
        tables[table].append(f"{key} = {toml_value(value)}")
    return "".join(f"[{table}]\n" + "\n".join(lines) + "\n" for table, lines in tables.items())


# -- defaults ---------------------------------------------------------------------------------


def test_defaults_are_the_seeds() -> None:
    config = load_config(environ=NO_ENV)
    assert config == Config()
    expected = {
        "compute.replication": 3,
        "compute.distribution_timeout": 300.0,
        "compute.heartbeat_interval": 30.0,
        "compute.validator_timeout": 60.0,
        "compute.retries": 1,
        "compute.max_memory_limit": 2**30,
        "consensus.approval_fraction": 0.7,
        "consensus.vote_timeout": 30.0,
        "leader_selection.stake_weight": 0.7,
        "leader_selection.reputation_weight": 0.3,
        "reputation.initial": 1000,
        "reputation.minimum": 100,
        "reputation.maximum": 10_000,
        "reputation.correct_vote": 10,
        "reputation.consensus_bonus": 5,
        "reputation.incorrect_vote": -50,
        "reputation.timeout": -30,
        "reputation.daily_decay": 0.001,
        "coordinator.heartbeat_interval": 1.0,
        "coordinator.failover_after": 3.0,
        "health.enabled": True,
        "health.listen": ("127.0.0.1", 9300),
        "network.max_frame_size": 4 * 2**20,
        "network.request_timeout": 10.0,
        "network.gossip_ttl": 8,
        "network.peers": (),
        "plugins.loading.autoload": True,
        "plugins.loading.disable": (),
        "plugins.loading.on_error": "warn",
        "plugins.hash": Selection("hash", "poseidon"),
        "plugins.executor": Selection("executor", "wasmtime"),
        "plugins.circuits": (
            Selection("circuit", "transfer"),
            Selection("circuit", "withdraw"),
            Selection("circuit", "ownership"),
        ),
    }
    actual = {path: setting_value(config, path) for path in expected}
    assert actual == expected
    assert all(config.origin(path) == "default" for path in SLOT_PATHS)
    assert not any(config.is_explicit(path) for path in SLOT_PATHS)


def test_executor_limit_defaults_are_the_seeds() -> None:
    defaults = {option.key: option.default_value() for option in executor_options()}
    assert defaults == {
        "memory_limit": 64 * 2**20,
        "fuel": 1_000_000_000,
        "timeout": 30.0,
        "concurrent_jobs": 4,
    }


def test_every_setting_has_its_own_environment_variable() -> None:
    names = [slot.env_name for slot in SLOTS]
    assert len(set(names)) == len(names)
    env_names = {slot.path: slot.env_name for slot in SLOTS}
    assert env_names["compute.replication"] == "PARALOOM_COMPUTE_REPLICATION"
    assert env_names["plugins.loading.on_error"] == "PARALOOM_PLUGINS_LOADING_ON_ERROR"


# -- loading a file ---------------------------------------------------------------------------


def test_a_toml_file_sets_values_and_keeps_defaults_elsewhere(tmp_path: Path) -> None:
    config = load_text(
        tmp_path,
        """
[compute]
replication = 5
distribution_timeout = "2m"
max_memory_limit = "512MiB"

[consensus]
approval_fraction = 0.8

[health]
enabled = false
listen = "[::1]:9400"

[network]
peers = ["10.0.0.1:7400", "10.0.0.2:7400"]

[plugins]
hash = "sha256"

[plugins.loading]
on_error = "fail"
disable = ["example"]
""",
    )
    assert config.compute.replication == 5
    assert config.compute.distribution_timeout == 120.0
    assert config.compute.max_memory_limit == 512 * 2**20
    assert config.consensus.approval_fraction == 0.8
    assert config.health.enabled is False
    assert config.health.listen == ("::1", 9400)
    assert config.network.peers == ("10.0.0.1:7400", "10.0.0.2:7400")
    assert config.plugins.hash == Selection("hash", "sha256")
    assert config.plugins.loading.on_error == "fail"
    assert config.plugins.loading.disable == ("example",)
    # untouched settings keep their defaults
    assert config.compute.heartbeat_interval == 30.0
    assert config.plugins.loading.autoload is True
    assert config.source == tmp_path / "paraloom.toml"
    assert config.origin("compute.replication") == "file"
    assert config.origin("compute.heartbeat_interval") == "default"


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_text(tmp_path, "") == Config()


def test_a_float_setting_accepts_a_toml_integer(tmp_path: Path) -> None:
    config = load_text(tmp_path, "[consensus]\napproval_fraction = 1\n")
    assert config.consensus.approval_fraction == 1.0
    assert isinstance(config.consensus.approval_fraction, float)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("[compute]\nreplicaton = 3\n", "compute.replicaton"),
        ("[nonsense]\nx = 1\n", "nonsense"),
        ("top_level = 1\n", "top_level"),
        ("[plugins.loading]\nautolaod = true\n", "plugins.loading.autolaod"),
    ],
)
def test_an_unknown_key_is_an_error_naming_its_path_and_the_file(
    tmp_path: Path, text: str, path: str
) -> None:
    message = config_error(tmp_path, text)
    assert path in message
    assert "unknown key" in message
    assert str(tmp_path / "paraloom.toml") in message


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('[compute]\nreplication = "three"\n', "compute.replication"),
        ("[compute]\nreplication = 3.0\n", "compute.replication"),
        ("[compute]\nreplication = true\n", "compute.replication"),
        ("[compute]\nreplication = 0\n", "compute.replication"),
        ("[network]\ngossip_ttl = 65\n", "network.gossip_ttl"),
        ("[consensus]\napproval_fraction = 0.4\n", "consensus.approval_fraction"),
        ('[consensus]\napproval_fraction = "0.7"\n', "consensus.approval_fraction"),
        ("[consensus]\napproval_fraction = inf\n", "consensus.approval_fraction"),
        ("[health]\nenabled = 1\n", "health.enabled"),
        ('[health]\nenabled = "yes"\n', "health.enabled"),
        ("[network]\nmax_frame_size = 4194304\n", "network.max_frame_size"),
        ('[network]\nmax_frame_size = "4"\n', "network.max_frame_size"),
        ('[network]\nmax_frame_size = "512B"\n', "network.max_frame_size"),
        ("[network]\nrequest_timeout = 10\n", "network.request_timeout"),
        ('[network]\nrequest_timeout = "0s"\n', "network.request_timeout"),
        ('[network]\nrequest_timeout = "10 parsecs"\n', "network.request_timeout"),
        ('[network]\npeers = "a:1"\n', "network.peers"),
        ("[network]\npeers = [1, 2]\n", "network.peers"),
        ('[health]\nlisten = "localhost"\n', "health.listen"),
        ('[health]\nlisten = "localhost:99999"\n', "health.listen"),
        ('[health]\nlisten = "[not-an-ip]:80"\n', "health.listen"),
        ('[health]\nlisten = ":80"\n', "health.listen"),
        ('[plugins.loading]\non_error = "explode"\n', "plugins.loading.on_error"),
        ('[plugins]\nexecutor = ""\n', "plugins.executor"),
        ("[plugins]\nexecutor = { fuel = 5 }\n", "plugins.executor"),
        ("[plugins]\nexecutor = 5\n", "plugins.executor"),
        ('[plugins]\ncircuits = "transfer"\n', "plugins.circuits"),
        ("compute = 5\n", "compute"),
    ],
)
def test_a_wrong_value_is_an_error_naming_its_path_and_the_file(
    tmp_path: Path, text: str, path: str
) -> None:
    message = config_error(tmp_path, text)
    assert f"{path}:" in message
    assert str(tmp_path / "paraloom.toml") in message


def test_every_problem_of_a_file_is_reported_in_one_error(tmp_path: Path) -> None:
    message = config_error(
        tmp_path,
        """
bogus = 1

[compute]
replication = "many"
retries = -1
distribution_timeout = "soon"

[network]
max_frame_size = 12
gossip_ttl = 0

[plugins.loading]
on_error = "maybe"
extra = true
""",
    )
    paths = [
        "bogus",
        "compute.replication",
        "compute.retries",
        "compute.distribution_timeout",
        "network.max_frame_size",
        "network.gossip_ttl",
        "plugins.loading.on_error",
        "plugins.loading.extra",
    ]
    assert message.startswith(str(tmp_path / "paraloom.toml"))
    assert f"{len(paths)} problems" in message
    listed = [line for line in message.splitlines() if line.startswith("  - ")]
    assert len(listed) == len(paths)
    for path in paths:
        assert any(line.startswith(f"  - {path}:") for line in listed), path


def test_invalid_toml_syntax_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    message = config_error(tmp_path, "[compute\nreplication = 3\n")
    assert str(tmp_path / "paraloom.toml") in message
    assert "invalid TOML" in message


def test_a_file_that_is_not_utf8_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[node]\ndata_dir = "/caf\xe9"\n')
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        load_config(path, environ=NO_ENV)


def test_a_missing_file_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "paraloom.toml"
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        load_config(path, environ=NO_ENV)


# -- selections -------------------------------------------------------------------------------


def test_a_selection_is_a_name_or_an_inline_table_whose_options_are_kept_raw(
    tmp_path: Path,
) -> None:
    config = load_text(
        tmp_path,
        """
[plugins]
transport = "memory"
executor = { name = "wasmtime", memory_limit = "64MiB", fuel = 1_000, timeout = "30s" }
circuits = ["transfer", { name = "withdraw", depth = 20 }]
""",
    )
    assert config.plugins.transport == Selection("transport", "memory")
    assert config.plugins.executor == Selection(
        "executor", "wasmtime", {"memory_limit": "64MiB", "fuel": 1000, "timeout": "30s"}
    )
    assert config.plugins.circuits == (
        Selection("circuit", "transfer"),
        Selection("circuit", "withdraw", {"depth": 20}),
    )


def test_a_selection_may_be_written_as_a_table(tmp_path: Path) -> None:
    config = load_text(tmp_path, '[plugins.executor]\nname = "example"\nconcurrent_jobs = 2\n')
    assert config.plugins.executor == Selection("executor", "example", {"concurrent_jobs": 2})


def test_selection_options_are_not_checked_by_the_config(tmp_path: Path) -> None:
    # whether "wasmtime" accepts `nonsense` depends on the installed plugin: checked when used
    config = load_text(tmp_path, '[plugins]\nexecutor = { name = "nope", nonsense = 1 }\n')
    assert config.plugins.executor == Selection("executor", "nope", {"nonsense": 1})


# -- precedence -------------------------------------------------------------------------------


def test_precedence_is_cli_then_environment_then_file_then_default(tmp_path: Path) -> None:
    path = write(tmp_path, "[compute]\nreplication = 4\n")
    env = {"PARALOOM_COMPUTE_REPLICATION": "5"}
    cli = {"compute.replication": "6"}

    config = load_config(path, environ=env, overrides=cli)
    assert config.compute.replication == 6
    assert config.origin("compute.replication") == "--set"

    config = load_config(path, environ=env)
    assert config.compute.replication == 5
    assert config.origin("compute.replication") == "$PARALOOM_COMPUTE_REPLICATION"

    config = load_config(path, environ=NO_ENV)
    assert config.compute.replication == 4
    assert config.origin("compute.replication") == "file"

    config = load_config(None, environ=NO_ENV)
    assert config.compute.replication == 3
    assert config.origin("compute.replication") == "default"


def test_each_setting_takes_its_own_highest_source(tmp_path: Path) -> None:
    path = write(tmp_path, "[compute]\nreplication = 4\nretries = 2\n")
    config = load_config(
        path,
        environ={"PARALOOM_COMPUTE_RETRIES": "7", "PARALOOM_NETWORK_GOSSIP_TTL": "9"},
        overrides={"consensus.vote_timeout": "5s"},
    )
    assert (config.compute.replication, config.origin("compute.replication")) == (4, "file")
    assert (config.compute.retries, config.origin("compute.retries")) == (
        7,
        "$PARALOOM_COMPUTE_RETRIES",
    )
    assert (config.network.gossip_ttl, config.origin("network.gossip_ttl")) == (
        9,
        "$PARALOOM_NETWORK_GOSSIP_TTL",
    )
    assert (config.consensus.vote_timeout, config.origin("consensus.vote_timeout")) == (
        5.0,
        "--set",
    )
    assert config.origin("compute.heartbeat_interval") == "default"


def test_unrelated_environment_variables_are_ignored() -> None:
    config = load_config(environ={"HOME": "/root", "PATH": "/bin", "REPLICATION": "9"})
    assert config == Config()


def test_a_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"\$PARALOOM_COMPUTE_REPLICATION") as caught:
        load_config(environ={"PARALOOM_COMPUTE_REPLICATION": "lots"})
    assert "compute.replication" in str(caught.value)


def test_a_bad_override_names_the_option_and_says_it_came_from_set() -> None:
    with pytest.raises(ConfigError, match="from --set") as caught:
        load_config(environ=NO_ENV, overrides={"network.request_timeout": "10"})
    assert "network.request_timeout" in str(caught.value)


def test_an_override_of_an_unknown_setting_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"compute\.replicaton"):
        load_config(environ=NO_ENV, overrides={"compute.replicaton": "5"})


# -- environment and --set text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("compute.replication", "5", 5),
        ("compute.max_fuel", "1_000_000", 1_000_000),
        ("reputation.incorrect_vote", "-70", -70),
        ("consensus.approval_fraction", "0.75", 0.75),
        ("consensus.approval_fraction", "1", 1.0),
        ("health.enabled", "false", False),
        ("health.enabled", "FALSE", False),
        ("health.enabled", "no", False),
        ("health.enabled", "off", False),
        ("health.enabled", "0", False),
        ("health.enabled", "true", True),
        ("health.enabled", " Yes ", True),
        ("health.enabled", "on", True),
        ("health.enabled", "1", True),
        ("network.peers", "10.0.0.1:7400, 10.0.0.2:7400", ("10.0.0.1:7400", "10.0.0.2:7400")),
        ("network.peers", "a:1,,b:2,", ("a:1", "b:2")),
        ("network.peers", "", ()),
        ("plugins.loading.on_error", "fail", "fail"),
        ("network.max_frame_size", "8MiB", 8 * 2**20),
        ("network.max_frame_size", "1.5 MiB", 3 * 2**19),
        ("network.request_timeout", "1m30s", 90.0),
        ("network.request_timeout", "250ms", 0.25),
        ("health.listen", "0.0.0.0:9300", ("0.0.0.0", 9300)),
        ("health.listen", "[::1]:7400", ("::1", 7400)),
        ("health.listen", "localhost:80", ("localhost", 80)),
        ("node.data_dir", "/var/lib/paraloom", "/var/lib/paraloom"),
        ("plugins.executor", "example", Selection("executor", "example")),
        (
            "plugins.circuits",
            "transfer, withdraw",
            (Selection("circuit", "transfer"), Selection("circuit", "withdraw")),
        ),
    ],
)
def test_environment_and_cli_text_parse_for_every_kind(
    path: str, text: str, expected: object
) -> None:
    env_name = "PARALOOM_" + path.replace(".", "_").upper()
    from_env = load_config(environ={env_name: text})
    from_cli = load_config(environ=NO_ENV, overrides={path: text})
    assert setting_value(from_env, path) == expected
    assert setting_value(from_cli, path) == expected
    assert from_env.origin(path) == f"${env_name}"
    assert from_cli.origin(path) == "--set"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("compute.replication", "five"),
        ("compute.replication", "1.5"),
        ("compute.replication", "0"),
        ("compute.replication", ""),
        ("consensus.approval_fraction", "most"),
        ("consensus.approval_fraction", "0.2"),
        ("consensus.approval_fraction", "inf"),
        ("health.enabled", "maybe"),
        ("health.enabled", ""),
        ("plugins.loading.on_error", "explode"),
        ("network.max_frame_size", "4096"),
        ("network.max_frame_size", "4 parsecs"),
        ("network.request_timeout", "10"),
        ("network.request_timeout", "-1s"),
        ("health.listen", "9300"),
        ("health.listen", "host:port"),
        ("health.listen", "host:70000"),
        ("health.listen", "[localhost]:80"),
        ("plugins.executor", ""),
    ],
)
def test_bad_environment_and_cli_text_is_refused(path: str, text: str) -> None:
    env_name = "PARALOOM_" + path.replace(".", "_").upper()
    with pytest.raises(ConfigError, match=re.escape(path)):
        load_config(environ={env_name: text})
    with pytest.raises(ConfigError, match=re.escape(path)):
        load_config(environ=NO_ENV, overrides={path: text})


def test_parse_assignments_splits_on_the_first_equals_sign() -> None:
    assert parse_assignments(
        ("compute.replication=5", " node.data_dir =/a=b", "network.peers=")
    ) == {"compute.replication": "5", "node.data_dir": "/a=b", "network.peers": ""}


@pytest.mark.parametrize("assignment", ["novalue", "=5", " =5"])
def test_parse_assignments_refuses_what_is_not_key_equals_value(assignment: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(assignment)):
        parse_assignments(("compute.replication=5", assignment))


# -- `paraloom init` ---------------------------------------------------------------------------


def test_the_rendered_default_config_loads_back_to_the_defaults(tmp_path: Path) -> None:
    rendered = render_default_config()
    path = write(tmp_path, rendered)
    config = load_config(path, environ=NO_ENV)
    assert config == Config()
    # every setting is written out, so every value came from the file
    missing = [p for p in SLOT_PATHS if config.origin(p) != "file"]
    assert missing == []


def test_the_rendered_default_config_mentions_every_setting() -> None:
    table = tomllib.loads(render_default_config())
    for path in SLOT_PATHS:
        node: Any = table
        for part in path.split("."):
            assert isinstance(node, dict)
            assert part in node, path
            node = node[part]
    assert render_default_config().count("\n# ") >= len(SLOT_PATHS)  # a comment per setting


# -- generated values -------------------------------------------------------------------------

INT_SLOTS = [slot for slot in SLOTS if isinstance(slot.option.kind, Int)]
FLOAT_SLOTS = [slot for slot in SLOTS if isinstance(slot.option.kind, Float)]
SIZE_SLOTS = [slot for slot in SLOTS if isinstance(slot.option.kind, Size)]
DURATION_SLOTS = [slot for slot in SLOTS if isinstance(slot.option.kind, Duration)]


def test_every_numeric_kind_has_settings_to_generate_for() -> None:
    assert INT_SLOTS
    assert FLOAT_SLOTS
    assert SIZE_SLOTS
    assert DURATION_SLOTS


@st.composite
def valid_setting(draw: st.DrawFn) -> tuple[str, Any, Any]:
    """(path, TOML value, expected loaded value) for an Int, Float, Size or Duration setting."""
    slot = draw(st.sampled_from(INT_SLOTS + FLOAT_SLOTS + SIZE_SLOTS + DURATION_SLOTS))
    kind = slot.option.kind
    if isinstance(kind, Int):
        low = -(2**63) if kind.minimum is None else kind.minimum
        high = 2**63 - 1 if kind.maximum is None else kind.maximum
        number = draw(st.integers(min_value=low, max_value=high))
        return slot.path, number, number
    if isinstance(kind, Float):
        real = draw(st.floats(min_value=kind.minimum, max_value=kind.maximum, allow_nan=False))
        return slot.path, real, real
    if isinstance(kind, Size):
        size = draw(st.integers(min_value=kind.minimum, max_value=2**50))
        return slot.path, format_size(size), size
    assert isinstance(kind, Duration)
    lowest = math.ceil(kind.minimum * 10**9)
    nanoseconds = draw(st.integers(min_value=lowest, max_value=10**16))
    seconds = float(Fraction(nanoseconds, 10**9))
    return slot.path, format_duration(seconds), seconds


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(valid_setting(), min_size=1, max_size=6, unique_by=lambda item: item[0]))
def test_valid_numeric_values_written_to_a_file_load_back_equal(
    tmp_path: Path, chosen: list[tuple[str, Any, Any]]
) -> None:
    path = write(tmp_path, toml_document({p: raw for p, raw, _ in chosen}))
    config = load_config(path, environ=NO_ENV)
    for setting, _, expected in chosen:
        assert setting_value(config, setting) == expected
        assert config.origin(setting) == "file"


toml_scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["64MiB", "30s", "0s", "1.5", "[::1]:80", "a:1", "true", "fail", "", "-1"]),
)
toml_values = st.recursive(
    toml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(min_size=1, max_size=6), children, max_size=3),
    ),
    max_leaves=6,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(st.sampled_from(SLOT_PATHS), toml_values, min_size=1, max_size=4),
)
def test_junk_values_are_accepted_or_refused_with_a_config_error(
    tmp_path: Path, junk: dict[str, Any]
) -> None:
    path = write(tmp_path, toml_document(junk))
    try:
        load_config(path, environ=NO_ENV)
    except ConfigError as error:
        message = str(error)
    else:
        return
    assert str(path) in message


@settings(max_examples=150)
@given(st.sampled_from(SLOT_PATHS), st.text(max_size=20))
def test_junk_text_from_the_environment_is_accepted_or_a_config_error(path: str, text: str) -> None:
    env_name = "PARALOOM_" + path.replace(".", "_").upper()
    try:
        load_config(environ={env_name: text})
    except ConfigError as error:
        message = str(error)
    else:
        return
    assert env_name in message


# -- known bugs -------------------------------------------------------------------------------


def test_nan_is_refused_for_a_bounded_float_in_a_file(tmp_path: Path) -> None:
    config_error(tmp_path, "[consensus]\napproval_fraction = nan\n")


def test_nan_is_refused_for_a_bounded_float_from_the_environment() -> None:
    with pytest.raises(ConfigError):
        load_config(environ={"PARALOOM_CONSENSUS_APPROVAL_FRACTION": "nan"})


def test_a_huge_integer_for_a_float_setting_is_a_config_error(tmp_path: Path) -> None:
    config_error(tmp_path, "[consensus]\napproval_fraction = " + "9" * 400 + "\n")


def test_a_huge_duration_is_a_config_error(tmp_path: Path) -> None:
    config_error(tmp_path, '[network]\nrequest_timeout = "1' + "0" * 400 + 's"\n')


@pytest.mark.parametrize("text", ["[::1:7400", "::1:7400"])
def test_an_address_with_a_malformed_or_unbracketed_ipv6_host_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match=r"health\.listen"):
        load_config(environ={"PARALOOM_HEALTH_LISTEN": text})
