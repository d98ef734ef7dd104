"""Monthly indicators on a small, hand-counted history (both backends)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tradelex.controls.licensing import ApplicationIn, DecisionIn, LicenceRegistry
from tradelex.controls.licensing.indicators import median, months_between
from tradelex.errors import InputError

BASE = {
    "exporter": "Exporter Co.",
    "item": "2846.90",
    "quantity": "100",
    "unit": "kg",
    "value": "20000",
    "currency": "USD",
    "destination": "JP",
    "end_user": "End User KK",
    "end_use": "motors",
}


def file(registry: LicenceRegistry, submitted: str, *decisions: tuple[str, str]) -> None:
    application_id = registry.submit(ApplicationIn.from_mapping(BASE | {"submitted_on": submitted})).id
    for outcome, day in decisions:
        registry.decide(application_id, DecisionIn.from_mapping({"outcome": outcome, "decided_on": day}))


def test_monthly_counts_rates_and_medians(registry: LicenceRegistry) -> None:
    # Working days counted by hand from the 2025 notice (Spring Festival 28 Jan-4 Feb off, 26 Jan and 8 Feb worked):
    # A: 6 Jan -> approved 17 Feb: 7-10 Jan (4), 13-17 (9), 20-24 (14), 26-27 (16), 5-8 Feb (20), 10-14 (25),
    #    17 Feb (26) = 26 working days; 42 calendar days.
    # B: 13 Jan -> denied 24 Feb: 14-17 Jan (4), 20-24 (9), 26-27 (11), 5-8 Feb (15), 10-14 (20), 17-21 (25),
    #    24 Feb (26) = 26 working days; 42 calendar days.
    # C: 20 Jan -> returned 5 Feb, resubmitted 10 Feb, approved 28 Feb: from the first submission, 21-24 Jan (4),
    #    26-27 (6), 5-8 Feb (10), 10-14 (15), 17-21 (20), 24-28 (25) = 25 working days; 39 calendar days.
    # D: 3 Feb, still pending. E: 3 Mar -> approved 31 Mar (March, alone): 20 working days; 28 calendar days.
    file(registry, "2025-01-06", ("approved", "2025-02-17"))
    file(registry, "2025-01-13", ("denied", "2025-02-24"))
    file(registry, "2025-01-20", ("returned", "2025-02-05"), ("resubmitted", "2025-02-10"), ("approved", "2025-02-28"))
    file(registry, "2025-02-03")
    file(registry, "2025-03-03", ("approved", "2025-03-31"))
    january, february, march = registry.indicators("cn.mofcom", date(2025, 1, 15), date(2025, 3, 2))
    assert (january.month, january.applications, january.approvals, january.approval_rate) == ("2025-01", 3, 0, None)
    assert january.median_working_days_to_decision is None
    assert (february.applications, february.approvals, february.denials, february.returns) == (1, 2, 1, 1)
    assert february.approval_rate == Decimal("0.6667")  # 2 of 3, half-up to four places
    assert february.median_working_days_to_decision == Decimal(26)  # of 26, 26, 25
    assert february.median_calendar_days_to_decision == Decimal(42)  # of 42, 42, 39
    assert (march.applications, march.approvals, march.approval_rate) == (1, 1, Decimal("1.0000"))
    assert march.median_working_days_to_decision == Decimal(20)
    assert march.to_json_dict()["approval_rate"] == "1.0000"
    assert march.month_start == date(2025, 3, 1)


def test_indicators_refuse_an_unknown_regime_and_a_reversed_range(registry: LicenceRegistry) -> None:
    with pytest.raises(InputError) as unknown:
        registry.indicators("xx.nobody", date(2025, 1, 1), date(2025, 2, 1))
    assert unknown.value.field == "regime"
    with pytest.raises(InputError) as reversed_range:
        registry.indicators("cn.mofcom", date(2025, 3, 1), date(2025, 2, 1))
    assert reversed_range.value.field == "end"


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert median([3, 1, 4, 10]) == Decimal("3.5")
    assert median([]) is None
    assert months_between(date(2024, 11, 30), date(2025, 2, 1)) == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]
