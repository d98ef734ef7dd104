"""Our averages against the figures PIIE published (`published.csv`: each figure with its source, url, confidence).

A published figure dated D is compared with our series' value in force on D (the last step on or before D); a figure
dated before the series starts is compared with the first step, and the row says so. `figure` is `average_total`
(MFN + additional) or `coverage` (share of trade under a special tariff).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from importlib.resources import files
from typing import Any

from tradelex.analysis.average import AveragePoint, AverageSeries

FIGURES = {"average_total": "average_percent", "coverage": "coverage_percent"}


def published_figures() -> list[dict[str, str]]:
    """Every row of published.csv, as text."""
    text = (files("tradelex.analysis") / "published.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def compare_published(series: AverageSeries) -> list[dict[str, Any]]:
    """Each published figure for the series' direction, our value on its date and the difference (ours - theirs)."""
    direction = f"{series.query['importer']} on {series.query['exporter']}"
    rows = []
    for row in published_figures():
        if row["direction"] != direction or row["figure"] not in FIGURES:
            continue
        day = date.fromisoformat(row["date"])
        point, before_start = _in_force(series.series, day)
        ours: Decimal | None = getattr(point, FIGURES[row["figure"]]) if point is not None else None
        theirs = Decimal(row["published_percent"])
        rows.append({
            "date": row["date"], "event": row["event"], "figure": row["figure"], "published_percent": str(theirs),
            "tradelex_percent": None if ours is None else format(ours, "f"),
            "tradelex_date": None if point is None else point.date.isoformat(),
            "difference_points": None if ours is None else format((ours - theirs).quantize(Decimal("0.01")), "f"),
            "before_series_start": before_start, "source": row["source"], "url": row["url"],
            "confidence": row["confidence"], "note": row["note"],
        })  # fmt: skip
    return rows


def _in_force(points: list[AveragePoint], day: date) -> tuple[AveragePoint | None, bool]:
    earlier = [p for p in points if p.date <= day]
    if earlier:
        return earlier[-1], False
    return (points[0], True) if points else (None, False)
