"""Sizes and durations written with units ("64MiB", "1m30s"), in TOML and on the command line.

Bare numbers are refused on purpose: "64" could be bytes or MiB, seconds or milliseconds, and a
limit that is silently 1024 times too small is worse than an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from paraloom.errors import UnitParseError

SIZE_UNITS: dict[str, int] = {
    "B": 1,
    "KB": 10**3,
    "kB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KiB": 2**10,
    "MiB": 2**20,
    "GiB": 2**30,
    "TiB": 2**40,
}

#: Seconds per unit, as exact fractions so that "1.5ms" parses without float drift.
DURATION_UNITS: dict[str, Fraction] = {
    "ns": Fraction(1, 10**9),
    "us": Fraction(1, 10**6),
    "ms": Fraction(1, 10**3),
    "s": Fraction(1),
    "m": Fraction(60),
    "h": Fraction(3600),
    "d": Fraction(86400),
}

_NUMBER_WITH_UNIT = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)\s*", re.ASCII)


def _split_terms(text: str, what: str, example: str) -> list[tuple[Fraction, str]]:
    """Split '1h 30m' into [(1, 'h'), (30, 'm')], refusing anything that is not such a term."""
    terms: list[tuple[Fraction, str]] = []
    position = 0
    while position < len(text):
        match = _NUMBER_WITH_UNIT.match(text, position)
        if match is None or match.end() == position:
            raise UnitParseError(f"{text!r} is not a {what} (expected e.g. {example!r})")
        try:
            number = Fraction(Decimal(match.group(1)))
        except InvalidOperation as error:  # pragma: no cover - the regex admits only decimals
            raise UnitParseError(f"{text!r} is not a {what}") from error
        terms.append((number, match.group(2)))
        position = match.end()
    if not terms:
        raise UnitParseError(f"{text!r} is not a {what} (expected e.g. {example!r})")
    return terms


def _total(text: str, units: Mapping[str, Fraction | int], what: str, example: str) -> Fraction:
    """Sum the terms of a unit string, each number times its unit's value."""
    total = Fraction(0)
    for number, unit in _split_terms(text, what, example):
        if unit not in units:
            known = ", ".join(units)
            raise UnitParseError(f"{text!r}: unknown {what} unit {unit!r} (known: {known})")
        total += number * units[unit]
    return total


def parse_size(text: str) -> int:
    """Parse a byte size such as "64MiB", "1.5GiB" or "512 B" into a whole number of bytes."""
    total = _total(text, SIZE_UNITS, "size", "64MiB")
    if total.denominator != 1:
        raise UnitParseError(f"{text!r} is not a whole number of bytes")
    return int(total)


def parse_duration(text: str) -> float:
    """Parse a duration such as "30s", "250ms" or "1h30m" into seconds."""
    total = _total(text, DURATION_UNITS, "duration", "30s")
    try:
        return float(total)
    except OverflowError as error:
        raise UnitParseError(f"{text!r} is too long to represent") from error


def format_size(size: int) -> str:
    """Render bytes with the largest binary unit that divides them exactly ("64MiB")."""
    for unit in ("TiB", "GiB", "MiB", "KiB"):
        if size and size % SIZE_UNITS[unit] == 0:
            return f"{size // SIZE_UNITS[unit]}{unit}"
    return f"{size}B"


def format_duration(seconds: float) -> str:
    """Render seconds with the largest unit that keeps the number whole ("90m", "250ms").

    Values that no unit renders exactly fall back to plain decimal seconds, so that the
    result always parses back to the same float.
    """
    exact = Fraction(seconds).limit_denominator(10**9)
    if float(exact) == seconds:
        for unit in ("d", "h", "m", "s", "ms", "us", "ns"):
            count = exact / DURATION_UNITS[unit]
            if count.denominator == 1 and (count != 0 or unit == "s"):
                return f"{count.numerator}{unit}"
    return f"{Decimal(seconds):f}s"
