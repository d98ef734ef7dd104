"""More hand-computed cases on the tiny pack of conftest.py (mfn=None: MFN 0%, totals equal additional rates)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from tradelex.analysis import apply_scenario, average_series, compare_published, load_scenario
from tradelex.analysis.average import AveragePoint, AverageSeries, own_code_lines
from tradelex.analysis.panel import LINE_SOURCES
from tradelex.rules.loader import load_pack
from tradelex.rules.model import Pack

from .conftest import write_tiny_pack

# Two lines under one HS6 product (0101.21): only the first is in the measure's scope.
NARROW = """
title: Test duty
imposed_by: US
partners: [CN]
authority: test
kind: ad_valorem
values:
  "2025-01-01": {rate: "10%", source: "test", confidence: unconfirmed}
scope:
  - {from: "2025-01-01", include: ["0101210010"]}
"""
TWO_LINES = ("0101210010", "0101210020")
TWO_WEIGHTS = pa.table({"code": list(TWO_LINES), "value_usd": pa.array([3000, 1000], pa.int64())})


def _average(pack: Pack, weights: pa.Table, lines: tuple[str, ...], **options: object) -> dict[date, AveragePoint]:
    series = average_series(pack, "US", "CN", date(2024, 12, 1), date(2025, 6, 30), weights=weights, mfn=None,
                            lines=lambda importer, day: lines, **options)  # type: ignore[arg-type]  # fmt: skip
    return {p.date: p for p in series.series}


def test_two_lines_one_product_at_hs6_and_hs10(tmp_path: Path) -> None:
    pack = load_pack(write_tiny_pack(tmp_path, NARROW))
    hs6 = _average(pack, TWO_WEIGHTS, TWO_LINES)[date(2025, 1, 1)]
    # hs6: the product 0101.21 takes the simple mean of its two lines, (10 + 0) / 2 = 5%, on all 4,000 of trade: 5%.
    assert hs6.average_additional_percent == Decimal("5.0000")
    # Coverage at hs6: half of the product's lines pay a duty, so half its trade counts as covered: 50%.
    assert hs6.coverage_percent == Decimal("50.0000")
    assert hs6.coverage_by_layer == {"us.test.duty": Decimal("50.0000")}
    hs10 = _average(pack, TWO_WEIGHTS, TWO_LINES, level="hs10")[date(2025, 1, 1)]
    # hs10: each line its own weight: (3000 x 10 + 1000 x 0) / 4000 = 7.5%; covered 3000 / 4000 = 75%.
    assert hs10.average_additional_percent == Decimal("7.5000")
    assert hs10.coverage_percent == Decimal("75.0000")


def test_unmatched_weights_are_left_out_and_reported(tiny_pack: Pack) -> None:
    weights = pa.table({"code": ["0101210000", "0201100000", "8517120050"],
                        "value_usd": pa.array([3000, 1000, 1000], pa.int64())})  # fmt: skip
    point = _average(tiny_pack, weights, ("0101210000", "0201100000"))[date(2025, 1, 1)]
    # 8517.12 is not a line: 4,000 of 5,000 matched = 80%; the average is over the matched trade: 3000 x 10 / 4000.
    assert point.weights_matched_percent == Decimal("80.0000")
    assert point.average_additional_percent == Decimal("7.5000")


def test_a_scenario_that_ends_the_measure(tiny_pack: Pack, tmp_path: Path) -> None:
    scenario = tmp_path / "end.yaml"
    scenario.write_text("name: end\ndescription: ends on 2025-02-15\n"
                        "changes:\n  - {measure: us.test.duty, action: end, from: 2025-02-15}\n")  # fmt: skip
    changed = apply_scenario(tiny_pack, load_scenario(scenario))
    weights = pa.table({"code": ["0101210000", "0201100000"], "value_usd": pa.array([3000, 1000], pa.int64())})
    points = _average(changed, weights, ("0101210000", "0201100000"))
    # 2025-01-01 to 2025-02-14: 10% on 3/4 of the trade = 7.5%, coverage 75%.
    assert points[date(2025, 1, 1)].average_additional_percent == Decimal("7.5000")
    # From 2025-02-15 the measure has no rate: 0%, nothing covered, and the step names the measure.
    ended = points[date(2025, 2, 15)]
    assert ended.average_additional_percent == Decimal("0.0000") and ended.coverage_percent == Decimal("0.0000")
    assert ended.changed_by == ["us.test.duty"]
    # The suspension (2025-03-01) and the 25% (2025-04-01) of the pack are gone: no later step.
    assert max(points) == date(2025, 2, 15)


def test_own_codes_before_the_nomenclature_change_then_the_schedule() -> None:
    weights = pa.table({"code": ["8517120050", "9801001098", "0101210000"], "value_usd": pa.array([1, 1, 1])})
    lines = own_code_lines(weights, date(2022, 1, 1))
    # Before 2022-01-01: the weights' own codes, chapter 98 (special provisions) left out, sorted.
    assert lines("US", date(2018, 9, 24)) == ("0101210000", "8517120050")
    # From 2022-01-01: the schedule's lines, whatever the weights hold.
    assert lines("US", date(2022, 1, 1)) is LINE_SOURCES["US"](date(2022, 1, 1))


def test_compare_published_takes_the_step_in_force() -> None:
    def point(day: date, total: str) -> AveragePoint:
        return AveragePoint(date=day, average_percent=Decimal(total), average_additional_percent=Decimal(0),
                            coverage_percent=Decimal(0), changed_by=[], coverage_by_layer={},
                            mfn_known_percent=Decimal(100))  # fmt: skip

    series = AverageSeries(query={"importer": "US", "exporter": "CN"}, weights={}, notes=[],
                           series=[point(date(2018, 1, 1), "3.0000"), point(date(2018, 9, 1), "10.0000")])  # fmt: skip
    rows = {(r["date"], r["figure"]): r for r in compare_published(series)}
    # PIIE: 12.0% after 2018-09-24 (published.csv); our step in force then is 2018-09-01 at 10%: -2.00 points.
    assert rows[("2018-09-24", "average_total")]["difference_points"] == "-2.00"
    assert rows[("2018-09-24", "average_total")]["tradelex_date"] == "2018-09-01"
    # PIIE: 3.1% when Trump took office (2017-01-20), before our series starts: compared with the first step.
    first = rows[("2017-01-20", "average_total")]
    assert first["before_series_start"] is True and first["difference_points"] == "-0.10"
    assert all(r["source"] and r["url"].startswith("https://") for r in rows.values())


STRUCK = """
title: Test duty
imposed_by: US
partners: [CN]
authority: test
kind: ad_valorem
values:
  "2025-01-01": {rate: "10%", source: "test", confidence: unconfirmed}
  "2025-03-05": {rate: null, source: "collection ends", confidence: unconfirmed}
scope:
  - {from: "2025-01-01", include: ["0101"]}
struck_down: {on: "2025-03-01", by: "a court", refund: true, confidence: unconfirmed}
"""


def test_a_struck_down_duty_counts_until_its_collection_stopped(tmp_path: Path) -> None:
    pack = load_pack(write_tiny_pack(tmp_path, STRUCK))
    weights = pa.table({"code": ["0101210000", "0201100000"], "value_usd": pa.array([3000, 1000], pa.int64())})
    points = _average(pack, weights, ("0101210000", "0201100000"))
    # Ruled void on 2025-03-01, collected until 2025-03-05: 10% on 3,000 of 4,000 = 7.5% until then, 0 after.
    in_force_on = {day: points[max(d for d in points if d <= day)] for day in (date(2025, 3, 3), date(2025, 3, 5))}
    assert in_force_on[date(2025, 3, 3)].average_additional_percent == Decimal("7.5000")
    assert in_force_on[date(2025, 3, 5)].average_additional_percent == Decimal("0.0000")
