"""China's import tariff lines and MFN applied rates, 2018 to 2019 (PIIE's compilation of the Tariff Commission's
schedules: Bown, Jung and Zhang, 12 June 2019). The snapshots stop there: later MFN rates are not in the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from tradelex.data.catalog import read_table

CHINA_MFN_DATASET = "china_mfn_2018_2019"
# The dates at which the compilation gives China's MFN applied rates, and its column for each.
RATE_DATES = (date(2018, 1, 1), date(2018, 5, 1), date(2018, 7, 1), date(2018, 11, 1), date(2019, 1, 1))
# The last rates are used until mid-2019 only: later changes (China's 2019-07-01 adjustments onward) are not loaded.
RATES_UNTIL = date(2019, 7, 1)


@dataclass(frozen=True)
class ChinaLine:
    code: str  # 10 digits, possibly with a value-band letter (8521101100B) kept by the importer
    description: str
    rates: dict[date, Decimal | None]  # MFN applied percent by date


@cache
def china_lines() -> dict[str, ChinaLine]:
    found = read_table(CHINA_MFN_DATASET)
    if found is None:
        return {}
    rows = found[0].to_pylist()
    columns = {day: f"mfn_applied_{day:%Y_%m_%d}_percent" for day in RATE_DATES}
    return {
        row["hs10"]: ChinaLine(row["hs10"], row["description"], {day: row[name] for day, name in columns.items()})
        for row in rows
    }


def china_rate_lines(code: str) -> list[ChinaLine]:
    """The lines under a code (a 10-digit code is its own line)."""
    return _lines_by_prefix().get(code, [])


@cache
def _lines_by_prefix() -> dict[str, list[ChinaLine]]:
    # Indexed once by every prefix a query may give (2 to 10 digits), instead of a scan per look-up.
    index: dict[str, list[ChinaLine]] = {}
    for digits, line in china_lines().items():
        for length in range(2, len(digits) + 1):
            index.setdefault(digits[:length], []).append(line)
    return index


def rate_date_on(day: date) -> date | None:
    """The date of the compilation's rates that hold on `day`, or None outside 2018-01-01 to 2019-06-30."""
    if day < RATE_DATES[0] or day >= RATES_UNTIL:
        return None
    return max(rate_day for rate_day in RATE_DATES if rate_day <= day)
