"""Averages, scenarios and revenue on a tiny pack, each figure worked out by hand in the comments.

The pack (written here): one US measure `us.test.duty` on goods of CN, 10% on heading 0101 from 2025-01-01, 25%
from 2025-03-01, with 15 points suspended from 2025-03-01 to 2025-04-01. MFN is left out (mfn=None: 0%), so totals
equal the additional rates. Two schedule lines: 0101210000 (in scope) and 0201100000 (not in scope).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from tradelex.analysis import apply_scenario, average_series, load_scenario, project_revenue
from tradelex.errors import PackError
from tradelex.rules.loader import load_pack

LINES = ("0101210000", "0201100000")
# Weights: USD 3,000 of 0101.21 and USD 1,000 of 0201.10 (hs6 products).
WEIGHTS = pa.table({"code": ["0101210000", "0201100000"], "value_usd": pa.array([3000, 1000], pa.int64())})


@pytest.fixture
def pack(tiny_pack_dir: Path):  # type: ignore[no-untyped-def]
    # The measure of conftest.MEASURE: 10% on 0101 from 2025-01-01, 25% from 2025-03-01, 15 points suspended in March.
    return load_pack(tiny_pack_dir)


def _series(pack, **options):  # type: ignore[no-untyped-def]
    return average_series(pack, "US", "CN", date(2024, 12, 1), date(2025, 6, 30), weights=WEIGHTS, mfn=None,
                          lines=lambda importer, day: LINES, **options)  # fmt: skip


def test_average_steps_by_hand(pack) -> None:  # type: ignore[no-untyped-def]
    points = {p.date: p for p in _series(pack).series}
    # 2024-12-01: nothing applies: 0.
    assert points[date(2024, 12, 1)].average_additional_percent == Decimal("0.0000")
    # 2025-01-01: 10% on 3,000 of 4,000 of trade: 0.75 x 10 = 7.5; coverage 75%.
    assert points[date(2025, 1, 1)].average_additional_percent == Decimal("7.5000")
    assert points[date(2025, 1, 1)].coverage_percent == Decimal("75.0000")
    assert points[date(2025, 1, 1)].changed_by == ["us.test.duty"]
    # 2025-03-01: 25% less 15 suspended points = 10%: the average does not move, so no step is shown.
    assert date(2025, 3, 1) not in points
    # 2025-04-01: the suspension ends, 25%: 0.75 x 25 = 18.75.
    assert points[date(2025, 4, 1)].average_additional_percent == Decimal("18.7500")


def test_scenario_lifting_the_suspension_early(pack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scenario_file = tmp_path / "lapse.yaml"
    scenario_file.write_text(
        "name: lapse\ndescription: the suspension ends on 2025-03-15\n"
        "changes:\n  - {measure: us.test.duty, action: end_suspensions, from: 2025-03-15}\n",
        encoding="utf-8",
    )
    changed = apply_scenario(pack, load_scenario(scenario_file))
    points = {p.date: p for p in _series(changed).series}
    # From 2025-03-15 the full 25% applies: 0.75 x 25 = 18.75 (two weeks earlier than in the pack).
    assert points[date(2025, 3, 15)].average_additional_percent == Decimal("18.7500")
    # The original pack is untouched: still 10% net on 2025-03-15 (no step there).
    assert date(2025, 3, 15) not in {p.date for p in _series(pack).series}


def test_scenario_set_rate_then_revenue_by_hand(pack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scenario_file = tmp_path / "cut.yaml"
    scenario_file.write_text(
        "name: cut\ndescription: 5% from 2025-02-01\n"
        'changes:\n  - {measure: us.test.duty, action: set_rate, from: 2025-02-01, rate: "5%"}\n',
        encoding="utf-8",
    )
    changed = apply_scenario(pack, load_scenario(scenario_file))
    no_response = {"default": {"value": 0}, "sections": {}}
    revenue = project_revenue(changed, "US", "CN", date(2025, 1, 1), date(2025, 2, 28), no_response,
                              weights=WEIGHTS, mfn=None, lines=lambda importer, day: LINES)  # fmt: skip
    january, february = revenue.months
    # Monthly base imports: 3,000 / 12 = 250.00 and 1,000 / 12 = 83.33 (half-up), 333.33 in all.
    assert january.imports_static == Decimal("333.33")
    # January at 10%: 250.00 x 10% = 25.00 (0201.10 pays nothing).
    assert january.duties_static == Decimal("25.00")
    # February at the scenario's 5%: 250.00 x 5% = 12.50.
    assert february.duties_static == Decimal("12.50")
    # Elasticity 0: elastic imports equal the static ones.
    assert february.imports_elastic == february.imports_static


def test_elastic_imports_by_hand(pack) -> None:  # type: ignore[no-untyped-def]
    unit = {"default": {"value": 1}, "sections": {}}
    revenue = project_revenue(pack, "US", "CN", date(2024, 12, 1), date(2025, 1, 31), unit,
                              weights=WEIGHTS, mfn=None, lines=lambda importer, day: LINES)  # fmt: skip
    january = revenue.months[1]
    # 0101.21 goes from 0% on the start date to 10%: 250.00 x (1.10 / 1.00)^-1 = 227.2727... -> 227.27;
    # 0201.10 stays at 0%: 83.33. Imports 310.60; duties 227.27 x 10% = 22.727 -> 22.73.
    assert january.imports_elastic == Decimal("310.60")
    assert january.duties_elastic == Decimal("22.73")


def test_scenario_errors_name_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndescription: y\nchanges:\n  - {measure: m, action: set_rate, from: 2025-01-01}\n")
    with pytest.raises(PackError) as raised:
        load_scenario(bad)
    assert raised.value.file == str(bad) and raised.value.field == "changes[0].rate"
