"""Parameters both front ends take, checked once: days, day ranges, full-text queries.

Errors are plain `ParamError`s whose message names the mistake and the fix; the CLI turns
them into usage errors, the HTTP API into 400 answers. `names` are what each front end
calls a parameter (`--from` on the command line, `from` in a URL).
"""

from __future__ import annotations

from datetime import date


class ParamError(ValueError):
    """A parameter the user can fix; the message says how."""


def day(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ParamError(f"{name} {value}: not a date (YYYY-MM-DD)") from None


def day_range(
    start: str | None, end: str | None, names: tuple[str, str] = ("--from", "--to")
) -> tuple[date | None, date | None]:
    """The bounds as dates, the first not after the last."""
    first, last = day(names[0], start), day(names[1], end)
    if first and last and first > last:
        raise ParamError(f"{names[0]} {start} is after {names[1]} {end}")
    return first, last


def query_hint(error: Exception) -> str:
    """A full-text query the index refused, with the fix for the usual cause."""
    return f"{error} (quote words with special characters: '\"U.S.\"')"
