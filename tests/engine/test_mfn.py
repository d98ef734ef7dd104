"""The MFN layer read from the official schedule: the right line, column, revision and footnotes."""

from __future__ import annotations

from datetime import date

from tradelex.engine.line import Line
from tradelex.engine.mfn import INSTALLED_MFN
from tradelex.engine.reference import evaluate_line
from tradelex.rules.loader import load_bundled_pack


def assess(code: str, origin: str = "CN", day: str = "2025-04-15", value: str = "1000"):  # type: ignore[no-untyped-def]
    line = Line.parse(code=code, origin=origin, date=day, value=value)
    return evaluate_line(load_bundled_pack(), line, mfn=INSTALLED_MFN, today=date(2026, 11, 23))


def test_mfn_is_the_general_rate_of_the_line_with_its_source() -> None:
    """HTSUS 2025 Basic, 6109.10.00: General 16.5% (shared/data/README.md spot check)."""
    mfn = assess("6109.10.0012").layer("us.mfn")
    assert mfn is not None
    assert (mfn.rate_text, mfn.amount, mfn.confidence) == ("16.5%", 165, "confirmed")
    assert mfn.source == "HTSUS 2025 Basic Edition, 6109.10.00, column 1 General"


def test_the_schedule_footnotes_point_to_chapter_99() -> None:
    """6109.10.00 is footnoted 'See 9903.88.15.' (List 4A); 7208.10.15 'See 9903.91.01.' (2024 review)."""
    assert assess("6109.10.0012").schedule.footnote_headings == ["9903.88.15"]  # type: ignore[union-attr]
    assert assess("7208.10.1500").schedule.footnote_headings == ["9903.91.01"]  # type: ignore[union-attr]


def test_column_2_countries_pay_column_2() -> None:
    """Russia pays column 2 (90% for 6109.10.00 in the 2025 Basic Edition)."""
    mfn = assess("6109.10.0012", origin="RU").layer("us.mfn")
    assert mfn is not None and mfn.rate_text == "90%" and mfn.source.endswith("column 2")


def test_a_heading_with_different_rates_is_ambiguous_never_averaged() -> None:
    result = assess("0201")
    mfn = result.layer("us.mfn")
    assert mfn is not None and mfn.rate_text is None and mfn.amount is None
    assert result.total_amount is None
    assert any("MFN is ambiguous for 0201: 0201.10.05 4.4¢/kg" in warning for warning in result.warnings)


def test_a_subheading_with_one_rate_is_not_ambiguous() -> None:
    mfn = assess("847130").layer("us.mfn")  # one line, 8471.30.01.00, Free
    assert mfn is not None and mfn.rate_text == "Free" and mfn.amount == 0


def test_the_revision_in_force_on_the_date() -> None:
    later = assess("6109.10.0012", day="2026-07-01")
    assert later.schedule is not None and later.schedule.revision == "2026 Revision 10"
    early = assess("6109.10.0012", day="2019-06-01")
    assert early.schedule is not None and early.schedule.revision == "2025 Basic Edition"
    assert any("older schedules are not loaded" in warning for warning in early.warnings)


def test_china_as_importer_gets_no_us_schedule() -> None:
    line = Line.parse(code="1201.90", origin="US", importer="CN", date="2025-06-01", value="1000")
    result = evaluate_line(load_bundled_pack(), line, mfn=INSTALLED_MFN)
    assert result.schedule is None and result.layer("us.mfn") is None


def _fish_oil(quantity: str | None, unit: str | None):  # type: ignore[no-untyped-def]
    line = Line.parse(code="1504.20.6000", origin="CN", date="2025-04-15", value="1000", quantity=quantity, unit=unit)
    return evaluate_line(load_bundled_pack(), line, mfn=INSTALLED_MFN, today=date(2026, 11, 23))


def test_a_compound_rate_is_exact_with_quantity_and_unit() -> None:
    """1504.20.60 General '1.5¢/kg + 5%': 200 kg worth 1000.00 pay 3.00 + 50.00 = 53.00 (5.3% ad valorem)."""
    mfn = _fish_oil("200", "kg").layer("us.mfn")
    assert mfn is not None and mfn.kind == "compound"
    assert (str(mfn.amount), str(mfn.ad_valorem_equivalent_percent)) == ("53.00", "5.3000")


def test_a_compound_rate_without_quantity_says_why_its_amount_is_unknown() -> None:
    missing = _fish_oil(None, None)
    assert missing.layer("us.mfn").amount is None and missing.total_amount is None  # type: ignore[union-attr]
    assert "us.mfn: amount unknown: needs a quantity in kg" in missing.warnings
    wrong_unit = _fish_oil("10", "doz")
    assert "us.mfn: amount unknown: the line's unit is doz, the rate is per kg" in wrong_unit.warnings


def _soybeans(day: str):  # type: ignore[no-untyped-def]
    line = Line.parse(code="1201.90", origin="US", importer="CN", date=day, value="1000")
    return evaluate_line(load_bundled_pack(), line, mfn=INSTALLED_MFN, today=date(2026, 11, 23))


def test_china_mfn_comes_from_the_2018_2019_compilation() -> None:
    """Soybeans (1201.90.10 and .20) had China's MFN applied rate of 3% throughout 2018 (PIIE compilation)."""
    mfn = _soybeans("2018-08-01").layer("cn.mfn")
    assert mfn is not None and (mfn.rate_text, str(mfn.amount), mfn.confidence) == ("3%", "30.00", "unconfirmed")
    assert str(mfn.value_date) == "2018-07-01"


def test_china_mfn_outside_the_data_is_said_not_guessed() -> None:
    result = _soybeans("2025-06-01")
    assert result.layer("cn.mfn") is None
    assert "China's MFN rates on 2025-06-01 are not in the data (it covers 2018-01-01 to 2019-06-30)" in result.warnings
