"""Sizes and durations with units: parsing, formatting and what is refused."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paraloom.errors import ConfigError, ParaloomError, UnitParseError
from paraloom.units import (
    DURATION_UNITS,
    SIZE_UNITS,
    format_duration,
    format_size,
    parse_duration,
    parse_size,
)

# -- round trips ----------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.one_of(st.integers(min_value=0, max_value=2**70), st.sampled_from([0, 1, 1023, 1024])))
def test_a_formatted_size_parses_back_to_the_same_byte_count(size: int) -> None:
    assert parse_size(format_size(size)) == size


@settings(max_examples=300)
@given(
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(["TiB", "GiB", "MiB", "KiB", "B"]),
)
def test_a_formatted_size_uses_the_largest_exact_binary_unit(count: int, unit: str) -> None:
    size = count * SIZE_UNITS[unit]
    text = format_size(size)
    assert parse_size(text) == size
    if size and unit != "B":
        # the unit written is at least as large as the one the size was built from
        written = text.lstrip("0123456789")
        assert SIZE_UNITS[written] >= SIZE_UNITS[unit]


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=10**21))
def test_a_formatted_duration_of_whole_nanoseconds_parses_back(nanoseconds: int) -> None:
    seconds = float(Fraction(nanoseconds, 10**9))
    assert parse_duration(format_duration(seconds)) == seconds


@settings(max_examples=200)
@given(
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(sorted(DURATION_UNITS)),
)
def test_a_duration_built_from_one_unit_round_trips(count: int, unit: str) -> None:
    seconds = parse_duration(f"{count}{unit}")
    assert seconds == float(count * DURATION_UNITS[unit])
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (30, "30s"),
        (90, "90s"),
        (120, "2m"),
        (5400, "90m"),
        (86400, "1d"),
        (0.5, "500ms"),
    ],
)
def test_durations_are_formatted_with_the_largest_whole_unit(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("size", "text"), [(0, "0B"), (512, "512B"), (1536, "1536B"), (64 * 2**20, "64MiB")]
)
def test_sizes_are_formatted_with_the_largest_whole_unit(size: int, text: str) -> None:
    assert format_size(size) == text


# -- accepted spellings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h30m", 5400),
        ("1h 30m", 5400),
        ("1m30s", 90),
        ("2d", 172800),
        ("250ms", 0.25),
        ("1.5ms", 0.0015),
        ("10us", 0.00001),
        ("7ns", 7e-9),
        ("0.5s", 0.5),
        ("  30 s  ", 30),
    ],
)
def test_durations_parse_to_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("64MiB", 64 * 2**20),
        ("64 MiB", 64 * 2**20),
        ("1.5GiB", 3 * 2**29),
        ("1.5 GiB", 3 * 2**29),
        ("512B", 512),
        ("1kB", 1000),
        ("1KB", 1000),
        ("1KiB", 1024),
        ("2MB", 2_000_000),
        ("1TiB", 2**40),
        ("1GiB 512MiB", 3 * 2**29),
        ("0.5KiB", 512),
    ],
)
def test_sizes_parse_to_bytes(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_decimal_durations_have_no_float_drift() -> None:
    # 0.1 + 0.2 != 0.3 in floats; the parser works in exact fractions
    assert parse_duration("0.1s 0.2s") == 0.3


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "64",  # bare number: bytes or MiB?
        "10 parsecs",
        "-1B",
        "",
        "   ",
        "0.3B",  # a fraction of a byte
        "1.5B",
        "MiB",
        "64 MiB extra",
        "64mib",  # units are case-sensitive
        "1e3B",
        "1,5MiB",
        "64MiB64",
        "64s",  # a duration is not a size
        ".5MiB",
    ],
)
def test_bad_sizes_are_refused_with_unit_parse_error(text: str) -> None:
    with pytest.raises(UnitParseError):
        parse_size(text)


@pytest.mark.parametrize(
    "text",
    [
        "30",  # bare number: seconds or milliseconds?
        "10 parsecs",
        "-1s",
        "",
        "  ",
        "s",
        "1h30",  # trailing number without a unit
        "30S",
        "1e3s",
        "30sec",
        "64MiB",  # a size is not a duration
        "1:30",
        "+5s",
    ],
)
def test_bad_durations_are_refused_with_unit_parse_error(text: str) -> None:
    with pytest.raises(UnitParseError):
        parse_duration(text)


def test_the_refusal_quotes_the_text_and_lists_the_known_units() -> None:
    with pytest.raises(UnitParseError, match="parsecs") as caught:
        parse_duration("10 parsecs")
    assert "ms" in str(caught.value)
    with pytest.raises(UnitParseError, match="'64'"):
        parse_size("64")


def test_unit_parse_error_is_a_config_error_so_the_cli_exits_2() -> None:
    assert issubclass(UnitParseError, ConfigError)
    assert issubclass(UnitParseError, ParaloomError)
    with pytest.raises(UnitParseError) as caught:
        parse_size("64")
    assert caught.value.exit_code == 2


@settings(max_examples=300)
@given(st.text(max_size=30))
def test_arbitrary_text_is_a_size_or_a_unit_parse_error(text: str) -> None:
    try:
        size = parse_size(text)
    except UnitParseError:
        return
    assert isinstance(size, int)
    assert size >= 0


@settings(max_examples=300)
@given(st.text(max_size=30))
def test_arbitrary_text_is_a_duration_or_a_unit_parse_error(text: str) -> None:
    try:
        seconds = parse_duration(text)
    except UnitParseError:
        return
    assert isinstance(seconds, float)
    assert seconds >= 0


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10**6),
            st.sampled_from(sorted(DURATION_UNITS)),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["", " "]),
)
def test_multi_term_durations_are_the_sum_of_their_terms(
    terms: list[tuple[int, str]], separator: str
) -> None:
    text = separator.join(f"{count}{unit}" for count, unit in terms)
    expected = sum((count * DURATION_UNITS[unit] for count, unit in terms), Fraction(0))
    assert parse_duration(text) == float(expected)


@settings(max_examples=300)
@given(
    st.one_of(
        st.floats(min_value=0, allow_nan=False, allow_infinity=False),
        st.sampled_from([1 / 30000, 1 / 3, 1e-10, 2.5e-10, 1e300]),
    )
)
def test_any_formatted_duration_parses_back_to_the_same_float(seconds: float) -> None:
    # also values that are not whole in any unit: format_duration's output must stay parseable
    assert parse_duration(format_duration(seconds)) == seconds


# -- known bugs -----------------------------------------------------------------------------


def test_an_absurdly_long_duration_is_a_unit_parse_error() -> None:
    with pytest.raises(UnitParseError):
        parse_duration("1" + "0" * 400 + "s")
