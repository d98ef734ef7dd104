"""Indicator series for compliance: published figures by period, each known from the day it was published.

Series come from files (packs/deals/indicators/<name>.yaml, figures written from their publications with the
source of each) or, for `licensing-<regime>`, from the licence registry of tradelex.controls.licensing when that
module is installed (imported only when asked, so that deals work without it).
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


def _registry_series(name: str) -> Series:
    """Monthly licence-approval figures from tradelex.controls.licensing (`licensing-<regime>`)."""
    regime = name.removeprefix("licensing-")
    try:
        licensing: Any = importlib.import_module("tradelex.controls.licensing")
    except ImportError:
        raise SeriesUnavailableError(
            f"{name}: licence-approval indicators come from tradelex.controls.licensing, which is not installed"
        ) from None
    rows = licensing.open_registry().indicators(regime, date(2000, 1, 1), date.today())
    points = []
    for row in rows:
        month = row.month if isinstance(row.month, date) else date.fromisoformat(f"{row.month}-01")
        start, end = parse_period(f"{month:%Y-%m}")
        points.append(
            Point(
                period=f"{month:%Y-%m}",
                start=start,
                end=end,
                value=Decimal(str(row.value)),
                source=f"licence registry ({regime})",
                url=None,
                published=end,
                confidence="unconfirmed",
            )
        )
    return Series(name=name, title=f"Licence approvals: {regime}", unit="approvals", points=tuple(points))
