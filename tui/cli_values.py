"""The type functions of the `quiz` command line's options: each returns the value or raises argparse's
ArgumentTypeError with what is wrong (argparse prints it; argparse itself is imported only then, so a plain start,
which tui.cli reads without argparse, never loads it)."""

from __future__ import annotations

from datetime import date


def _bad_value(message: str) -> Exception:
    """The error an option's type function raises for argparse to report (argparse is imported only then)."""
    from argparse import ArgumentTypeError

    return ArgumentTypeError(message)


def date_option(text: str) -> date:
    """--until: a YYYY-MM-DD date."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _bad_value(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def retention_option(text: str) -> float:
    """--retention: a share strictly between 0 and 1."""
    return _number(text, float, lambda value: 0 < value < 1, "a retention between 0 and 1, e.g. 0.9")


def minutes_option(text: str) -> float:
    """--minutes: more than 0 and at most 600."""
    return _number(text, float, lambda value: 0 < value <= 600, "a number of minutes between 0 and 600, e.g. 45")


def count_option(text: str) -> int:
    """--new-per-day: a whole number >= 0."""
    return _number(text, int, lambda value: value >= 0, "a whole number >= 0")


def _number(text: str, convert, allowed, what: str):
    try:
        value = convert(text)
    except ValueError:
        raise _bad_value(f"{text!r} is not {what}") from None
    if not allowed(value):
        raise _bad_value(f"{text!r} is not {what}")
    return value
