"""A participant's receipt: what they contributed to, what came out, and their hash.

Kept next to the output (``OUT.receipt.json`` by default) so a participant can later show
which file they built on and which they produced (SHA-256 and BLAKE2b-512, the digests
ceremony transcripts publish), and look for their contribution hash in the final key.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paraloom import __version__
from paraloom.formats.files import atomic_write

if TYPE_CHECKING:
    from paraloom.ceremony.contribute import ContributionResult

TOOL = "paraloom-ceremony"
_BLOCK = 1 << 20


def receipt_path(output: Path) -> Path:
    """The default place: beside the output, with ``.receipt.json`` appended to its name."""
    return output.with_name(output.name + ".receipt.json")


def file_digests(path: Path) -> dict[str, str]:
    """SHA-256 and BLAKE2b-512 of a file, read once in blocks."""
    sha256, blake2b = hashlib.sha256(), hashlib.blake2b(digest_size=64)
    with path.open("rb") as stream:
        while block := stream.read(_BLOCK):
            sha256.update(block)
            blake2b.update(block)
    return {"sha256": sha256.hexdigest(), "blake2b": blake2b.hexdigest()}


def receipt(
    result: ContributionResult, *, source: Path, source_digests: dict[str, str], output: Path
) -> dict[str, Any]:
    """The receipt's document; the input's digests are taken before the step, since the
    output may replace it."""
    return {
        "name": result.contribution.params.name,
        "contribution": result.number,
        "contribution_hash": result.hash.hex(),
        "input": {"path": str(source), **source_digests},
        "output": {"path": str(output), **file_digests(output)},
        "tool": TOOL,
        "version": __version__,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_receipt(path: Path, document: dict[str, Any]) -> None:
    with atomic_write(path) as stream:
        stream.write((json.dumps(document, indent=2) + "\n").encode())
