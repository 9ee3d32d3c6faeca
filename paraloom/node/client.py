"""The requester's side of the client API: submit a job to a node, follow it, fetch its result.

Blocking (``urllib``), because its users are CLI commands. A private job is planned first:
the node names the validators to seal it to, the input is sealed here and only the sealed job
leaves this process. The job key that opens the output is kept in a file of its own under
``<data dir>/requests/`` (mode 0600), so ``paraloom compute result --decrypt`` can open the
output later, from another process.
"""

from __future__ import annotations

import base64
import binascii
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paraloom.compute.execution import ExecutionLimits
from paraloom.compute.messages import encode_message
from paraloom.compute.private import open_job_output
from paraloom.compute.requester import new_job_id, private_job_spec, public_job_spec
from paraloom.crypto import schnorr
from paraloom.errors import FormatError, NodeApiError
from paraloom.formats.files import atomic_write

DEFAULT_TIMEOUT = 30.0
_KEY_MODE = 0o600


@dataclass(frozen=True)
class JobRequest:
    """What to run: the module, its input, its limits, and how."""

    wasm: bytes
    data: bytes
    limits: ExecutionLimits
    replication: int
    private: bool = False


class NodeClient:
    """Talks to one node's client API at ``url`` (``http://127.0.0.1:7500``)."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, path: str, document: dict[str, Any] | None = None) -> Any:
        """The JSON answer of one request; a refusal or an unreachable node is NodeApiError."""
        body = None if document is None else json.dumps(document).encode()
        request = urllib.request.Request(self.url + path, data=body, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise NodeApiError(f"node {self.url}: {_error_message(error)}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise NodeApiError(f"cannot reach node {self.url}: {reason}") from None
        except ValueError:
            raise NodeApiError(f"node {self.url} answered something that is not JSON") from None

    def submit(self, job: JobRequest, keys_dir: Path) -> str:
        """Submit ``job`` and return its id; a private job's key is saved under ``keys_dir``."""
        job_id = new_job_id()
        requester = schnorr.KeyPair.generate()
        if job.private:
            recipients = self._recipients(job.replication)
            spec, secrets = private_job_spec(
                job_id,
                job.wasm,
                job.data,
                job.limits,
                requester,
                cohort=recipients[: job.replication],
                standby=recipients[job.replication :],
                replication=job.replication,
            )
            save_job_key(keys_dir, job_id.hex(), secrets.job_key)
        else:
            spec = public_job_spec(
                job_id,
                job.wasm,
                job.data,
                job.limits,
                requester.public,
                replication=job.replication,
            )
        encoded = base64.b64encode(encode_message(spec)).decode()
        answer = self.call("POST", "/jobs", {"spec": encoded})
        return str(answer["job_id"])

    def status(self, job_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/jobs/{_job_id(job_id)}"))

    def validators(self) -> dict[str, Any]:
        """The coordinator's validator pool: available validators and every known score."""
        return dict(self.call("GET", "/validators"))

    def result(self, job_id: str) -> bytes:
        """The agreed output (sealed, for a private job)."""
        answer = self.call("GET", f"/jobs/{_job_id(job_id)}/result")
        try:
            return base64.b64decode(answer["output"], validate=True)
        except (KeyError, TypeError, binascii.Error, ValueError):
            raise NodeApiError(f"node {self.url} answered a result without an output") from None

    def _recipients(self, replication: int) -> list[bytes]:
        answer = self.call("POST", "/jobs/plan", {"replication": replication})
        try:
            return [bytes.fromhex(r["encryption_key"]) for r in answer["recipients"]]
        except (KeyError, TypeError, ValueError):
            raise NodeApiError(f"node {self.url} answered a malformed plan") from None


def save_job_key(keys_dir: Path, job_id: str, job_key: bytes) -> None:
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with atomic_write(keys_dir / f"{job_id}.key", mode=_KEY_MODE) as stream:
        stream.write(job_key.hex().encode())


def decrypt_result(keys_dir: Path, job_id: str, sealed: bytes) -> bytes:
    """Open a private job's output with the key saved when it was submitted."""
    path = keys_dir / f"{_job_id(job_id)}.key"
    try:
        job_key = bytes.fromhex(path.read_text().strip())
    except OSError as error:
        raise FormatError(f"{path}: cannot read the job key: {error.strerror}") from None
    except ValueError:
        raise FormatError(f"{path}: the job key is not hex") from None
    return open_job_output(job_key, sealed, bytes.fromhex(job_id))


def _job_id(job_id: str) -> str:
    text = job_id.strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise FormatError(f"a job id is 64 hex digits, got {job_id!r}")
    return text


def _error_message(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read())["error"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {error.code} {error.reason}"
