"""The user's state directory, where the most recently started localnet is recorded.

The record lives outside any localnet directory so that `paraloom compute submit` finds the
localnet with no flags: ``$PARALOOM_STATE_DIR``, else ``$XDG_STATE_HOME/paraloom``, else
``~/.local/state/paraloom``; the file ``current-localnet`` holds the localnet's directory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from paraloom.errors import LocalnetError
from paraloom.formats.files import atomic_write
from paraloom.localnet.layout import MANIFEST, load_layout

STATE_DIR_ENV = "PARALOOM_STATE_DIR"
CURRENT_FILE = "current-localnet"


def state_dir() -> Path:
    explicit = os.environ.get(STATE_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "paraloom"


def new_localnet_dir() -> Path:
    """A fresh directory under the state directory, for `localnet up` without --dir."""
    parent = state_dir() / "localnets"
    parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Path(tempfile.mkdtemp(prefix="localnet-", dir=parent))


def record_current(directory: Path) -> Path:
    """Make ``directory`` the current localnet; returns the record's path."""
    record = state_dir() / CURRENT_FILE
    record.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with atomic_write(record) as stream:
        stream.write(str(directory.resolve()).encode())
    return record


def current_localnet() -> Path | None:
    """The directory of the current localnet, if one is recorded and still has a manifest."""
    try:
        directory = Path((state_dir() / CURRENT_FILE).read_text().strip())
    except OSError:
        return None
    return directory if (directory / MANIFEST).exists() else None


def forget_current(directory: Path) -> None:
    """Drop the record if it names ``directory`` (after `localnet down`)."""
    if current_localnet() == directory.resolve():
        (state_dir() / CURRENT_FILE).unlink(missing_ok=True)


def localnet_dir(given: Path | None) -> Path:
    """``--dir`` when given, else the current localnet."""
    if given is not None:
        return given
    current = current_localnet()
    if current is None:
        raise LocalnetError(f"no current localnet recorded in {state_dir()}; pass --dir")
    return current


def default_node_url() -> str | None:
    """The client API of the current localnet's first node (it forwards to the primary)."""
    current = current_localnet()
    if current is None:
        return None
    try:
        return load_layout(current).entry.api_url
    except LocalnetError:
        return None
