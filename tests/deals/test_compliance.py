"""Compliance: kept, partly kept, broken and unknown, each from figures worked out by hand from the texts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from tradelex.deals import assess_compliance, load_deal
from tradelex.deals.compliance import CommitmentState
from tradelex.rules.model import Pack

CLAUSE = '  - id: c\n    title: "a clause"\n'
MAGNETS = """title: magnets
unit: t
observations:
  "2025-01": {value: "500", source: "test figure", published: "2025-02-20", confidence: unconfirmed}
  "2025-02": {value: "700", source: "test figure", published: "2025-03-20", confidence: unconfirmed}
  "2025-05": {value: "46.4", source: "test figure", published: "2025-06-20", confidence: unconfirmed}
  "2025-06": {value: "353", source: "test figure", published: "2025-07-20", confidence: unconfirmed}
"""


def states(path: Path, pack: Pack, as_of: str) -> dict[str, CommitmentState]:
    report = assess_compliance(load_deal(path), pack, date.fromisoformat(as_of))
    return {item.id: item for item in report.commitments}


def test_geneva_tariff_commitments_kept_on_9_june_2025(pack: Pack) -> None:
    # EO 14298 (12 May 2025): from 14 May, 24 points of the 34% suspended for 90 days, 10% retained.
    # Tariff Commission announcement of 13 May 2025: No. 4 at 34% with 24% suspended, 10% retained; Nos. 5-6 stopped.
    result = states(Path(load_deal("geneva-2025").file), pack, "2025-06-09")
    for commitment in ("us-reciprocal-10", "cn-countermeasure-10"):
        assert result[commitment].state == "kept"
        assert result[commitment].ratio == "1.0000"
        assert "10% (34% with 24% suspended)" in result[commitment].evidence[0].text
    assert result["cn-non-tariff-countermeasures"].state == "unknown"


def test_partly_kept_measure_with_the_share_of_days(write_deal: Callable[..., Path], pack: Pack) -> None:
    # us.ieepa.reciprocal at most 10% over [2025-04-01, 2025-05-20), 49 days. By EO 14257, 14259, 14266 and 14298:
    # 04-01..04-04 not yet imposed (4 days, within the ceiling), 04-05..04-08 10% (4), 04-09 84% and 04-10..05-13
    # 125% (35 days over), 05-14..05-19 10% (6). Held 14 of 49 days = 0.2857.
    commitment = """      - id: ceiling
        by: US
        clause: c
        quote: "at most 10%"
        measures:
          - {id: us.ieepa.reciprocal, rate_at_most: "10%", from: "2025-04-01", until: "2025-05-20"}
"""
    item = states(write_deal(CLAUSE, {"joint": commitment}), pack, "2025-06-30")["ceiling"]
    assert item.state == "partly_kept"
    assert item.ratio == "0.2857"


def test_broken_measure(write_deal: Callable[..., Path], pack: Pack) -> None:
    # Tariff Commission Announcement 2025 No. 10: 24% suspended for another year, 10% retained from 10 Nov 2025,
    # so a commitment that the countermeasure is not in force fails every day.
    commitment = """      - id: none
        by: CN
        clause: c
        quote: "suspend all retaliatory tariffs"
        measures:
          - {id: cn.tc.countermeasure-2025, in_force: false, from: "2025-11-10"}
"""
    item = states(write_deal(CLAUSE, {"joint": commitment}), pack, "2026-01-15")["none"]
    assert (item.state, item.ratio) == ("broken", "0.0000")


def test_the_busan_readings_judged_apart(pack: Pack) -> None:
    # The White House fact sheet's "all of the retaliatory tariffs ... since March 4, 2025" is broken by the 10% that
    # Announcement No. 10 keeps; MOFCOM's "adjust accordingly" is kept by it.
    result = states(Path(load_deal("busan-2025").file), pack, "2026-01-15")
    assert result["us-reading-cn-countermeasure"].state == "broken"
    assert result["cn-countermeasure-10"].state == "kept"
    assert result["us-fentanyl-cut"].state == "kept"  # EO 14357: 20% → 10% from 10 Nov 2025


def test_indicator_against_a_baseline_period(write_deal: Callable[..., Path], pack: Pack) -> None:
    # Baseline: the average of January and February, (500 + 700) / 2 = 600; threshold 100% of it.
    # Latest figure by 31 Jul 2025: June, 353 t → 353 / 600 = 0.5883 (half-up).
    commitment = """      - id: magnets
        by: CN
        clause: c
        quote: "full magnets"
        indicator:
          series: magnets
          baseline: {period: "2025-01/2025-03"}
          at_least_percent: "100"
          from: "2025-05-01"
          deadline: "2025-12-31"
"""
    path = write_deal(CLAUSE, {"joint": commitment}, series={"magnets": MAGNETS})
    item = states(path, pack, "2025-07-31")["magnets"]
    assert (item.state, item.ratio) == ("partly_kept", "0.5883")
    assert any("baseline: the average of 2025-01/2025-03, 600" in e.text for e in item.evidence)


def test_indicator_kept_when_the_figure_reaches_the_threshold(write_deal: Callable[..., Path], pack: Pack) -> None:
    commitment = """      - id: magnets
        by: CN
        clause: c
        quote: "at least 300 t"
        indicator: {series: magnets, at_least: "300", from: "2025-05-01", deadline: "2025-12-31"}
"""
    path = write_deal(CLAUSE, {"joint": commitment}, series={"magnets": MAGNETS})
    item = states(path, pack, "2025-07-31")["magnets"]
    assert (item.state, item.ratio) == ("kept", "1.1767")  # 353 / 300


def test_unknown_before_any_figure_is_published(write_deal: Callable[..., Path], pack: Pack) -> None:
    # The May figure is published on 20 June: as of 15 June there is nothing to judge by.
    commitment = """      - id: magnets
        by: CN
        clause: c
        quote: "at least 300 t"
        indicator: {series: magnets, at_least: "300", from: "2025-05-01", deadline: "2025-12-31"}
"""
    path = write_deal(CLAUSE, {"joint": commitment}, series={"magnets": MAGNETS})
    item = states(path, pack, "2025-06-15")["magnets"]
    assert (item.state, item.ratio) == ("unknown", None)


def test_unknown_for_words_only_and_before_the_period(write_deal: Callable[..., Path], pack: Pack) -> None:
    commitments = """      - {id: words, by: CN, clause: c, quote: "take necessary measures"}
      - id: later
        by: US
        clause: c
        quote: "10%"
        measures:
          - {id: us.ieepa.fentanyl, rate_at_most: "10%", from: "2025-11-10"}
"""
    result = states(write_deal(CLAUSE, {"joint": commitments}), pack, "2025-06-01")
    assert result["words"].state == "unknown" and result["later"].state == "unknown"


def test_phase_one_purchases_broken_above_the_baseline(pack: Pack) -> None:
    # PIIE (Bown, 2022): US exports of covered goods and services 2020-21 were $288.8bn against commitments of
    # $502.4bn, i.e. 57% of the whole; above the 2017 baseline (502.4 - 200 = 302.4) that is 288.8 - 302.4 = -13.6,
    # "none of the extra $200 billion": -13.6 / 200 = -0.0680.
    item = states(Path(load_deal("phase-one-2020").file), pack, "2022-06-01")["cn-purchases-200bn"]
    assert (item.state, item.ratio) == ("broken", "-0.0680")
    assert "57.48% of the whole 502.4" in item.evidence[-1].text
    # before PIIE published its tally there was nothing to judge by
    early = states(Path(load_deal("phase-one-2020").file), pack, "2021-06-01")["cn-purchases-200bn"]
    assert early.state == "unknown"


def test_struck_down_measure_is_within_a_ceiling(write_deal: Callable[..., Path], pack: Pack) -> None:
    # As known after Learning Resources v. Trump (20 Feb 2026), the IEEPA duties never applied: a ceiling of 10% holds.
    commitment = """      - id: ceiling
        by: US
        clause: c
        quote: "at most 10%"
        measures:
          - {id: us.ieepa.reciprocal, rate_at_most: "10%", from: "2025-04-01", until: "2025-05-20"}
"""
    item = states(write_deal(CLAUSE, {"joint": commitment}), pack, "2026-03-01")["ceiling"]
    assert (item.state, item.ratio) == ("kept", "1.0000")
    assert "struck down on 2026-02-20" in item.evidence[0].text
