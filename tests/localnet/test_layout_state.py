"""The files of a localnet and the user's record of the current one, without processes.

Oracles: :func:`paraloom.config.load_config` reads back each node's config, the identity key
files give the node ids, and the manifest is compared with what was written.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from paraloom.cli.main import paraloom_cli
from paraloom.config import TestingSettings, load_config
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import LocalnetError
from paraloom.localnet import state
from paraloom.localnet.layout import (
    MANIFEST,
    LocalnetLayout,
    NodeLayout,
    create_layout,
    load_layout,
    parse_fault,
    save_manifest,
)
from paraloom.localnet.processes import _child_environment
from paraloom.network.tcp import parse_peer
from paraloom.options import options_of


def test_the_first_five_nodes_form_the_coordinator_set_every_node_knows(tmp_path: Path) -> None:
    layout = create_layout(tmp_path / "net", 7)
    members = [node for node in layout.nodes if node.coordinator]
    assert [node.name for node in members] == [f"node{index}" for index in range(5)]
    for node in layout.nodes:
        keys = load_config(node.config_path, environ={}).coordinator.members
        named = {hashlib.sha256(bytes.fromhex(key)).hexdigest() for key in keys}
        assert named == {member.node_id for member in members}


def test_layout_wires_every_node_to_every_other(tmp_path: Path) -> None:
    layout = create_layout(tmp_path / "net", 3)
    assert [node.coordinator for node in layout.nodes] == [True, True, True]
    ports = [p for n in layout.nodes for p in (n.transport_port, n.api_port, n.health_port)]
    assert len(set(ports)) == len(ports)
    for node in layout.nodes:
        config = load_config(node.config_path, environ={})
        transport = config.plugins.transport
        assert transport.name == "tcp"
        peers = dict(parse_peer(peer) for peer in transport.options["peers"])
        others = {other.node_id for other in layout.nodes if other is not node}
        assert set(peers) == others
        assert transport.options["listen"] == f"127.0.0.1:{node.transport_port}"
        assert config.node.api_listen == ("127.0.0.1", node.api_port)
        assert config.health.listen == ("127.0.0.1", node.health_port)
        assert Path(config.node.data_dir).parent == node.directory
        assert NodeIdentity.load(config.node.identity_key).node_id_hex == node.node_id


def test_manifest_round_trip_and_refusals(tmp_path: Path) -> None:
    directory = tmp_path / "net"
    layout = create_layout(directory, 2)
    assert load_layout(directory) == layout
    with pytest.raises(LocalnetError, match="already holds a localnet"):
        create_layout(directory, 2)
    with pytest.raises(LocalnetError, match="at least one validator"):
        create_layout(tmp_path / "other", 0)
    with pytest.raises(LocalnetError, match="no localnet in"):
        load_layout(tmp_path / "missing")
    (directory / MANIFEST).write_text('{"nodes": [{"name": 1}]}')
    with pytest.raises(LocalnetError, match="not a localnet manifest"):
        load_layout(directory)
    (directory / MANIFEST).write_text('{"nodes": []}')
    with pytest.raises(LocalnetError, match="lists no nodes"):
        load_layout(directory)


def test_a_new_layout_in_an_old_place_keeps_the_node_ids(tmp_path: Path) -> None:
    first = create_layout(tmp_path / "net", 2)
    first.manifest_path.unlink()
    second = create_layout(tmp_path / "net", 2)
    assert [n.node_id for n in second.nodes] == [n.node_id for n in first.nodes]


_NODES = st.builds(
    NodeLayout,
    name=st.text(min_size=1, max_size=12),
    directory=st.just(Path("/x")),
    node_id=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    coordinator=st.booleans(),
    transport_port=st.integers(1, 65535),
    api_port=st.integers(1, 65535),
    health_port=st.integers(1, 65535),
)


@given(nodes=st.lists(_NODES, min_size=1, max_size=5))
def test_manifest_codec_round_trips(
    tmp_path_factory: pytest.TempPathFactory, nodes: list[NodeLayout]
) -> None:
    directory = tmp_path_factory.mktemp("manifest")
    layout = LocalnetLayout(directory, tuple(nodes))
    save_manifest(layout)
    assert load_layout(directory) == layout


def test_state_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(state.STATE_DIR_ENV, raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    assert state.state_dir() == tmp_path / "home" / ".local" / "state" / "paraloom"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state.state_dir() == tmp_path / "xdg" / "paraloom"
    monkeypatch.setenv(state.STATE_DIR_ENV, str(tmp_path / "explicit"))
    assert state.state_dir() == tmp_path / "explicit"


def test_current_localnet_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(state.STATE_DIR_ENV, str(tmp_path / "state"))
    assert state.default_node_url() is None
    with pytest.raises(LocalnetError, match="no current localnet"):
        state.localnet_dir(None)
    fresh = state.new_localnet_dir()
    assert fresh.parent == tmp_path / "state" / "localnets"
    layout = create_layout(fresh, 2)
    state.record_current(fresh)
    assert state.localnet_dir(None) == fresh.resolve()
    assert state.localnet_dir(tmp_path) == tmp_path
    assert state.default_node_url() == layout.entry.api_url
    state.forget_current(tmp_path / "elsewhere")
    assert state.current_localnet() == fresh.resolve()
    state.forget_current(fresh)
    assert state.current_localnet() is None
    state.record_current(fresh)
    layout.manifest_path.unlink()
    assert state.default_node_url() is None


def test_compute_commands_default_to_the_current_localnet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing runs here: which node a command tried shows in its 'cannot reach' line."""
    env = {state.STATE_DIR_ENV: str(tmp_path / "state"), "PARALOOM_CONFIG": ""}
    monkeypatch.setenv(state.STATE_DIR_ENV, env[state.STATE_DIR_ENV])
    layout = create_layout(tmp_path / "net", 1)
    state.record_current(layout.directory)
    status = ["compute", "status", "ab" * 32]
    implicit = CliRunner().invoke(paraloom_cli, status, env=env)
    assert implicit.exit_code == 1
    assert f"cannot reach node {layout.entry.api_url}" in implicit.output
    configured = ["--set", "node.api_listen=127.0.0.1:9", *status]
    explicit = CliRunner().invoke(paraloom_cli, configured, env=env)
    assert "cannot reach node http://127.0.0.1:9" in explicit.output
    flagged = CliRunner().invoke(paraloom_cli, [*status, "--node", "http://127.0.0.1:7"], env=env)
    assert "cannot reach node http://127.0.0.1:7" in flagged.output


def test_children_do_not_inherit_settings_variables() -> None:
    environment = {
        "PATH": "/bin",
        "PARALOOM_CACHE_DIR": "/c",
        "PARALOOM_STATE_DIR": "/s",
        "PARALOOM_CONFIG": "/etc/x.toml",
        "PARALOOM_NODE_API_LISTEN": "127.0.0.1:1",
        "PARALOOM_HEALTH_ENABLED": "false",
    }
    assert _child_environment(environment) == {
        "PATH": "/bin",
        "PARALOOM_CACHE_DIR": "/c",
        "PARALOOM_STATE_DIR": "/s",
    }


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("node3:wrong_results=true", ("node3", "wrong_results", 1.0)),
        ("node0:drop_votes=0.25", ("node0", "drop_votes", 0.25)),
        ("node2:slow_replies=2s", ("node2", "slow_replies", "2s")),
    ],
)
def test_a_fault_spec_reads_as_the_option_reads_text(
    spec: str, parsed: tuple[str, str, object]
) -> None:
    node, key, value = parse_fault(spec)
    assert (node, key) == parsed[:2]
    option = {o.key: o for o in options_of(TestingSettings)}[key]
    assert option.kind.parse(value) == option.kind.parse(parsed[2])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("node3", "expected NODE:KEY=VALUE"),
        ("node3:wrong_results", "expected NODE:KEY=VALUE"),
        (":wrong_results=true", "expected NODE:KEY=VALUE"),
        ("node3:lie=true", "unknown fault 'lie'"),
        ("node3:localnet=/tmp", "unknown fault 'localnet'"),
        ("node3:drop_votes=2", "drop_votes|1.0"),
        ("node3:slow_replies=soon", "not a duration"),
    ],
)
def test_a_bad_fault_spec_is_refused_naming_it(spec: str, message: str) -> None:
    with pytest.raises(LocalnetError, match=message):
        parse_fault(spec)


def test_localnet_up_refuses_a_fault_for_a_node_it_would_not_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        paraloom_cli,
        [
            "localnet",
            "up",
            "--validators",
            "2",
            "--dir",
            str(tmp_path / "net"),
            "--fault",
            "node2:wrong_results=true",
        ],
    )
    assert result.exit_code == 2
    assert "no node 'node2' among node0..node1" in result.output
    assert not (tmp_path / "net").exists()
