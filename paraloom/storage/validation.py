"""Checks of what callers hand the stores, so a bad record fails with a message naming the field.

The schema's CHECK constraints would refuse the same records, but with SQLite's wording
("CHECK constraint failed: length(node_id) = 32"), and only once part of a transaction ran.
"""

from __future__ import annotations

from collections.abc import Collection

from paraloom.errors import StorageError

#: Largest value of an SQLite INTEGER (signed 64-bit).
MAX_INTEGER = (1 << 63) - 1


def require_size(value: object, size: int, what: str) -> bytes:
    """``value`` as bytes of exactly ``size``."""
    if not isinstance(value, bytes) or len(value) != size:
        raise StorageError(f"{what} must be {size} bytes, not {value!r:.80}")
    return value


def require_bytes(value: object, what: str) -> bytes:
    if not isinstance(value, bytes):
        raise StorageError(f"{what} must be bytes, not {type(value).__name__}")
    return value


def require_text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise StorageError(f"{what} must be a string, not {type(value).__name__}")
    return value


def require_integer(value: object, what: str, minimum: int = 0) -> int:
    """An ``int`` (not a bool) in minimum..MAX_INTEGER."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise StorageError(f"{what} must be an integer, not {value!r:.80}")
    if not minimum <= value <= MAX_INTEGER:
        raise StorageError(f"{what} {value} is not in {minimum}..{MAX_INTEGER}")
    return value


def require_choice(value: object, choices: Collection[str], what: str) -> str:
    if value not in choices:
        raise StorageError(f"{what} {value!r:.80} is not one of {', '.join(choices)}")
    return str(value)
