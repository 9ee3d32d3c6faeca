"""The files of a localnet: one directory per node with its config, identity key, database
and log, and a manifest (``localnet.json``) that `status` and `down` read back.

Ports are chosen by binding port 0 on loopback, all sockets held open until every port is
picked so that no two nodes get the same one. Every node is a validator; the first
:data:`COORDINATOR_SET` nodes form the coordinator set (``coordinator.members``), which elects
the primary among them and replaces it when it fails. The first node gets the health
endpoints on 127.0.0.1:9300 when that port is free. Every node lists every other as a peer, so
connections come up whichever node starts first.

Every node's config names the localnet in ``testing.localnet``, the marker that lets a node
run the ``[testing]`` faults given for it to :func:`create_layout`
(:mod:`paraloom.node.faults`).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

from paraloom.config import TestingSettings, toml_literal
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import LocalnetError
from paraloom.formats.files import atomic_write
from paraloom.options import OptionValueError, TomlValue, options_of

MANIFEST = "localnet.json"
HOST = "127.0.0.1"
HEALTH_PORT = 9300
#: Short redial delays: a localnet's nodes start within seconds of each other.
BACKOFF_MAX = "1s"
#: Members of a localnet's coordinator set: enough to survive two failures, few enough that
#: every snapshot reaches them all quickly.
COORDINATOR_SET = 5


@dataclass(frozen=True)
class NodeLayout:
    """One node's place on disk and on loopback."""

    name: str
    directory: Path
    node_id: str
    coordinator: bool
    transport_port: int
    api_port: int
    health_port: int

    @property
    def config_path(self) -> Path:
        return self.directory / "paraloom.toml"

    @property
    def key_path(self) -> Path:
        return self.directory / "identity.key"

    @property
    def log_path(self) -> Path:
        return self.directory / "node.log"

    @property
    def pid_path(self) -> Path:
        return self.directory / "node.pid"

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    @property
    def health_url(self) -> str:
        return f"http://{HOST}:{self.health_port}"

    @property
    def peer_address(self) -> str:
        return f"{self.node_id}@{HOST}:{self.transport_port}"

    @property
    def role(self) -> str:
        """``coordinator`` marks a member of the coordinator set, which one is primary is
        elected (`localnet status` asks the nodes)."""
        return "validator, coordinator set" if self.coordinator else "validator"


@dataclass(frozen=True)
class LocalnetLayout:
    """All nodes of one localnet."""

    directory: Path
    nodes: tuple[NodeLayout, ...]

    @property
    def entry(self) -> NodeLayout:
        """The node clients talk to by default; any node forwards to the primary."""
        return self.nodes[0]

    @property
    def manifest_path(self) -> Path:
        return self.directory / MANIFEST


#: ``[testing]`` settings per node name, e.g. ``{"node2": {"wrong_results": True}}``.
NodeFaults = Mapping[str, Mapping[str, TomlValue]]


def create_layout(
    directory: Path,
    validators: int,
    settings: Mapping[str, Mapping[str, TomlValue]] | None = None,
    faults: NodeFaults | None = None,
) -> LocalnetLayout:
    """Write the configs, keys and manifest of a new localnet in ``directory``.

    A directory that already holds a localnet is refused. Identity keys left by an earlier
    localnet in the same place are kept, so a restarted localnet keeps its node ids and data.
    ``settings`` adds config tables to every node (``{"compute": {"heartbeat_interval":
    "1s"}}``), as the demo does for short intervals. ``faults`` go into the ``[testing]``
    table of the nodes they name, checked here so that a typo fails before any node starts.
    """
    if validators < 1:
        raise LocalnetError(f"a localnet needs at least one validator, not {validators}")
    faults = faults or {}
    _check_faults(faults, validators)
    if (directory / MANIFEST).exists():
        raise LocalnetError(
            f"{directory} already holds a localnet; stop it with "
            f"`paraloom localnet down --dir {directory}` or choose another --dir"
        )
    ports = iter(_free_ports(3 * validators))
    health_ports = [
        _health_port(ports) if index == 0 else next(ports) for index in range(validators)
    ]
    nodes = tuple(
        _node(directory, index, next(ports), next(ports), health_ports[index])
        for index in range(validators)
    )
    layout = LocalnetLayout(directory, nodes)
    members = [_identity(node.key_path).public_key.hex() for node in nodes if node.coordinator]
    for node in nodes:
        tables = _with_members(settings or {}, members)
        tables = _with_testing(tables, directory, faults.get(node.name, {}))
        _write_config(node, [peer.peer_address for peer in nodes if peer is not node], tables)
    save_manifest(layout)
    return layout


def load_layout(directory: Path) -> LocalnetLayout:
    """The localnet whose manifest is in ``directory``."""
    path = directory / MANIFEST
    try:
        document = json.loads(path.read_text())
        nodes = tuple(
            NodeLayout(**{**entry, "directory": Path(entry["directory"])})
            for entry in document["nodes"]
        )
    except FileNotFoundError:
        raise LocalnetError(f"no localnet in {directory} (no {MANIFEST})") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise LocalnetError(f"{path}: not a localnet manifest ({error})") from None
    if not nodes:
        raise LocalnetError(f"{path}: the manifest lists no nodes")
    return LocalnetLayout(directory, nodes)


def save_manifest(layout: LocalnetLayout) -> None:
    nodes = [{**asdict(node), "directory": str(node.directory)} for node in layout.nodes]
    with atomic_write(layout.manifest_path) as stream:
        stream.write(json.dumps({"nodes": nodes}, indent=2).encode())


def _node(directory: Path, index: int, transport: int, api: int, health: int) -> NodeLayout:
    name = f"node{index}"
    node_dir = directory / name
    node_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    identity = _identity(node_dir / "identity.key")
    member = index < COORDINATOR_SET
    return NodeLayout(name, node_dir, identity.node_id_hex, member, transport, api, health)


def _identity(path: Path) -> NodeIdentity:
    if path.exists():
        return NodeIdentity.load(path)
    identity = NodeIdentity.generate()
    identity.save(path)
    return identity


def _write_config(
    node: NodeLayout, peers: list[str], settings: Mapping[str, Mapping[str, TomlValue]] | None
) -> None:
    transport = {
        "name": "tcp",
        "listen": f"{HOST}:{node.transport_port}",
        "identity_key": str(node.key_path),
        "peers": peers,
        "backoff_max": BACKOFF_MAX,
    }
    text = "\n".join(
        [
            f"# localnet node {node.name} ({node.role}); written by `paraloom localnet up`",
            "[plugins]",
            f"transport = {toml_literal(transport)}",
            "[health]",
            f"listen = {toml_literal(f'{HOST}:{node.health_port}')}",
            "[node]",
            f"data_dir = {toml_literal(str(node.directory / 'data'))}",
            f"identity_key = {toml_literal(str(node.key_path))}",
            f"api_listen = {toml_literal(f'{HOST}:{node.api_port}')}",
            *_tables(settings or {}),
            "",
        ]
    )
    with atomic_write(node.config_path) as stream:
        stream.write(text.encode())


def parse_fault(spec: str) -> tuple[str, str, TomlValue]:
    """``NODE:KEY=VALUE`` (``node3:wrong_results=true``) as the node, the ``[testing]`` key and
    its TOML value, the value read as the key's option reads text."""
    node, colon, setting = spec.partition(":")
    key, equals, text = setting.partition("=")
    if not (colon and equals and node and key and text):
        raise LocalnetError(
            f"fault {spec!r}: expected NODE:KEY=VALUE, e.g. node3:wrong_results=true"
        )
    options = {option.key: option for option in options_of(TestingSettings)}
    if key not in options or key == "localnet":
        known = ", ".join(k for k in options if k != "localnet")
        raise LocalnetError(f"fault {spec!r}: unknown fault {key!r} (known: {known})")
    kind = options[key].kind
    try:
        return node, key, kind.to_toml(kind.parse_text(text))
    except OptionValueError as error:
        raise LocalnetError(f"fault {spec!r}: {error}") from None


def _check_faults(faults: NodeFaults, validators: int) -> None:
    names = {f"node{index}" for index in range(validators)}
    options = {option.key: option for option in options_of(TestingSettings)}
    for name, values in faults.items():
        if name not in names:
            raise LocalnetError(f"faults for {name!r}: no such node (node0..node{validators - 1})")
        for key, value in values.items():
            if key not in options or key == "localnet":
                raise LocalnetError(f"faults for {name}: unknown fault {key!r}")
            try:
                options[key].kind.parse(value)
            except OptionValueError as error:
                raise LocalnetError(f"faults for {name}: {key}: {error}") from None


def _with_members(
    settings: Mapping[str, Mapping[str, TomlValue]], members: list[str]
) -> dict[str, Mapping[str, TomlValue]]:
    """``settings`` with the coordinator set, unless the caller chose one."""
    coordinator = {"members": members, **settings.get("coordinator", {})}
    return {**settings, "coordinator": coordinator}


def _with_testing(
    settings: Mapping[str, Mapping[str, TomlValue]],
    directory: Path,
    faults: Mapping[str, TomlValue],
) -> dict[str, Mapping[str, TomlValue]]:
    """``settings`` with the ``[testing]`` table of one node: the localnet marker, its faults."""
    testing = {**settings.get("testing", {}), "localnet": str(directory), **faults}
    return {**settings, "testing": testing}


def _tables(settings: Mapping[str, Mapping[str, TomlValue]]) -> list[str]:
    """TOML lines of extra config tables."""
    lines = []
    for table, values in settings.items():
        lines.append(f"[{table}]")
        lines.extend(f"{key} = {toml_literal(value)}" for key, value in values.items())
    return lines


def _free_ports(count: int) -> list[int]:
    """``count`` distinct loopback ports the system had free a moment ago."""
    with ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind((HOST, 0))
        return [int(probe.getsockname()[1]) for probe in probes]


def _health_port(spare: Iterator[int]) -> int:
    """9300 when nothing listens there (as SO_REUSEADDR judges it, like the node's own
    server), else a spare port."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, HEALTH_PORT))
        except OSError:
            return next(spare)
    return HEALTH_PORT
