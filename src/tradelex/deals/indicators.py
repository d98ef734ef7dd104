"""Indicator series for compliance: published figures by period, each known from the day it was published.

Series come from files (packs/deals/indicators/<name>.yaml, figures written from their publications with the
source of each) or, for `licensing:<regime>:<field>` (licensing:cn.mofcom:approvals), from the licence registry of
tradelex.controls.licensing (imported only when asked, so that deals work without it).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradelex.deals.loader import is_registry_series, load_indicator
from tradelex.deals.model import parse_period


@dataclass(frozen=True)
class Point:
    """One figure for one period [start, end), with where and when it was published."""

    period: str
    start: date
    end: date
    value: Decimal
    source: str
    url: str | None
    published: date
    confidence: str


@dataclass(frozen=True)
class Series:
    name: str
    title: str
    unit: str
    points: tuple[Point, ...]

    def known_on(self, day: date) -> list[Point]:
        """The figures published on or before `day`."""
        return [point for point in self.points if point.published <= day]

    def within(self, start: date, end: date, known_on: date) -> list[Point]:
        """Figures whose whole period lies in [start, end), as known on a day."""
        return [point for point in self.known_on(known_on) if start <= point.start and point.end <= end]


class SeriesUnavailableError(LookupError):
    """A series that cannot be read here (the licence registry is not installed)."""


def open_series(folder: Path, name: str) -> Series:
    if is_registry_series(name):
        return _registry_series(name)
    indicator = load_indicator(folder, name)
    points = []
    for period, observation in indicator.observations.items():
        start, end = parse_period(period)
        points.append(
            Point(
                period=period,
                start=start,
                end=end,
                value=observation.value,
                source=observation.source,
                url=observation.url,
                published=observation.published,
                confidence=observation.confidence.value,
            )
        )
    return Series(name=name, title=indicator.title, unit=indicator.unit, points=tuple(points))


def average(points: list[Point]) -> Decimal:
    return sum((point.value for point in points), Decimal(0)) / len(points)


REGISTRY_FIELDS = (
    "applications",
    "approvals",
    "denials",
    "returns",
    "approval_rate",
    "median_working_days_to_decision",
    "median_calendar_days_to_decision",
)
REGISTRY_START = date(2020, 1, 1)  # months before the first regime of the registry hold nothing


def _registry_series(name: str) -> Series:
    """Monthly licensing figures from tradelex.controls.licensing: `licensing:<regime>:<field>`, a field of its
    MonthlyIndicator. A month's figure is known once the month is over; months without a value (a rate with no
    decision) are left out. The registry is the one at $TRADELEX_DATABASE_URL or the user's data directory."""
    _, regime, field = name.split(":")
    if field not in REGISTRY_FIELDS:
        known = ", ".join(REGISTRY_FIELDS)
        raise SeriesUnavailableError(f"{name}: {field!r} is not a licensing indicator; known: {known}")
    try:
        # imported here: deals work without the licence registry and its database
        licensing: Any = importlib.import_module("tradelex.controls.licensing.registry")
    except ImportError:
        raise SeriesUnavailableError(
            f"{name}: licence-approval indicators come from tradelex.controls.licensing, which is not installed"
        ) from None
    rows = licensing.open_registry().indicators(regime, REGISTRY_START, date.today())
    points = []
    for row in rows:
        value = getattr(row, field)
        if value is None:
            continue
        start, end = parse_period(row.month)
        points.append(
            Point(
                period=row.month,
                start=start,
                end=end,
                value=Decimal(value),
                source=f"licence registry, regime {regime}: {field} (tradelex.controls.licensing)",
                url=None,
                published=end,
                confidence="unconfirmed",
            )
        )
    return Series(name=name, title=f"Licensing {regime}: {field}", unit=field.replace("_", " "), points=tuple(points))
