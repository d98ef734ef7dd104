"""The MFN layer: the General (column 1) rate of the schedule line in force on the entry date.

A duty is MFN plus the layers on top of it. The rate comes from the official schedule, not from a rule file; the
layer names the revision and the line it was read from, and the line's footnotes point to the Chapter 99 headings
that the schedule itself says apply ("See 9903.88.15.").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from tradelex.data.schedule_rates import (
    RateKind,
    ScheduleRate,
    ScheduleRateError,
    ad_valorem_equivalent,
    parse_schedule_rate,
)
from tradelex.data.schedule_rates import amount as schedule_amount
from tradelex.engine.assessment import ScheduleRef
from tradelex.engine.line import Line
from tradelex.nomenclature.codes import format_code
from tradelex.nomenclature.hts import Schedule, ScheduleLine

MFN_MEASURE = "us.mfn"
# HTSUS General Note 3(b): products of Cuba and North Korea pay column 2 rates; Russia and Belarus since 2022
# (Suspending Normal Trade Relations with Russia and Belarus Act, Pub. L. 117-110).
COLUMN2_COUNTRIES = frozenset({"CU", "KP", "RU", "BY"})


class ScheduleSource(Protocol):
    """Where the evaluator finds the schedule in force on a day (nomenclature.hts.INSTALLED_SCHEDULES)."""

    def on(self, day: date) -> tuple[Schedule | None, list[str]]: ...

    def change_dates(self) -> list[date]: ...


@dataclass
class MfnRate:
    """What the schedule says for a line: the rate to apply (None when unknown) and why."""

    rate: ScheduleRate | None
    rate_text: str | None
    column: str
    effective: date | None
    schedule_line: ScheduleLine | None
    reference: ScheduleRef | None
    warnings: list[str] = field(default_factory=list)


def mfn_rate(line: Line, source: ScheduleSource) -> MfnRate | None:
    """The MFN rate of a US import line, or None when the importer is not the US."""
    if line.importer != "US":
        return None
    schedule, warnings = source.on(line.date)
    if schedule is None:
        return MfnRate(None, None, "", None, None, None, warnings)
    column = "column 2" if line.origin in COLUMN2_COUNTRIES else "column 1 General"
    candidates = schedule.rate_lines(line.code)
    rates = {_column_text(candidate, column) for candidate in candidates}
    if not candidates:
        warnings.append(f"{format_code(line.code)} is not a line of the HTSUS {schedule.revision}: no MFN layer")
        return MfnRate(None, None, column, None, None, None, warnings)
    if len(rates) > 1:
        listed = ", ".join(f"{c.hts_number} {_column_text(c, column)}" for c in candidates[:8])
        more = f" and {len(candidates) - 8} more" if len(candidates) > 8 else ""
        warnings.append(f"MFN is ambiguous for {format_code(line.code)}: {listed}{more}; give the 8- or 10-digit code")
        return MfnRate(None, None, column, schedule.dataset.effective, None, _reference(schedule, line, None), warnings)
    chosen = candidates[0]
    text = _column_text(chosen, column)
    reference = _reference(schedule, line, chosen)
    return MfnRate(_parse(text, warnings), text, column, schedule.dataset.effective, chosen, reference, warnings)


def _column_text(line: ScheduleLine, column: str) -> str:
    return line.column2_rate if column == "column 2" else line.general_rate


def _parse(text: str, warnings: list[str]) -> ScheduleRate | None:
    try:
        return parse_schedule_rate(text)
    except ScheduleRateError as error:
        warnings.append(f"the schedule's rate {text!r} does not parse ({error}): the MFN amount is unknown")
        return None


def mfn_amount(mfn: MfnRate, line: Line) -> tuple[Decimal | None, Decimal | None, str | None]:
    """The exact (unrounded) MFN duty, its ad valorem equivalent, and why either is unknown.

    A plain percentage has an ad valorem equivalent without a value (for histories); any other form needs the value.
    """
    rate = mfn.rate
    if rate is None:
        return None, None, None
    exact, reason = schedule_amount(rate, line.value, line.quantity, line.unit)
    if rate.kind is RateKind.FREE:
        return exact, Decimal(0), reason
    if rate.kind is RateKind.AD_VALOREM and rate.percent is not None and rate.ad_valorem[0].on_whole_value:
        return exact, rate.percent, reason
    equivalent, _ = ad_valorem_equivalent(rate, line.value, line.quantity, line.unit)
    return exact, equivalent, reason


def layer_kind(rate: ScheduleRate | None) -> str:
    kinds = {RateKind.SPECIFIC: "specific", RateKind.COMPOUND: "compound", RateKind.FORMULA: "compound"}
    return kinds.get(rate.kind, "ad_valorem") if rate is not None else "ad_valorem"


def _reference(schedule: Schedule, line: Line, chosen: ScheduleLine | None) -> ScheduleRef:
    own = schedule.line(line.code)
    described = own or chosen
    return ScheduleRef(
        revision=schedule.revision,
        line=chosen.hts_number if chosen else None,
        description=described.description if described else None,
        unit=(own.unit if own and own.unit else (chosen.unit if chosen else None)) or None,
        footnote_headings=sorted({h for c in (own, chosen) if c is not None for h in c.chapter99_references}),
    )
