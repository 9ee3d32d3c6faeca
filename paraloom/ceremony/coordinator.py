"""A phase-2 ceremony coordinator: one participant at a time, every upload verified first.

Participants join a queue and get a random ticket (only its SHA-256 is stored). The head of
the queue holds the turn until a deadline; it downloads the current key, contributes and
uploads. An upload is accepted only if it is exactly one new (non-beacon) contribution on the
current key, checked with the ceremony scheme's ``verify`` from the current key; anything else
(truncated, another circuit, a replayed key, a beacon) costs the participant the turn and
changes nothing. A turn passes to the next in the queue at its deadline, whether or not any
request arrives (:meth:`Coordinator.keep_deadlines` runs in a thread of the server); an upload
must be received and verified before the deadline.

An upload is spooled to a file and verified without the lock, so others' requests are
answered meanwhile; the lock is taken again only to check that the uploader still holds the
turn on the same key and to commit. Keys never change once written, so verifying against the
current key's file without the lock is safe, and only one upload per turn can commit.

The state directory survives restarts and crashes; every file is replaced atomically:

- ``keys/NNNN.zkey``: the key after N contributions (0000 is the initial key), never rewritten
  once the transcript names it; the current key is the one the transcript's last entry names;
- ``transcript.jsonl``: the signed chain of :mod:`.ledger`, the source of truth;
- ``queue.json``: who waits, who holds the turn and until when, how finished tickets ended, and
  how many transcript entries it accounts for;
- ``uploads/``: uploads being received or verified (emptied on start);
- ``coordinator.key``: the Ed25519 signing key (PKCS#8 PEM, mode 0600) unless one is given.

An acceptance writes the key, then the transcript, then the queue. A crash after the key leaves
an unused key file (overwritten by the next acceptance); a crash after the transcript leaves a
queue one entry behind, which the restart repairs from the transcript: the turn holder's turn
ended with that acceptance.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from paraloom.ceremony.bases import FromPrevious
from paraloom.ceremony.info import BEACON, ContributionInfo, key_info
from paraloom.ceremony.ledger import (
    LedgerEntry,
    append_entry,
    public_key_hex,
    read_ledger,
    signed_entry,
    verify_ledger,
)
from paraloom.ceremony.receipt import file_digests
from paraloom.errors import CoordinatorError, FormatError, ParaloomError, TicketError
from paraloom.formats.files import atomic_write

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed import SupportsRead

    from paraloom.components import CeremonyScheme
    from paraloom.math.backend import AnyCurveBackend

#: Room an upload may take beyond the current key: one contribution record is far smaller.
UPLOAD_SLACK = 64 * 1024
MAX_NAME = 64
_BLOCK = 1 << 16


@dataclass
class Turn:
    id: str
    name: str
    deadline: float


@dataclass
class Queue:
    """Who waits (ticket id, name), who holds the turn, and how finished tickets ended.

    ``contributions`` counts the transcript entries whose acceptance the queue has recorded;
    it trails the transcript only after a crash between the two writes.
    """

    waiting: list[tuple[str, str]] = field(default_factory=list)
    turn: Turn | None = None
    finished: dict[str, str] = field(default_factory=dict)
    contributions: int = 0

    def advance(self, now: float, turn_seconds: float) -> None:
        """Expire a turn past its deadline and hand the turn to the next in line."""
        if self.turn is not None and now > self.turn.deadline:
            deadline = _iso(self.turn.deadline)
            self.finish(self.turn.id, f"expired at {deadline}: no contribution before the deadline")
        if self.turn is None and self.waiting:
            ticket_id, name = self.waiting.pop(0)
            self.turn = Turn(ticket_id, name, now + turn_seconds)

    def accept(self, ticket_id: str, index: int) -> None:
        """The turn of ``ticket_id`` ended with transcript entry ``index``."""
        self.finish(ticket_id, f"accepted as contribution #{index}")
        self.contributions = index

    def finish(self, ticket_id: str, outcome: str) -> None:
        self.finished[ticket_id] = outcome
        if self.turn is not None and self.turn.id == ticket_id:
            self.turn = None

    def position(self, ticket_id: str) -> int | None:
        """0 for the turn holder, k for the k-th in line after it; None if not queued."""
        if self.turn is not None and self.turn.id == ticket_id:
            return 0
        ids = [waiting_id for waiting_id, _ in self.waiting]
        return ids.index(ticket_id) + 1 if ticket_id in ids else None

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Queue:
        try:
            document = json.loads(data)
            turn = document["turn"]
            return cls(
                [(str(i), str(n)) for i, n in document["waiting"]],
                None
                if turn is None
                else Turn(str(turn["id"]), str(turn["name"]), float(turn["deadline"])),
                {str(k): str(v) for k, v in document["finished"].items()},
                _count(document["contributions"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise FormatError(f"the coordinator's queue.json is damaged: {error}") from None


def ticket_id(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The coordinator's signing key; a new one is made (readable by the owner only)."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        pem = Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
        with atomic_write(path) as stream:
            stream.write(pem)
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise FormatError(f"{path}: not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise FormatError(f"{path}: the coordinator key must be Ed25519")
    return key


class Coordinator:
    """The ceremony's state and rules; thread-safe, transport-agnostic (see :mod:`.http`)."""

    def __init__(
        self,
        directory: Path,
        *,
        scheme: CeremonyScheme,
        backend: AnyCurveBackend,
        signing_key: Ed25519PrivateKey,
        turn_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._directory = directory
        self._scheme, self._backend = scheme, backend
        self._signing_key = signing_key
        self._turn_seconds, self._clock = turn_seconds, clock
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._closed = False
        self._initial_sha256 = file_digests(self._key_path(0))["sha256"]
        self._circuit_hash = key_info(self._key_path(0)).cs_hash.hex()
        self._ledger = read_ledger(self._ledger_path)
        verify_ledger(self._ledger, bytes.fromhex(self.public_key))
        self._check_current_key()
        self._queue = self._saved_queue()
        self._recover()

    @classmethod
    def open(
        cls,
        directory: Path,
        initial: Path,
        *,
        scheme: CeremonyScheme,
        backend: AnyCurveBackend,
        signing_key: Ed25519PrivateKey,
        turn_seconds: float,
    ) -> Coordinator:
        """Start a ceremony from ``initial`` in ``directory``, or resume the one there."""
        (directory / "keys").mkdir(parents=True, exist_ok=True)
        (directory / "uploads").mkdir(exist_ok=True)
        for leftover in (directory / "uploads").iterdir():
            leftover.unlink()  # an upload a crash interrupted: its participant retries
        _install_initial(directory / "keys" / "0000.zkey", initial)
        return cls(
            directory,
            scheme=scheme,
            backend=backend,
            signing_key=signing_key,
            turn_seconds=turn_seconds,
        )

    @property
    def public_key(self) -> str:
        return public_key_hex(self._signing_key)

    def join(self, name: str) -> dict[str, Any]:
        """Queue a participant; the ticket is returned once and stored only as a hash."""
        _check_name(name)
        ticket = secrets.token_urlsafe(32)
        with self._lock:
            self._queue.waiting.append((ticket_id(ticket), name))
            self._update(changed=True)
            position = self._queue.position(ticket_id(ticket))
        return {"ticket": ticket, "position": position}

    def status(self, ticket: str) -> dict[str, Any]:
        with self._lock:
            self._update()
            return self._status(ticket_id(ticket))

    def info(self) -> dict[str, Any]:
        """What anyone may know while the ceremony runs, to follow and check it."""
        with self._lock:
            self._update()
            turn = self._queue.turn
            return {
                "pubkey": self.public_key,
                "circuit_hash": self._circuit_hash,
                "contributions": len(self._ledger),
                **self._current_key_digest(),
                "queued": len(self._queue.waiting) + (turn is not None),
                "turn_seconds": self._turn_seconds,
            }

    def current_key(self, ticket: str) -> Path:
        """The current key's file for any known ticket (see :meth:`latest_key`)."""
        with self._lock:
            self._known(ticket_id(ticket))
            return self._key_path(len(self._ledger))

    def latest_key(self) -> Path:
        """The current key's file; immutable (later keys get new files), so safe to stream."""
        with self._lock:
            return self._key_path(len(self._ledger))

    def transcript(self) -> bytes:
        with self._lock:
            return b"".join(entry.line() for entry in self._ledger)

    def submit(self, ticket: str, stream: SupportsRead[bytes], length: int) -> dict[str, Any]:
        """Receive, verify and accept or refuse the turn holder's new key.

        The body is received and verified without the lock, so others can poll meanwhile; a
        refusal of any kind ends the turn. Errors are re-raised for the transport to report.
        """
        holder = ticket_id(ticket)
        with self._lock:
            self._update()
            self._require_turn(holder)
            count = len(self._ledger)
            known = [self._initial_sha256, *(entry.key_sha256 for entry in self._ledger)]
        upload = self._directory / "uploads" / f"{secrets.token_hex(8)}.zkey"
        try:
            limit = self._key_path(count).stat().st_size + UPLOAD_SLACK
            _receive(stream, length, limit, upload)
            digest = file_digests(upload)["sha256"]
            _refuse_replay(known, digest)
            added = self._one_new_contribution(upload, count)
            with self._lock:
                entry = self._commit(holder, count, upload, digest, added)
            return {"index": entry.index, "contribution_hash": entry.contribution_hash}
        except ParaloomError as error:
            with self._lock:
                self._refuse(holder, str(error))
            raise
        finally:
            upload.unlink(missing_ok=True)

    def keep_deadlines(self) -> None:
        """Expire each turn at its deadline with no request needed, until :meth:`close`.

        Meant for a thread of its own: it sleeps until the current turn's deadline and is
        woken whenever the queue changes.
        """
        with self._changed:
            while not self._closed:
                self._update()
                turn = self._queue.turn
                self._changed.wait(None if turn is None else turn.deadline - self._clock())

    def close(self) -> None:
        """Stop :meth:`keep_deadlines`."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    @property
    def _ledger_path(self) -> Path:
        return self._directory / "transcript.jsonl"

    def _key_path(self, contributions: int) -> Path:
        return self._directory / "keys" / f"{contributions:04d}.zkey"

    def _check_current_key(self) -> None:
        """The key the transcript ends with must be there, byte for byte."""
        path = self._key_path(len(self._ledger))
        if not path.exists():
            raise CoordinatorError(f"{path} is missing: the state directory is incomplete")
        if self._ledger and file_digests(path)["sha256"] != self._ledger[-1].key_sha256:
            raise CoordinatorError(f"{path} is not the key the transcript's last entry names")

    def _saved_queue(self) -> Queue:
        path = self._directory / "queue.json"
        if not path.exists():
            return Queue(contributions=len(self._ledger))
        return Queue.from_json(path.read_bytes())

    def _recover(self) -> None:
        """Record the acceptance the transcript has and the queue lacks (see the module notes).

        Only the turn holder can have been accepted, so the turn ends with the missing entry;
        this runs before any deadline is looked at, so the turn is not taken for expired.
        """
        recorded, entries = self._queue.contributions, len(self._ledger)
        if recorded == entries:
            return
        turn = self._queue.turn
        if recorded + 1 != entries or turn is None or turn.name != self._ledger[-1].name:
            raise CoordinatorError(
                f"queue.json records {recorded} contributions, the transcript {entries}:"
                " the state directory is inconsistent"
            )
        with self._lock:
            self._queue.accept(turn.id, entries)
            self._save_queue()

    def _update(self, *, changed: bool = False) -> None:
        """Advance the queue by the clock; save it if that, or the caller (``changed``), did."""
        before = self._queue.to_json()
        self._queue.advance(self._clock(), self._turn_seconds)
        if changed or self._queue.to_json() != before:
            self._save_queue()

    def _save_queue(self) -> None:
        with atomic_write(self._directory / "queue.json") as stream:
            stream.write(self._queue.to_json())
        self._changed.notify_all()

    def _known(self, holder: str) -> None:
        if self._queue.position(holder) is None and holder not in self._queue.finished:
            raise TicketError("unknown ticket: join first")

    def _require_turn(self, holder: str) -> Turn:
        self._known(holder)
        turn = self._queue.turn
        if turn is None or turn.id != holder:
            outcome = self._queue.finished.get(holder)
            raise TicketError(f"not your turn ({outcome or 'still waiting'})")
        return turn

    def _status(self, holder: str) -> dict[str, Any]:
        self._known(holder)
        turn = self._queue.turn
        if turn is not None and turn.id == holder:
            return {
                "state": "your turn",
                "deadline": _iso(turn.deadline),
                "seconds_left": max(0.0, turn.deadline - self._clock()),
                "contributions": len(self._ledger),
                **self._current_key_digest(),
            }
        if holder in self._queue.finished:
            return {"state": "finished", "outcome": self._queue.finished[holder]}
        return {"state": "waiting", "position": self._queue.position(holder)}

    def _current_key_digest(self) -> dict[str, Any]:
        """What a download of the current key must match: its SHA-256 and size."""
        path = self._key_path(len(self._ledger))
        sha256 = self._ledger[-1].key_sha256 if self._ledger else self._initial_sha256
        return {"key_sha256": sha256, "key_size": path.stat().st_size}

    def _one_new_contribution(self, upload: Path, count: int) -> ContributionInfo:
        """The contribution ``upload`` adds to key ``count``, verified (the slow step)."""
        report = self._scheme.verify(self._backend, upload, FromPrevious(self._key_path(count)))
        added = report.info.contributions[count:]
        if len(added) != 1:
            raise CoordinatorError(
                f"exactly one new contribution expected, the key adds {len(added)}"
            )
        if added[0].type == BEACON:
            raise CoordinatorError("a beacon closes the ceremony: participants contribute")
        return added[0]

    def _commit(
        self, holder: str, count: int, upload: Path, digest: str, added: ContributionInfo
    ) -> LedgerEntry:
        """Make the verified upload the current key, if its turn and base are still current."""
        self._update()
        turn = self._require_turn(holder)
        if len(self._ledger) != count:
            raise CoordinatorError("the current key changed while the upload was verified")
        os.replace(upload, self._key_path(count + 1))
        entry = signed_entry(
            self._signing_key,
            self._ledger[-1] if self._ledger else None,
            name=turn.name,
            contribution_hash=added.hash,
            key_sha256=digest,
        )
        append_entry(self._ledger_path, self._ledger, entry)
        self._ledger.append(entry)
        self._queue.accept(turn.id, entry.index)
        self._update(changed=True)
        return entry

    def _refuse(self, holder: str, reason: str) -> None:
        if self._queue.position(holder) == 0:
            self._queue.finish(holder, f"refused: {reason}")
            self._update(changed=True)


def _install_initial(target: Path, initial: Path) -> None:
    """Copy the initial key into a new state directory; a resumed one must have the same."""
    if target.exists():
        if file_digests(target)["sha256"] != file_digests(initial)["sha256"]:
            raise CoordinatorError(
                f"{target.parent.parent} holds a ceremony that started from another key"
            )
        return
    info = key_info(initial)
    if info.contributions:
        raise CoordinatorError(f"{initial} already has contributions: start from an initial key")
    with initial.open("rb") as source, atomic_write(target) as stream:
        shutil.copyfileobj(source, stream)


def _check_name(name: str) -> None:
    if not name.strip() or len(name) > MAX_NAME or not name.isprintable():
        raise ParaloomError(f"a name has 1 to {MAX_NAME} printable characters, not {name!r}")


def _refuse_replay(known: list[str], digest: str) -> None:
    """``known``: the SHA-256 of every key of the ceremony so far, the initial one first."""
    if digest in known:
        raise CoordinatorError(
            f"the upload is key #{known.index(digest)} of this ceremony (a replay),"
            " not a new contribution"
        )


def _receive(stream: SupportsRead[bytes], length: int, limit: int, upload: Path) -> None:
    """Store exactly ``length`` bytes from ``stream`` (at most ``limit``), synced to disk."""
    if length > limit:
        raise CoordinatorError(f"an upload of {length} bytes is larger than a key can become")
    received = 0
    with upload.open("wb") as output:
        while received < length:
            block = stream.read(min(_BLOCK, length - received))
            if not block:
                raise FormatError(f"the upload was truncated: {received} of {length} bytes")
            output.write(block)
            received += len(block)
        output.flush()
        os.fsync(output.fileno())


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"contributions must be a count, not {value!r}")
    return value
