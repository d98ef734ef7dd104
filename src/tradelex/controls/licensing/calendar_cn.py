"""China's working-day calendar: weekends, public holidays and adjusted working weekends, from holidays_cn.yaml.

Written by hand because no library holds the State Council's annual arrangement with its sources: the `holidays`
package knows Chinese holidays but not as data we can cite, and the adjusted working weekends (调休) change each year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from tradelex.dates import parse_iso_date
from tradelex.errors import DataError

CALENDAR_FILE = "holidays_cn.yaml"


class CalendarGapError(Exception):
    """A day in a year the calendar has no data for: the answer is unknown, not guessed."""

    def __init__(self, day: date, first: date, last: date):
        self.day = day
        super().__init__(
            f"the Chinese holiday calendar has no data for {day.year} (it covers {first} to {last}); "
            f"add the State Council's notice for {day.year} to {CALENDAR_FILE}"
        )


@dataclass(frozen=True)
class YearSource:
    year: int
    source: str
    url: str
    confidence: str


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days in mainland China, for the years the data covers."""

    first_day: date
    last_day: date
    holidays: frozenset[date]
    adjusted_working_days: frozenset[date]
    sources: tuple[YearSource, ...]

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def is_working_day(self, day: date) -> bool:
        if not self.covers(day):
            raise CalendarGapError(day, self.first_day, self.last_day)
        if day in self.adjusted_working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (start itself not counted, Civil Code art. 201)."""
        day, counted = start, 0
        while counted < count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: the days elapsed by `end` of a period that began on `start`."""
        day, counted = start, 0
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return counted


def _read_year(year: str, entry: dict[str, Any]) -> tuple[set[date], set[date], YearSource]:
    where = f"{CALENDAR_FILE}: year {year}"
    for key in ("source", "url", "confidence", "holidays", "working_days"):
        if key not in entry:
            raise DataError(where, f"missing {key}", field=key)
    holidays: set[date] = set()
    for holiday in entry["holidays"]:
        first = parse_iso_date(holiday["from"], f"{year}.holidays.from")
        last = parse_iso_date(holiday["to"], f"{year}.holidays.to")
        holidays.update(first + timedelta(days=offset) for offset in range((last - first).days + 1))
    working = {parse_iso_date(day, f"{year}.working_days") for day in entry["working_days"]}
    if working & holidays:
        raise DataError(where, f"days both holiday and working day: {sorted(working & holidays)}")
    source = YearSource(int(year), str(entry["source"]), str(entry["url"]), str(entry["confidence"]))
    return holidays, working, source


def build_calendar(document: dict[str, Any]) -> WorkingCalendar:
    years = sorted(document["years"], key=int)
    if [int(year) for year in years] != list(range(int(years[0]), int(years[-1]) + 1)):
        raise DataError(CALENDAR_FILE, f"years must be consecutive, got {years}")
    holidays: set[date] = set()
    working: set[date] = set()
    sources = []
    for year in years:
        year_holidays, year_working, source = _read_year(year, document["years"][year])
        holidays |= year_holidays
        working |= year_working
        sources.append(source)
    return WorkingCalendar(
        first_day=date(int(years[0]), 1, 1),
        last_day=date(int(years[-1]), 12, 31),
        holidays=frozenset(holidays),
        adjusted_working_days=frozenset(working),
        sources=tuple(sources),
    )


@cache
def china_calendar() -> WorkingCalendar:
    text = resources.files(__package__).joinpath(CALENDAR_FILE).read_text(encoding="utf-8")
    return build_calendar(yaml.safe_load(text))
