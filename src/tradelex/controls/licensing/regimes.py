"""Licensing regimes and their statutory review periods, from regimes.yaml (each period with its source)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import yaml

from tradelex.dates import parse_iso_date
from tradelex.errors import DataError, InputError

REGIMES_FILE = "regimes.yaml"


@dataclass(frozen=True)
class ReviewPeriod:
    """`working_days` for applications accepted from `starts` until the next period."""

    starts: date
    working_days: int
    source: str
    url: str
    confidence: str
    note: str | None


@dataclass(frozen=True)
class Regime:
    id: str
    title: str
    authority: str
    calendar: str
    periods: tuple[ReviewPeriod, ...]

    def period_on(self, accepted: date) -> ReviewPeriod | None:
        """The review period for an application accepted on `accepted`; None before the first known period."""
        current = None
        for period in self.periods:
            if period.starts <= accepted:
                current = period
        return current


def _read_regime(regime_id: str, entry: dict[str, object]) -> Regime:
    where = f"{REGIMES_FILE}: {regime_id}"
    raw_periods = entry.get("review_periods")
    if not isinstance(raw_periods, dict) or not raw_periods:
        raise DataError(where, "needs review_periods keyed by date", field="review_periods")
    periods = []
    for key, value in raw_periods.items():
        if not isinstance(value, dict) or not isinstance(value.get("working_days"), int):
            raise DataError(where, f"period {key} needs an integer working_days", field="working_days")
        for required in ("source", "url", "confidence"):
            if not value.get(required):
                raise DataError(where, f"period {key} needs {required}", field=required)
        periods.append(
            ReviewPeriod(
                starts=parse_iso_date(key, f"{regime_id}.review_periods"),
                working_days=value["working_days"],
                source=" ".join(str(value["source"]).split()),
                url=str(value["url"]),
                confidence=str(value["confidence"]),
                note=" ".join(str(value["note"]).split()) if value.get("note") else None,
            )
        )
    return Regime(
        id=regime_id,
        title=str(entry.get("title", regime_id)),
        authority=str(entry.get("authority", "")),
        calendar=str(entry.get("calendar", "cn")),
        periods=tuple(sorted(periods, key=lambda period: period.starts)),
    )


@cache
def known_regimes() -> dict[str, Regime]:
    text = resources.files(__package__).joinpath(REGIMES_FILE).read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    return {regime_id: _read_regime(regime_id, entry) for regime_id, entry in document.items()}


def find_regime(regime_id: str, field: str = "regime") -> Regime:
    regimes = known_regimes()
    if regime_id not in regimes:
        raise InputError(field, f"{regime_id!r} is not a known licensing regime; known: {', '.join(sorted(regimes))}")
    return regimes[regime_id]
