"""The MFN layer: the importer's own tariff rate for the line, from the official schedule, not from a rule file.

A duty is MFN plus the layers on top of it. The US rate is the General (column 1) rate of the HTSUS line in force on
the entry date; the layer names the revision and the line, and the line's footnotes point to the Chapter 99 headings
that the schedule itself says apply ("See 9903.88.15."). China's rate comes from the 2018-2019 compilation of its
MFN applied rates; outside those dates the data has no answer, and the assessment says so.
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
from tradelex.money import format_decimal
from tradelex.nomenclature.cn import RATE_DATES, RATES_UNTIL, china_rate_lines, rate_date_on
from tradelex.nomenclature.codes import format_code
from tradelex.nomenclature.hts import INSTALLED_SCHEDULES, InstalledSchedules, Schedule, ScheduleLine

SCHEDULE_URL = "https://hts.usitc.gov/"
# HTSUS General Note 3(b): products of Cuba and North Korea pay column 2 rates; Russia and Belarus since 2022
# (Suspending Normal Trade Relations with Russia and Belarus Act, Pub. L. 117-110).
COLUMN2_COUNTRIES = frozenset({"CU", "KP", "RU", "BY"})
CHINA_SOURCE = "China's MFN applied rates as compiled by PIIE (Bown, Jung and Zhang, 2019) from the Tariff Commission"


@dataclass
class MfnRate:
    """The importer's own rate for a line (None when unknown, with the reason in `warnings`) and where it is from."""

    measure: str
    title: str
    source: str
    url: str | None
    confidence: str
    effective: date | None
    rate: ScheduleRate | None
    rate_text: str | None
    reference: ScheduleRef | None
    warnings: list[str] = field(default_factory=list)


class MfnSource(Protocol):
    """Where the evaluator finds the importer's own rate (INSTALLED_MFN: the loaded data)."""

    def mfn(self, line: Line) -> MfnRate | None: ...

    def change_dates(self, importer: str) -> list[date]: ...


class UsSchedule:
    """The US rate: the HTSUS line in force on the entry date."""

    def __init__(self, schedules: InstalledSchedules) -> None:
        self.schedules = schedules

    def change_dates(self) -> list[date]:
        return self.schedules.change_dates()

    def mfn(self, line: Line) -> MfnRate | None:
        schedule, warnings = self.schedules.on(line.date)
        column = "column 2" if line.origin in COLUMN2_COUNTRIES else "column 1 General"
        title = (
            "Column 2 duty (HTSUS)" if column == "column 2" else "Most-favoured-nation duty (HTSUS column 1 General)"
        )
        if schedule is None:
            return None
        candidates = schedule.rate_lines(line.code)
        texts = {_column_text(candidate, column) for candidate in candidates}
        if not candidates:
            warnings.append(f"{format_code(line.code)} is not a line of the HTSUS {schedule.revision}: no MFN layer")
            return MfnRate("us.mfn", title, "", None, "confirmed", None, None, None, None, warnings)
        chosen = candidates[0] if len(texts) == 1 else None
        if chosen is None:
            listed = ", ".join(f"{c.hts_number} {_column_text(c, column)}" for c in candidates[:8])
            more = f" and {len(candidates) - 8} more" if len(candidates) > 8 else ""
            warnings.append(
                f"MFN is ambiguous for {format_code(line.code)}: {listed}{more}; give the 8- or 10-digit code"
            )
        text = _column_text(chosen, column) if chosen else None
        where = chosen.hts_number if chosen else "several lines (ambiguous)"
        return MfnRate(
            "us.mfn", title, f"HTSUS {schedule.revision}, {where}, {column}", SCHEDULE_URL, "confirmed",
            schedule.dataset.effective, _parse(text, warnings) if text else None, text,
            _reference(schedule, line, chosen), warnings,
        )  # fmt: skip


class ChinaTariff:
    """China's rate: the 2018-2019 compilation of its MFN applied rates, by 10-digit line."""

    def change_dates(self) -> list[date]:
        return [*RATE_DATES, RATES_UNTIL]

    def mfn(self, line: Line) -> MfnRate | None:
        title = "China's MFN applied duty"
        rate_day = rate_date_on(line.date)
        if rate_day is None:
            gap = f"China's MFN rates on {line.date} are not in the data (it covers 2018-01-01 to 2019-06-30)"
            return MfnRate("cn.mfn", title, CHINA_SOURCE, None, "unconfirmed", None, None, None, None, [gap])
        lines = china_rate_lines(line.code)
        percents = {candidate.rates[rate_day] for candidate in lines}
        if not lines or None in percents or len(percents) != 1:
            reason = "is not a line of" if not lines else "has several or missing rates in"
            warning = f"{format_code(line.code)} {reason} China's tariff of {rate_day}: the MFN amount is unknown"
            return MfnRate("cn.mfn", title, CHINA_SOURCE, None, "unconfirmed", rate_day, None, None, None, [warning])
        percent = percents.pop()
        assert percent is not None
        text = f"{format_decimal(percent)}%"
        source = f"{CHINA_SOURCE}, line {lines[0].code if len(lines) == 1 else format_code(line.code)}, {rate_day}"
        return MfnRate("cn.mfn", title, source, None, "unconfirmed", rate_day, _parse(text, []), text, None)


class InstalledMfn:
    """Each importer's own rates, as far as the loaded data has them."""

    def __init__(self) -> None:
        self.sources: dict[str, UsSchedule | ChinaTariff] = {"US": UsSchedule(INSTALLED_SCHEDULES), "CN": ChinaTariff()}

    def mfn(self, line: Line) -> MfnRate | None:
        source = self.sources.get(line.importer)
        return source.mfn(line) if source is not None else None

    def change_dates(self, importer: str) -> list[date]:
        source = self.sources.get(importer)
        return source.change_dates() if source is not None else []


INSTALLED_MFN = InstalledMfn()


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
