"""The review clock against the State Council's holiday notices, worked out by hand.

Calendar facts used (国务院办公厅关于2025/2026年部分节假日安排的通知):
- 2025 Spring Festival: 28 Jan (Tue) to 4 Feb (Tue) off; Sunday 26 Jan and Saturday 8 Feb are working days.
- 2025 National Day and Mid-Autumn: 1 Oct (Wed) to 8 Oct (Wed) off; Sunday 28 Sep and Saturday 11 Oct are working days.
- 2026 Spring Festival: 15 Feb (Sun) to 23 Feb (Mon) off; Saturdays 14 Feb and 28 Feb are working days.
- 2026 Qingming: 4 Apr (Sat) to 6 Apr (Mon) off.
Rule (Dual-Use Items Export Control Regulations art. 17; Civil Code art. 201): 45 working days from acceptance, the day
of acceptance not counted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tradelex.controls.licensing.calendar_cn import CalendarGapError, build_calendar, china_calendar
from tradelex.controls.licensing.clock import review_clock
from tradelex.controls.licensing.schemas import ApplicationOut, DecisionOut
from tradelex.errors import DataError, InputError

calendar = china_calendar()


def application(submitted: date, *decisions: tuple[str, date]) -> ApplicationOut:
    return ApplicationOut(
        id=1,
        regime="cn.mofcom",
        exporter="Exporter Co.",
        item="2846.90",
        quantity=1,
        unit="kg",
        value=1,
        currency="USD",
        destination="US",
        end_user="End User Inc.",
        end_use="magnets",
        submitted_on=submitted,
        status="pending",
        decisions=[
            DecisionOut(sequence=n, outcome=outcome, decided_on=day, note=None, recorded_at=datetime.now(UTC))
            for n, (outcome, day) in enumerate(decisions, start=1)
        ],
    )


def test_adjusted_weekends_work_and_holiday_weekdays_do_not() -> None:
    assert calendar.is_working_day(date(2025, 1, 26))  # Sunday, worked for the Spring Festival
    assert calendar.is_working_day(date(2025, 2, 8))  # Saturday, worked
    assert not calendar.is_working_day(date(2025, 1, 28))  # Tuesday, Spring Festival eve
    assert not calendar.is_working_day(date(2025, 10, 8))  # Wednesday, last day of the National Day break
    assert not calendar.is_working_day(date(2025, 3, 1))  # an ordinary Saturday
    assert calendar.is_working_day(date(2025, 3, 3))  # an ordinary Monday


def test_due_date_across_the_2025_spring_festival() -> None:
    # Accepted Mon 20 Jan 2025. Working days after it: 21, 22, 23, 24 Jan (4), Sun 26 Jan (5), Mon 27 Jan (6);
    # 28 Jan to 4 Feb off; 5, 6, 7 Feb (9), Sat 8 Feb (10); then five a week: 10-14 Feb (15), 17-21 (20),
    # 24-28 (25), 3-7 Mar (30), 10-14 (35), 17-21 (40), 24-28 Mar (45). Due Friday 28 March 2025.
    # (Weekdays only would give 24 Mar; holidays without the adjusted weekends would give 1 Apr.)
    clock = review_clock(application(date(2025, 1, 20)), as_of=date(2025, 2, 10))
    assert clock.due_date == date(2025, 3, 28)
    # By Mon 10 Feb: 21-24 Jan (4), 26-27 Jan (6), 5-8 Feb (10), 10 Feb (11).
    assert clock.working_days_elapsed == 11
    assert clock.working_days_remaining == 34
    assert clock.overdue is False
    assert clock.state == "running"


def test_due_date_across_the_2025_national_day() -> None:
    # Accepted Fri 26 Sep 2025. Sun 28 Sep (1), 29-30 Sep (3); 1-8 Oct off; 9-10 Oct (5), Sat 11 Oct (6);
    # 13-17 Oct (11), 20-24 (16), 27-31 (21), 3-7 Nov (26), 10-14 (31), 17-21 (36), 24-28 (41), 1-4 Dec (45).
    # Due Thursday 4 December 2025.
    clock = review_clock(application(date(2025, 9, 26)), as_of=date(2025, 12, 5))
    assert clock.due_date == date(2025, 12, 4)
    assert clock.working_days_elapsed == 46  # Fri 5 Dec is one day past
    assert clock.working_days_remaining == 0
    assert clock.overdue is True


def test_due_date_across_the_2026_spring_festival_and_qingming() -> None:
    # Accepted Fri 13 Feb 2026. Sat 14 Feb (1); 15-23 Feb off; 24-27 Feb (5), Sat 28 Feb (6); 2-6 Mar (11),
    # 9-13 (16), 16-20 (21), 23-27 (26), 30 Mar-3 Apr (31); 4-6 Apr off (Mon 6 Apr included); 7-10 Apr (35),
    # 13-17 (40), 20-24 Apr (45). Due Friday 24 April 2026.
    clock = review_clock(application(date(2026, 2, 13)), as_of=date(2026, 2, 13))
    assert clock.due_date == date(2026, 4, 24)
    assert clock.working_days_elapsed == 0


def test_a_return_stops_the_clock_and_the_resubmission_starts_a_new_period() -> None:
    # Accepted 1 Sep 2025, returned 10 Sep, resubmitted Fri 26 Sep: the new period is the National Day case above.
    history = application(date(2025, 9, 1), ("returned", date(2025, 9, 10)), ("resubmitted", date(2025, 9, 26)))
    while_returned = review_clock(history, as_of=date(2025, 9, 20))
    assert while_returned.state == "stopped"
    assert while_returned.status == "returned"
    assert while_returned.stopped_on == date(2025, 9, 10)
    # 2-5 Sep (4), 8-10 Sep (7): the clock stood still after the return.
    assert while_returned.working_days_elapsed == 7
    assert while_returned.overdue is False
    after = review_clock(history, as_of=date(2025, 10, 10))
    assert after.state == "running"
    assert after.accepted_on == date(2025, 9, 26)
    assert after.due_date == date(2025, 12, 4)
    assert after.working_days_elapsed == 5  # 28, 29, 30 Sep, 9, 10 Oct


def test_a_decision_stops_the_clock_and_says_whether_it_came_late() -> None:
    on_time = application(date(2025, 1, 20), ("approved", date(2025, 3, 28)))
    clock = review_clock(on_time, as_of=date(2025, 6, 1))
    assert (clock.state, clock.status, clock.decided_on) == ("decided", "approved", date(2025, 3, 28))
    assert clock.working_days_elapsed == 45
    assert clock.overdue is False
    late = review_clock(application(date(2025, 1, 20), ("denied", date(2025, 3, 31))), as_of=date(2025, 6, 1))
    assert late.overdue is True
    assert late.working_days_elapsed == 46


def test_the_clock_replays_history_as_of_a_day() -> None:
    decided = application(date(2025, 1, 20), ("approved", date(2025, 3, 28)))
    before = review_clock(decided, as_of=date(2025, 3, 27))
    assert (before.state, before.status) == ("running", "pending")
    assert before.working_days_remaining == 1


def test_a_due_date_past_the_calendar_is_unknown_not_guessed() -> None:
    clock = review_clock(application(date(2026, 11, 20)), as_of=date(2026, 12, 1))
    assert clock.due_date is None
    assert clock.overdue is None
    assert clock.working_days_elapsed == 7  # 23-27 Nov, 30 Nov, 1 Dec
    assert any("no data for 2027" in warning for warning in clock.warnings)


def test_the_basis_names_the_regulation_and_the_notices() -> None:
    clock = review_clock(application(date(2025, 1, 20)), as_of=date(2025, 1, 21))
    assert clock.basis is not None
    assert "art. 17" in clock.basis.source
    assert clock.working_days_allowed == 45
    assert len(clock.calendar) == 1
    assert clock.calendar[0].source.startswith("国务院办公厅关于2025年部分节假日安排的通知")


def test_as_of_before_submission_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        review_clock(application(date(2025, 1, 20)), as_of=date(2025, 1, 19))
    assert caught.value.field == "as_of"


def test_the_calendar_refuses_days_outside_its_years() -> None:
    with pytest.raises(CalendarGapError, match="2022"):
        calendar.is_working_day(date(2022, 12, 30))


def test_a_calendar_file_with_a_day_both_off_and_worked_is_refused() -> None:
    document = {
        "years": {
            "2025": {
                "source": "s",
                "url": "u",
                "confidence": "unconfirmed",
                "holidays": [{"name": "x", "from": "2025-01-01", "to": "2025-01-02"}],
                "working_days": ["2025-01-02"],
            }
        }
    }
    with pytest.raises(DataError, match="both holiday and working day"):
        build_calendar(document)
