"""Monthly approval indicators per regime: a series the deals compliance work reads as an indicator.

A month counts the applications submitted in it and the decisions dated in it (approvals, denials, returns for more
information). The approval rate is approvals / (approvals + denials) of the month, to four places, half-up; the days
to decision run from the first submission to the final decision (time while returned included: what the exporter
waited), as Chinese working days and as calendar days. A figure with nothing to measure is null.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .calendar_cn import CalendarGapError, WorkingCalendar, china_calendar
from .schemas import ApplicationOut, MonthlyIndicator

RATE_PLACES = Decimal("0.0001")


@dataclass
class _Month:
    start: date
    applications: int = 0
    approvals: int = 0
    denials: int = 0
    returns: int = 0
    working_days: list[int] = field(default_factory=list)
    calendar_days: list[int] = field(default_factory=list)
    calendar_gap: bool = False


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month from start's month to end's month."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        next_year, next_month = divmod(month.year * 12 + month.month, 12)  # month.month is 1..12
        month = date(next_year, next_month + 1, 1)
    return months


def monthly_indicators(
    applications: Iterable[ApplicationOut],
    regime: str,
    start: date,
    end: date,
    calendar: WorkingCalendar | None = None,
) -> list[MonthlyIndicator]:
    calendar = calendar or china_calendar()
    months = {first: _Month(first) for first in months_between(start, end)}
    for application in applications:
        _count(application, months, calendar)
    return [_indicator(regime, month) for month in months.values()]


def _count(application: ApplicationOut, months: dict[date, _Month], calendar: WorkingCalendar) -> None:
    filed = months.get(application.submitted_on.replace(day=1))
    if filed is not None:
        filed.applications += 1
    for decision in application.decisions:
        month = months.get(decision.decided_on.replace(day=1))
        if month is None or decision.outcome == "resubmitted":
            continue
        if decision.outcome == "returned":
            month.returns += 1
            continue
        if decision.outcome == "approved":
            month.approvals += 1
        else:
            month.denials += 1
        month.calendar_days.append((decision.decided_on - application.submitted_on).days)
        try:
            month.working_days.append(calendar.working_days_between(application.submitted_on, decision.decided_on))
        except CalendarGapError:
            month.calendar_gap = True  # a decision outside the calendar's years: no working-day median that month


def _indicator(regime: str, month: _Month) -> MonthlyIndicator:
    decided = month.approvals + month.denials
    rate = (Decimal(month.approvals) / decided).quantize(RATE_PLACES, ROUND_HALF_UP) if decided else None
    return MonthlyIndicator(
        regime=regime,
        month=month.start.strftime("%Y-%m"),
        month_start=month.start,
        applications=month.applications,
        approvals=month.approvals,
        denials=month.denials,
        returns=month.returns,
        approval_rate=rate,
        median_working_days_to_decision=None if month.calendar_gap else median(month.working_days),
        median_calendar_days_to_decision=median(month.calendar_days),
    )


def median(values: Sequence[int]) -> Decimal | None:
    """The middle value, or the mean of the two middle values, exactly; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return (Decimal(ordered[middle - 1]) + Decimal(ordered[middle])) / 2
