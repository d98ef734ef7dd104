"""The US tariff schedule (HTSUS) by revision: lines, descriptions, units, General rates and footnotes.

The rate sits on the 8-digit tariff line; a 10-digit statistical line inherits it. Where an 8-digit line has a single
statistical suffix, USITC publishes only the 10-digit row, and that row carries the rate (shared/data/README.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from tradelex.data.catalog import read_table
from tradelex.data.datasets import SCHEDULES, Dataset

_HEADING_REFERENCE = re.compile(r"99\d\d\.\d\d\.\d\d")


@dataclass(frozen=True)
class ScheduleLine:
    hts_number: str
    digits: str
    indent: int
    description: str
    unit: str
    general_rate: str
    column2_rate: str
    footnotes: str

    @property
    def chapter99_references(self) -> list[str]:
        """The Chapter 99 headings a footnote points to ("See 9903.88.15."): official pointers to extra duties."""
        return _HEADING_REFERENCE.findall(self.footnotes)


@dataclass(frozen=True)
class Schedule:
    dataset: Dataset
    provenance: dict[str, Any]
    lines: dict[str, ScheduleLine]  # by digits, 8 and 10 digits

    @property
    def revision(self) -> str:
        return self.dataset.revision

    def rate_lines(self, code: str) -> list[ScheduleLine]:
        """The lines that carry the General rate for a code: one for a tariff line, several under a heading."""
        if len(code) >= 8:
            own = self.lines.get(code[:8])
            if own is not None and own.general_rate:
                return [own]
            if len(code) == 10 and (line := self.lines.get(code)) is not None and line.general_rate:
                return [line]
        return [line for digits, line in self.lines.items() if digits.startswith(code) and line.general_rate]

    def knows(self, code: str) -> bool:
        return code in self.lines or any(digits.startswith(code) for digits in self.lines)

    def line(self, code: str) -> ScheduleLine | None:
        return self.lines.get(code) or self.lines.get(code[:8])


@cache
def load_schedule(name: str) -> Schedule | None:
    found = read_table(name)
    if found is None:
        return None
    table, provenance = found
    columns = ("hts_digits", "indent", "hts_number", "description", "unit_of_quantity", "general_rate", "column2_rate",
               "footnotes")  # fmt: skip
    rows: dict[str, list[Any]] = {column: table.column(column).to_pylist() for column in columns}
    lines = {
        digits: ScheduleLine(number, digits, indent, description, unit, rate, column2, footnotes)
        for digits, indent, number, description, unit, rate, column2, footnotes in zip(*rows.values(), strict=True)
        if digits and len(digits) >= 8
    }
    dataset = next(d for d in SCHEDULES if d.name == name)
    return Schedule(dataset=dataset, provenance=provenance, lines=lines)


class InstalledSchedules:
    """The schedules this installation has (the user's store, else the bundle), by the date they take effect."""

    def on(self, day: date) -> tuple[Schedule | None, list[str]]:
        return schedule_on(day)

    def change_dates(self) -> list[date]:
        return sorted(d.effective for d in SCHEDULES if d.effective is not None and load_schedule(d.name) is not None)


INSTALLED_SCHEDULES = InstalledSchedules()


def schedule_on(day: date) -> tuple[Schedule | None, list[str]]:
    """The loaded revision in force on a day, with a warning when the revision in force is not loaded."""
    loaded = [s for d in SCHEDULES if (s := load_schedule(d.name)) is not None and d.effective is not None]
    if not loaded:
        return None, ["no US tariff schedule is loaded: the MFN layer is missing (run `tradelex data status`)"]
    loaded.sort(key=lambda s: s.dataset.effective or date.min)
    in_force = [s for s in loaded if s.dataset.effective and s.dataset.effective <= day]
    if not in_force:
        first = loaded[0]
        return first, [
            f"MFN from the {first.revision} (effective {first.dataset.effective}): older schedules are not loaded"
        ]
    chosen = in_force[-1]
    later = [s for s in loaded if s.dataset.effective and s.dataset.effective > day]
    if later and chosen is not loaded[-1]:
        return chosen, [
            f"MFN from the {chosen.revision}: the revisions published between it and the {later[0].revision} are "
            "not loaded, and may have changed this rate"
        ]
    return chosen, []
