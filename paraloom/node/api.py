"""The client JSON API a node serves on loopback, for `paraloom compute` and local tools.

Routes (JSON bodies; ids in hex, bytes in base64):

- ``GET /status``: this node: id, roles (with its part in the coordinator set and the term),
  peers, the primary coordinator it knows, jobs by state.
- ``POST /jobs/plan`` ``{"replication": K}``: the validators to seal a private job to, cohort
  first: ``{"recipients": [{"node_id", "encryption_key"}]}``.
- ``POST /jobs`` ``{"spec": base64 JobSpec}``: queue a job; ``{"job_id", "state"}``.
- ``GET /jobs/{id}``: state, attempts, current cohort and the audit log.
- ``GET /jobs/{id}/result``: the agreed output (``result_sha256``, ``output``); 409 until the
  job completed.
- ``GET /validators``: the pool: each available validator's ``load``, ``reputation`` and
  ``heartbeat_age`` (seconds), and ``reputation`` of every node ever judged, stale ones too.
- ``POST /withdrawals`` ``{"request": base64 WithdrawalRequest}``: start a consensus round;
  ``{"request_id", "state": "voting"}``.
- ``GET /withdrawals/{id}``: ``voting``, or the recorded outcome (approved, rejected, timeout)
  with each validator's vote.
- ``POST /deposits`` ``{"commitment": hex field element}``: append a note's commitment to the
  coordinator's tree and every validator's; ``{"leaf_index", "root"}``.

Job, validator, withdrawal and deposit routes are the coordinator's: a node without the role
forwards them over the authenticated transport (:class:`~paraloom.node.protocol.ApiCall`), so a
client may talk to any node. Refusals answer ``{"error": message}`` with a status that names the
kind: 400 bad request, 404 unknown, 409 wrong state, 422 over a cap, 503 not possible now.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

from paraloom.compute.messages import JobSpec, decode_message
from paraloom.consensus.withdrawal import decode_request
from paraloom.errors import (
    ConfigError,
    ConsensusError,
    CoordinationError,
    DistributionError,
    FormatError,
    JobLimitError,
    JobStateError,
    NodeApiError,
    ParaloomError,
    StorageError,
    TransportError,
)
from paraloom.node.compute_coordinator import ComputeCoordinator
from paraloom.node.http import HttpRequest, HttpResponse
from paraloom.node.protocol import ApiCall, ApiReply
from paraloom.node.withdrawals import WithdrawalCoordinator

_JOB = re.compile(r"^/jobs/([0-9a-f]{64})(/result)?$")
_WITHDRAWAL = re.compile(r"^/withdrawals/([0-9a-f]{64})$")
_STATUS_OF: tuple[tuple[type[ParaloomError], int], ...] = (
    (JobLimitError, HTTPStatus.UNPROCESSABLE_ENTITY),
    (JobStateError, HTTPStatus.CONFLICT),
    (ConsensusError, HTTPStatus.CONFLICT),
    (DistributionError, HTTPStatus.SERVICE_UNAVAILABLE),
    (TransportError, HTTPStatus.SERVICE_UNAVAILABLE),
    (StorageError, HTTPStatus.SERVICE_UNAVAILABLE),
    (CoordinationError, HTTPStatus.SERVICE_UNAVAILABLE),
)

Forward = Callable[[ApiCall], Awaitable[ApiReply]]


class _NotFoundError(NodeApiError):
    """Answered 404."""


def require_loopback(host: str) -> str:
    """The API serves local tools only: refuse to bind anywhere else."""
    if host == "localhost":
        return host
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(f"node.api_listen: the client API listens on loopback only, not {host}")
    return host


class ClientApi:
    """Answers API requests for one node (module docstring)."""

    def __init__(
        self,
        *,
        coordinator: Callable[[], ComputeCoordinator | None],
        forward: Forward,
        withdrawals: Callable[[], WithdrawalCoordinator | None] = lambda: None,
        status: Callable[[], Mapping[str, Any]],
        max_message_size: int,
        committed: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._committed = committed
        self._coordinator = coordinator
        self._withdrawals = withdrawals
        self._forward = forward
        self._status = status
        self._max_size = max_message_size

    async def handle(self, request: HttpRequest) -> HttpResponse:
        """The HTTP entry point: local routes here, job routes at the coordinator."""
        if request.path == "/status" and request.method == "GET":
            return HttpResponse.json(HTTPStatus.OK, dict(self._status()))
        if self._coordinator() is not None:
            return await self.answer(request)
        try:
            reply = await self._forward(ApiCall(request.method, request.path, request.body))
        except ParaloomError as error:
            return _refusal(error)
        return HttpResponse(reply.status, reply.body)

    async def on_call(self, _peer: str, call: ApiCall) -> ApiReply:
        """A job route forwarded by another node."""
        response = await self.answer(HttpRequest(call.method, call.path, call.body))
        return ApiReply(response.status, response.body)

    async def answer(self, request: HttpRequest) -> HttpResponse:
        """A job route, answered by this node's coordinator role."""
        try:
            document = await self._route(request)
            if request.method != "GET" and self._committed is not None:
                await self._committed()  # a write is acknowledged once it is replicated
            return HttpResponse.json(HTTPStatus.OK, document)
        except ParaloomError as error:
            return _refusal(error)

    async def _route(self, request: HttpRequest) -> dict[str, Any]:
        coordinator = self._coordinator()
        if coordinator is None:
            raise DistributionError("this node does not hold the coordinator role")
        method, path = request.method, request.path
        if (method, path) == ("POST", "/jobs/plan"):
            return _plan(coordinator, _document(request.body))
        if (method, path) == ("POST", "/jobs"):
            return await self._submit(coordinator, _document(request.body))
        if (method, path) == ("GET", "/validators"):
            return coordinator.pool()
        if path == "/deposits" or path.startswith("/withdrawals"):
            return await self._withdrawal_route(request)
        match = _JOB.match(path)
        if match is None or method != "GET":
            raise _NotFoundError(f"no route {method} {path}")
        job_id = bytes.fromhex(match.group(1))
        if match.group(2):
            return _result(coordinator, job_id)
        return _job_status(coordinator, job_id)

    async def _submit(
        self, coordinator: ComputeCoordinator, document: dict[str, Any]
    ) -> dict[str, Any]:
        spec_bytes = _base64(document.get("spec"), "spec")
        spec = decode_message(spec_bytes, JobSpec, max_size=self._max_size)
        job_id = await coordinator.submit(spec, requester=spec.requester.hex())
        record = coordinator.store.job(spec.job_id)
        return {"job_id": job_id, "state": record.state if record else "submitted"}

    async def _withdrawal_route(self, request: HttpRequest) -> dict[str, Any]:
        withdrawals = self._withdrawals()
        if withdrawals is None:
            raise DistributionError("this node runs no withdrawal consensus")
        method, path = request.method, request.path
        if (method, path) == ("POST", "/withdrawals"):
            body = _base64(_document(request.body).get("request"), "request")
            request_id = await withdrawals.submit(decode_request(body))
            return {"request_id": request_id, "state": "voting"}
        if (method, path) == ("POST", "/deposits"):
            commitment = _hex(_document(request.body).get("commitment"), "commitment")
            index = await withdrawals.deposit(commitment)
            return {"leaf_index": index, "root": f"{withdrawals.tree.root:064x}"}
        match = _WITHDRAWAL.match(path)
        if match is None or method != "GET":
            raise _NotFoundError(f"no route {method} {path}")
        status = withdrawals.status(bytes.fromhex(match.group(1)))
        if status is None:
            raise _NotFoundError(f"no withdrawal {match.group(1)}")
        return status


def _plan(coordinator: ComputeCoordinator, document: dict[str, Any]) -> dict[str, Any]:
    replication = document.get("replication")
    if type(replication) is not int or replication < 1:
        raise FormatError(f"replication must be a positive integer, got {replication!r}")
    recipients = coordinator.plan(replication)
    return {
        "recipients": [
            {"node_id": r.node_id, "encryption_key": r.encryption_key.hex()} for r in recipients
        ]
    }


def _job_status(coordinator: ComputeCoordinator, job_id: bytes) -> dict[str, Any]:
    record = coordinator.store.job(job_id)
    if record is None:
        raise _NotFoundError(f"no job {job_id.hex()}")
    history = [
        {"from": e.from_state, "to": e.to_state, "reason": e.reason, "at_ms": e.at}
        for e in coordinator.store.audit_log(job_id)
    ]
    return {
        "job_id": job_id.hex(),
        "state": record.state,
        "attempts": record.attempts,
        "cohort": [node.hex() for node in record.cohort],
        "history": history,
    }


def _result(coordinator: ComputeCoordinator, job_id: bytes) -> dict[str, Any]:
    status = _job_status(coordinator, job_id)
    output = coordinator.verdict_output(job_id)
    if output is None:
        raise JobStateError(f"job {job_id.hex()} is {status['state']}: it has no agreed output")
    return {
        "job_id": job_id.hex(),
        "state": status["state"],
        "result_sha256": hashlib.sha256(output).hexdigest(),
        "output": base64.b64encode(output).decode(),
    }


def _document(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body or b"{}")
    except ValueError as error:
        raise FormatError(f"the request body is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise FormatError("the request body must be a JSON object")
    return document


def _base64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise FormatError(f"{what} must be a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise FormatError(f"{what} is not valid base64") from None


def _hex(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise FormatError(f"{what} must be a hex string")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise FormatError(f"{what} is not valid hex") from None


def _refusal(error: ParaloomError) -> HttpResponse:
    if isinstance(error, _NotFoundError):
        return HttpResponse.error(HTTPStatus.NOT_FOUND, str(error))
    status = next((code for kind, code in _STATUS_OF if isinstance(error, kind)), 400)
    return HttpResponse.error(status, str(error))
