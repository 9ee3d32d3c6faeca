"""The client API over real HTTP on loopback, its refusals, and the parsers under it."""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.request
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paraloom.compute.messages import JobLimits
from paraloom.crypto.identity import NodeIdentity
from paraloom.errors import ConfigError, FormatError, NodeApiError
from paraloom.network.memory import MemoryNetwork, MemoryTransport
from paraloom.node.api import require_loopback
from paraloom.node.client import NodeClient, _job_id
from paraloom.node.http import HttpRequest, HttpResponse, HttpServer
from paraloom.node.node import Node
from paraloom.node.protocol import (
    Accepted,
    ApiCall,
    ApiReply,
    Dispatcher,
    Refused,
    Register,
    ValidatorHeartbeat,
)

from .node_harness import CAPACITY, LIMITS, localnet, node_config

MAX = 64 * 1024


def _raw(url: str, method: str, path: str, body: bytes) -> tuple[int, dict[str, object]]:
    """One request without the client's conveniences, to see statuses as they are."""
    request = urllib.request.Request(url + path, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def test_status_and_refusals_over_http(tmp_path: Path) -> None:
    async with localnet(tmp_path, validators=1, overrides={"compute.replication": "1"}) as net:
        url = net.api_url(net.validators[0])
        status, document = await asyncio.to_thread(_raw, url, "GET", "/status", b"")
        assert status == 200
        assert document["node_id"] == net.validators[0].node_id
        assert document["known_coordinator"] == net.coordinator.node_id

        missing = "ab" * 32
        status, document = await asyncio.to_thread(_raw, url, "GET", f"/jobs/{missing}", b"")
        assert status == 404
        assert missing in str(document["error"])
        cases = [
            ("POST", "/jobs", b"not json", 400),
            ("POST", "/jobs", b"[1]", 400),
            ("POST", "/jobs", b'{"spec": "***"}', 400),
            ("POST", "/jobs", json.dumps({"spec": base64.b64encode(b"x").decode()}).encode(), 400),
            ("POST", "/jobs/plan", b'{"replication": 0}', 400),
            ("POST", "/jobs/plan", b'{"replication": 5}', 503),
            ("DELETE", "/jobs", b"", 404),
            ("GET", f"/jobs/{missing}/result", b"", 404),
        ]
        for method, path, body, expected in cases:
            status, document = await asyncio.to_thread(_raw, url, method, path, body)
            assert status == expected, (method, path, body, document)
            assert document["error"]


async def test_plan_names_registered_validators_with_their_keys(tmp_path: Path) -> None:
    async with localnet(tmp_path, validators=3) as net:
        client = NodeClient(net.api_url(net.coordinator))
        plan = await asyncio.to_thread(client.call, "POST", "/jobs/plan", {"replication": 2})
        recipients = {r["node_id"]: r["encryption_key"] for r in plan["recipients"]}
        expected = {
            node.node_id: node.identity.encryption_key().public_key().public_bytes_raw().hex()
            for node in net.validators
        }
        assert recipients == expected


async def test_client_names_unreachable_node_and_refusals(tmp_path: Path) -> None:
    async with localnet(tmp_path, validators=1) as net:
        url = net.api_url(net.coordinator)
    with pytest.raises(NodeApiError, match="cannot reach node"):
        await asyncio.to_thread(NodeClient(url, timeout=2).status, "cd" * 32)
    with pytest.raises(FormatError, match="64 hex digits"):
        NodeClient(url).status("nope")


async def test_node_without_a_coordinator_answers_503(tmp_path: Path) -> None:
    node = Node(
        node_config(tmp_path),
        NodeIdentity.generate(),
        MemoryTransport(MemoryNetwork(), MAX),
        _NeverRuns(),
        validator_options=CAPACITY,
    )
    await node.start()
    try:
        assert node.api_address is not None
        url = f"http://{node.api_address[0]}:{node.api_address[1]}"
        status, document = await asyncio.to_thread(_raw, url, "GET", "/jobs/" + "ef" * 32, b"")
        assert status == 503
        assert "no coordinator" in str(document["error"])
        assert not node.ready()
    finally:
        await node.stop()


async def test_api_refuses_to_listen_beyond_loopback(tmp_path: Path) -> None:
    config = node_config(tmp_path, {"node.api_listen": "0.0.0.0:0"})
    transport = MemoryTransport(MemoryNetwork(), MAX)
    node = Node(
        config, NodeIdentity.generate(), transport, _NeverRuns(), validator_options=CAPACITY
    )
    with pytest.raises(ConfigError, match="loopback only"):
        await node.start()
    assert node.database is None  # a failed start closes what it opened
    assert transport.node_id is None


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.1", "::1", "localhost"])
def test_loopback_hosts_are_accepted(host: str) -> None:
    assert require_loopback(host) == host


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.1", "::", "example.com", ""])
def test_other_hosts_are_refused(host: str) -> None:
    with pytest.raises(ConfigError, match="loopback only"):
        require_loopback(host)


def test_a_validator_needs_an_executor(tmp_path: Path) -> None:
    transport = MemoryTransport(MemoryNetwork(), MAX)
    with pytest.raises(NodeApiError, match="needs an executor"):
        Node(node_config(tmp_path), NodeIdentity.generate(), transport, None)


# -- parsers ----------------------------------------------------------------------------------


@given(st.text(alphabet="0123456789abcdefABCDEF", min_size=64, max_size=64))
def test_job_ids_of_64_hex_digits_parse_to_lowercase(text: str) -> None:
    assert _job_id(f" {text} ") == text.lower()


@given(st.text(max_size=80).filter(lambda t: len(t.strip()) != 64))
def test_other_job_ids_are_refused(text: str) -> None:
    with pytest.raises(FormatError):
        _job_id(text)


_LIMITS = JobLimits.of(LIMITS)
_MESSAGES = st.one_of(
    st.builds(ValidatorHeartbeat, st.just(_LIMITS), st.floats(0.0, 1.0)),
    st.builds(
        Register,
        st.binary(min_size=32, max_size=32),
        st.binary(min_size=96, max_size=96),
        st.just(_LIMITS),
        st.floats(0.0, 1.0),
    ),
    st.builds(ApiCall, st.sampled_from(["GET", "POST"]), st.text(max_size=40), st.binary()),
)


@given(_MESSAGES)
async def test_dispatcher_routes_each_message_to_its_type(message: object) -> None:
    dispatcher = Dispatcher(MAX)
    seen: list[object] = []

    async def record(_peer: str, received: object) -> Accepted:
        seen.append(received)
        return Accepted()

    for kind in (Register, ValidatorHeartbeat, ApiCall):
        dispatcher.on(kind, record)
    reply = await dispatcher.on_request("peer", dispatcher.encode(message))  # type: ignore[arg-type]
    assert isinstance(dispatcher.decode_reply(reply), Accepted)
    assert seen == [message]


@given(st.binary(max_size=200))
async def test_dispatcher_refuses_garbage_and_counts_it(payload: bytes) -> None:
    dispatcher = Dispatcher(MAX)

    async def never(_peer: str, _message: object) -> Accepted:
        raise AssertionError("garbage reached a handler")

    dispatcher.on(ValidatorHeartbeat, never)
    try:
        msgspec.msgpack.decode(payload, type=ValidatorHeartbeat)
    except (msgspec.DecodeError, UnicodeDecodeError):
        pass
    else:
        return  # hypothesis found a valid heartbeat: not garbage
    reply = dispatcher.decode_reply(await dispatcher.on_request("peer", payload))
    assert isinstance(reply, Refused)
    assert dispatcher.dropped == 1


async def test_dispatcher_refuses_types_without_handler_and_handler_errors() -> None:
    dispatcher = Dispatcher(MAX)

    async def refuse(_peer: str, _message: object) -> Accepted:
        raise NodeApiError("not today")

    dispatcher.on(ApiCall, refuse)
    reply = await dispatcher.handle("peer", ApiReply(200, b""))
    assert isinstance(reply, Refused)
    assert "no ApiReply" in reply.reason
    reply = await dispatcher.handle("peer", ApiCall("GET", "/", b""))
    assert reply == Refused("not today")
    with pytest.raises(NodeApiError, match="already registered"):
        dispatcher.on(ApiCall, refuse)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
async def test_http_server_survives_any_bytes(garbage: bytes) -> None:
    async def echo(request: HttpRequest) -> HttpResponse:
        return HttpResponse.json(200, {"path": request.path, "size": len(request.body)})

    server = HttpServer(echo, max_body=100)
    await server.start("127.0.0.1", 0)
    try:
        host, port = server.address
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(garbage)
        writer.write_eof()
        answer = await asyncio.wait_for(reader.read(), 15)
        writer.close()
        assert answer == b"" or answer.startswith(b"HTTP/1.1 ")
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(b"POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
        answer = await asyncio.wait_for(reader.read(), 15)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        assert answer.endswith(b'{"path": "/x", "size": 3}\n')
    finally:
        await server.close()


async def test_http_server_refuses_oversized_and_chunked_bodies() -> None:
    async def echo(_request: HttpRequest) -> HttpResponse:
        return HttpResponse.json(200, {})

    server = HttpServer(echo, max_body=10)
    await server.start("127.0.0.1", 0)
    try:
        host, port = server.address
        for request in (
            b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n" + b"x" * 11,
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"GET / SPDY/3\r\n\r\n",
        ):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            answer = await asyncio.wait_for(reader.read(), 15)
            writer.close()
            assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n"), request
    finally:
        await server.close()


class _NeverRuns:
    """Test double of an executor for nodes that must never run a job in the test."""

    def execute(self, wasm: bytes, job_input: bytes, limits: object = None) -> object:
        raise AssertionError("no job should run here")
