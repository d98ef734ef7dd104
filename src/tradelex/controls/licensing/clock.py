"""The statutory review clock: working days from acceptance to the authority's decision.

The rule (regimes.yaml says it with its sources): the period runs from acceptance, the day of acceptance not counted;
the due date is the Nth working day after it; a return for more information stops the clock and the applicant's
resubmission starts a new full period. Only the history known on the as-of day counts, so the clock can be replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tradelex.errors import InputError

from .calendar_cn import CalendarGapError, WorkingCalendar, china_calendar
from .regimes import find_regime
from .schemas import ApplicationOut, Basis, ClockState, ReviewClock, Status

COUNTING_RULE = (
    "working days after acceptance (the day of acceptance not counted), skipping weekends and public holidays and "
    "counting adjusted working weekends; a return for more information stops the clock and the resubmission starts "
    "a new period"
)


@dataclass
class _Replay:
    """Where the history stands on the as-of day."""

    status: Status
    state: ClockState
    accepted_on: date
    stopped_on: date | None = None
    decided_on: date | None = None
    ended_on: date | None = None  # the day the clock stopped: the return, or the decision if nothing stopped it first


def replay(application: ApplicationOut, as_of: date) -> _Replay:
    """Walk the decisions recorded on or before `as_of` and say where the clock stands."""
    state = _Replay(status="pending", state="running", accepted_on=application.submitted_on)
    for decision in application.decisions:
        if decision.decided_on > as_of:
            break
        if decision.outcome == "returned":
            state.status, state.state, state.stopped_on = "returned", "stopped", decision.decided_on
            state.ended_on = decision.decided_on
        elif decision.outcome == "resubmitted":
            state = _Replay(status="pending", state="running", accepted_on=decision.decided_on)
        else:
            state.status = "approved" if decision.outcome == "approved" else "denied"
            state.state, state.decided_on = "decided", decision.decided_on
            state.ended_on = state.ended_on or decision.decided_on
    return state


def review_clock(application: ApplicationOut, as_of: date, calendar: WorkingCalendar | None = None) -> ReviewClock:
    if as_of < application.submitted_on:
        raise InputError("as_of", f"{as_of} is before the application was submitted on {application.submitted_on}")
    calendar = calendar or china_calendar()
    regime = find_regime(application.regime)
    where = replay(application, as_of)
    period = regime.period_on(where.accepted_on)
    warnings: list[str] = []
    if period is None:
        warnings.append(f"no review period of {regime.id} is known for applications accepted on {where.accepted_on}")
    # The clock stops at the decision or the return; otherwise it runs to the as-of day.
    clock_end = where.ended_on or as_of
    due_date = _due_date(calendar, where.accepted_on, period.working_days, warnings) if period else None
    elapsed = _elapsed(calendar, where.accepted_on, clock_end, warnings)
    allowed = period.working_days if period else None
    return ReviewClock(
        application_id=application.id,
        regime=regime.id,
        as_of=as_of,
        status=where.status,
        state=where.state,
        accepted_on=where.accepted_on,
        working_days_allowed=allowed,
        due_date=due_date,
        working_days_elapsed=elapsed,
        working_days_remaining=None if allowed is None or elapsed is None else max(allowed - elapsed, 0),
        overdue=None if due_date is None else clock_end > due_date,
        stopped_on=where.stopped_on,
        decided_on=where.decided_on,
        rule=COUNTING_RULE,
        basis=Basis(source=period.source, url=period.url, confidence=period.confidence, note=period.note)
        if period
        else None,
        calendar=_calendar_sources(calendar, where.accepted_on, max(clock_end, due_date or clock_end)),
        warnings=sorted(set(warnings)),
    )


def _due_date(calendar: WorkingCalendar, accepted_on: date, working_days: int, warnings: list[str]) -> date | None:
    try:
        return calendar.add_working_days(accepted_on, working_days)
    except CalendarGapError as gap:  # past the calendar's data: unknown, said so, never guessed
        warnings.append(str(gap))
        return None


def _elapsed(calendar: WorkingCalendar, accepted_on: date, clock_end: date, warnings: list[str]) -> int | None:
    try:
        return calendar.working_days_between(accepted_on, clock_end)
    except CalendarGapError as gap:
        warnings.append(str(gap))
        return None


def _calendar_sources(calendar: WorkingCalendar, first: date, last: date) -> list[Basis]:
    return [
        Basis(source=year.source, url=year.url, confidence=year.confidence)
        for year in calendar.sources
        if first.year <= year.year <= last.year
    ]
