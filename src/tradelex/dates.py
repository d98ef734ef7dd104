"""Dates: strict ISO parsing and half-open validity ranges.

A value keyed 2025-04-10 holds from that day (inclusive) until the next key (exclusive), as in OpenFisca.
"""

from __future__ import annotations

import re
from datetime import date

from tradelex.errors import BadDateError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(text: object, field: str = "date") -> date:
    """Parse YYYY-MM-DD and nothing else: no timestamps, no '2025/4/5', no integers."""
    if isinstance(text, date):
        return text
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise BadDateError(field, f"expected a date as YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadDateError(field, f"{text!r} is not a calendar date") from None


def in_range(day: date, start: date, end: date | None) -> bool:
    """Whether `day` lies in [start, end); an open end runs forever."""
    return start <= day and (end is None or day < end)
