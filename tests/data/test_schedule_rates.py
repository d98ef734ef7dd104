"""The schedule's rate texts: hand-written examples with their typed reading and amounts, then every text of the
HTSUS snapshots (2025 basic, 2026 rev 10, the chapter 99 history)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from tradelex.data.schedule_rates import (
    RateKind,
    ScheduleRate,
    ScheduleRateError,
    ad_valorem_equivalent,
    amount,
    parse_report,
    parse_schedule_rate,
    parse_special_rate,
    schedule_unit,
)
from tradelex.rules.rates import SpecificDuty

D = Decimal
HTS_DIR = Path(__file__).parents[2].parent / "shared" / "data" / "hts"
SUGAR = (
    "25¢/kg less 0.020668¢/kg for each degree under 100 degrees (and fractions of a degree in proportion) "
    "but not less than 15.4¢/kg"
)
MOVEMENT = (
    "4.3% + 1.7¢/jewel + 0.2¢ for each other piece or part, but if consisting in part of a plate or a set of plates "
    "the total duty shall not exceed the duty for the complete movement"
)


def specific_parts(rate: ScheduleRate) -> list[tuple[Decimal, str]]:
    return [(part.amount, part.unit) for part in rate.specific]


# ---- typed reading ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "percent", "specific"),
    [
        ("Free", RateKind.FREE, None, []),
        ("6.5%", RateKind.AD_VALOREM, D("6.5"), []),
        ("2.2¢/kg", RateKind.SPECIFIC, None, [(D("0.022"), "kg")]),
        ("$1.05/doz.", RateKind.SPECIFIC, None, [(D("1.05"), "doz")]),
        ("44¢/liter", RateKind.SPECIFIC, None, [(D("0.44"), "liter")]),
        ("14.27¢/ liter", RateKind.SPECIFIC, None, [(D("0.1427"), "liter")]),
        ("0.4¢/kg + 20%", RateKind.COMPOUND, D("20"), [(D("0.004"), "kg")]),
        ("$1.035/kg +13.6%", RateKind.COMPOUND, D("13.6"), [(D("1.035"), "kg")]),
        ("$9.92/kg+ 25%", RateKind.COMPOUND, D("25"), [(D("9.92"), "kg")]),
        ("13.5¢/kg + 6.3% + 1.9¢/article", RateKind.COMPOUND, D("6.3"), [(D("0.135"), "kg"), (D("0.019"), "item")]),
        ("$1.50 each", RateKind.SPECIFIC, None, [(D("1.50"), "item")]),
        ("$1.58/pr. + 35%", RateKind.COMPOUND, D("35"), [(D("1.58"), "pair")]),
        ("$1.15/1,000 + 40%", RateKind.COMPOUND, D("40"), [(D("1.15"), "thousand")]),
        ("$2.50/thou- sand + 40%", RateKind.COMPOUND, D("40"), [(D("2.50"), "thousand")]),
        ("0.3¢/line/ gross + 4.6%", RateKind.COMPOUND, D("4.6"), [(D("0.003"), "gr.line")]),
        ("$1.32/pf. liter", RateKind.SPECIFIC, None, [(D("1.32"), "pf.liter")]),
        ("18.9¢/pf.liter", RateKind.SPECIFIC, None, [(D("0.189"), "pf.liter")]),
        ("18.7¢/clean kg", RateKind.SPECIFIC, None, [(D("0.187"), "cy kg")]),
        ("$40/kg of anhydrous morphine content", RateKind.SPECIFIC, None, [(D("40"), "kg amc")]),
        ("0.01¢/kg of total sugars", RateKind.SPECIFIC, None, [(D("0.0001"), "kg ttl sug")]),
        ("3.3¢/lin. m", RateKind.SPECIFIC, None, [(D("0.033"), "m")]),
        ("33 1/3%", RateKind.AD_VALOREM, D(100) / D(3), []),
    ],
)
def test_typed_reading(text: str, kind: RateKind, percent: Decimal | None, specific: list[tuple[Decimal, str]]) -> None:
    rate = parse_schedule_rate(text)
    assert rate.text == text
    assert rate.kind is kind
    assert rate.percent == percent
    assert specific_parts(rate) == specific
    assert all(part.currency == "USD" for part in rate.specific)


def test_cents_become_dollars_exactly() -> None:
    rate = parse_schedule_rate(
        "6.58170¢/kg less 0.0622005¢ /kg for each degree under 100 degrees "
        "(and fractions of a degree in proportion) but not less than 5.031562¢ /kg"
    )
    assert rate.specific[0].amount == D("0.0658170")
    assert rate.degree_scale is not None
    assert rate.degree_scale.per_degree.amount == D("0.000622005")
    assert str(rate.degree_scale.per_degree.amount) == "0.000622005"  # a Decimal from the text, never a float
    assert rate.minimum is not None and rate.minimum.specific[0].amount == D("0.05031562")
    duty, _ = amount(parse_schedule_rate("2.2¢/kg"), None, D(3), "kg")
    assert duty == D("0.066") and str(duty) == "0.066"


def test_base_notes() -> None:
    drained = parse_schedule_rate("1.5¢/kg on drained weight")
    assert drained.base_note == "on drained weight"
    assert parse_schedule_rate("22¢/kg on drained weght + 45%").base_note == "on drained weight"  # the export's typo
    assert parse_schedule_rate("17.6¢/kg on contents and container").base_note == "on contents and container"
    assert parse_schedule_rate("$1.32/t, including weight of container").base_note == "including weight of container"
    assert parse_schedule_rate("86.1¢/m2of recording surface").base_note == "of recording surface"


def test_content_rates_are_per_the_content_unit() -> None:
    rate = parse_schedule_rate("8.8¢/kg on copper content + 3.3¢/kg on lead content + 3.7¢/kg on zinc content")
    assert specific_parts(rate) == [(D("0.088"), "cu kg"), (D("0.033"), "pb kg"), (D("0.037"), "zn kg")]
    duty, reason = amount(rate, None, None, None, quantities={"Cu kg": D(100), "Pb kg": D(10), "Zn kg": D(1)})
    assert (duty, reason) == (D("9.167"), None)
    duty, reason = amount(rate, None, D(1000), "kg")
    assert duty is None and reason is not None and "the line's unit is kg, the rate is per cu kg" in reason


def test_sugar_formula() -> None:
    rate = parse_schedule_rate(SUGAR)
    assert rate.kind is RateKind.FORMULA
    assert specific_parts(rate) == [(D("0.25"), "kg")]
    assert rate.degree_scale is not None and rate.degree_scale.under == 100
    assert rate.degree_scale.per_degree.amount == D("0.00020668")
    assert rate.minimum is not None and rate.minimum.text == "15.4¢/kg"
    assert amount(rate, None, D(1000), "kg") == (
        None,
        "needs the polarity in degrees (the rate falls by 0.00020668 USD/kg for each degree under 100)",
    )
    # 96 degrees: 25¢ - 4 × 0.020668¢ = 24.917328¢/kg
    assert amount(rate, None, D(1000), "kg", degrees=D(96)) == (D("249.17328"), None)


def test_sugar_formula_as_in_the_schedule() -> None:
    # general rate of 1701.13.10 (2026 rev 10)
    rate = parse_schedule_rate(
        "1.4606¢/kg less 0.020668¢/kg for each degree under 100 degrees (and fractions of a degree in proportion) "
        "but not less than 0.943854¢/kg"
    )
    assert amount(rate, None, D(1000), "kg", degrees=D(96)) == (D("13.77928"), None)  # 1.4606 - 4 × 0.020668
    assert amount(rate, None, D(1000), "kg", degrees=D("99.5")) == (D("14.50266"), None)  # fractions in proportion
    assert amount(rate, None, D(1000), "kg", degrees=D(100)) == (D("14.606"), None)
    assert amount(rate, None, D(1000), "kg", degrees=D(70)) == (D("9.43854"), None)  # the floor: 0.943854¢/kg


def test_minimum_and_maximum() -> None:
    floor = parse_schedule_rate("2% but not less than 1¢/kg")
    assert floor.minimum is not None and floor.minimum.text == "1¢/kg" and floor.maximum is None
    assert amount(floor, D(10), D(100), "kg") == (D("1"), None)  # 2% of 10 = 0.20 < 1.00
    assert amount(floor, D(1000), D(100), "kg") == (D("20"), None)
    ceiling = parse_schedule_rate("5% but not over 2¢/kg")
    assert ceiling.maximum is not None and ceiling.maximum.text == "2¢/kg" and ceiling.minimum is None
    assert amount(ceiling, D(100), D(100), "kg") == (D("2"), None)  # 5% of 100 = 5 > 2
    assert amount(ceiling, D(10), D(100), "kg") == (D("0.5"), None)
    assert amount(ceiling, D(10), None, None) == (None, "the maximum needs a quantity in kg")


def test_watch_parts_on_components() -> None:
    rate = parse_schedule_rate("$1.50 each + 45% on the case + 35% on the battery")
    assert rate.kind is RateKind.COMPOUND
    assert rate.percent is None  # nothing on the whole value
    assert [(part.percent, part.base) for part in rate.ad_valorem] == [
        (D(45), "on the case"),
        (D(35), "on the battery"),
    ]
    assert rate.base_note == "on the case; on the battery"
    assert amount(rate, D(100), D(1), "No.") == (None, "needs the value of the case; needs the value of the battery")
    jewels = parse_schedule_rate("$2.25 each + 15¢/jewel over 7")
    assert jewels.specific[1].over == 7
    assert amount(jewels, None, D(1), "No.", quantities={"Jwls.": D(17)}) == (D("3.75"), None)  # 2.25 + 10 × 0.15


def test_watch_movement_cap_is_a_formula() -> None:
    rate = parse_schedule_rate(MOVEMENT)
    assert rate.kind is RateKind.FORMULA
    assert rate.percent == D("4.3")
    assert specific_parts(rate) == [(D("0.017"), "jewel"), (D("0.002"), "item")]
    assert rate.cap_note is not None and rate.cap_note.endswith("the duty for the complete movement")
    duty, reason = amount(rate, D(100), D(1), "No.")
    assert duty is None and reason is not None and reason.startswith("a formula")


def test_percent_of_a_defined_value() -> None:
    retail = parse_schedule_rate("1.5 percent of the fair retail value")
    assert retail.kind is RateKind.AD_VALOREM and retail.percent is None
    assert amount(retail, D(100), None, None) == (None, "needs the fair retail value")
    lead = parse_schedule_rate("2.5% on the value of the lead content")
    assert lead.content_base == "lead content"
    assert amount(lead, D(100), None, None) == (None, "needs the value of the lead content")
    entire_set = parse_schedule_rate("6.5% on the entire set")
    assert entire_set.percent == D("6.5")
    assert amount(entire_set, D(200), None, None) == (D("13"), None)


def test_one_third_is_exact_when_it_can_be() -> None:
    rate = parse_schedule_rate("33 1/3%")
    assert rate.ad_valorem[0].written == "33 1/3"
    assert amount(rate, D(300), None, None) == (D(100), None)


# ---- chapter 99, no change, references -------------------------------------------------------------------------------


def test_chapter99_additional_duty() -> None:
    rate = parse_schedule_rate("The duty provided in the applicable subheading + 25%")
    assert rate.kind is RateKind.ADDITIONAL and rate.additional_to_subheading
    assert rate.added is not None and rate.added.percent == 25 and rate.added.text == "25%"
    assert amount(rate, D(1000), None, None) == (D(250), None)
    for variant in (
        "The duty provided in the applicable subheading plus 25%",
        "The duty provided inthe applicable subheading+ 25%",
        "The duty provided in the applicable subheading + 25%.",
        "The duty provided in the applicable subheading + a duty of 25%",
    ):
        same = parse_schedule_rate(variant)
        assert same.added is not None and same.added.percent == 25, variant


def test_chapter99_content_base() -> None:
    rate = parse_schedule_rate(
        "The duty provided in the applicable subheading + a duty of 50% upon the value of the copper content"
    )
    assert rate.additional_to_subheading and rate.content_base == "copper content"
    assert rate.added is not None and rate.added.ad_valorem[0].percent == 50
    assert amount(rate, D(1000), None, None) == (None, "needs the value of the copper content")


def test_chapter99_subheading_alone_named_and_reduced() -> None:
    alone = parse_schedule_rate("The duty provided in the applicable subheading")
    assert alone.additional_to_subheading and alone.added is None
    assert amount(alone, D(1000), None, None) == (D(0), None)  # nothing added: a real zero, not a missing input
    named = parse_schedule_rate("The duty provided in subheadings 8716.39.00, 8716.90.30 or 8716.90.50 + 100%")
    assert named.subheadings == ("8716.39.00", "8716.90.30", "8716.90.50")
    assert named.added is not None and named.added.percent == 100
    reduced = parse_schedule_rate("The duty rate provided in such subheading minus 0.5%")
    assert reduced.added is not None and reduced.added.percent == D("-0.5")
    assert amount(reduced, D(1000), None, None) == (D(-5), None)


def test_no_change_free_with_condition_and_references() -> None:
    for text in ("No change", "No change.", "No Change", "no change"):
        assert parse_schedule_rate(text).kind is RateKind.NO_CHANGE
    assert amount(parse_schedule_rate("No change"), D(1), None, None)[0] is None
    bonded = parse_schedule_rate("Free, under bond, as prescribed in U.S. note 1 to this subchapter")
    assert bonded.kind is RateKind.FREE
    assert bonded.condition == "under bond, as prescribed in U.S. note 1 to this subchapter"
    ensemble = parse_schedule_rate("The rate applicable to each garment in the ensemble if separately entered")
    assert ensemble.kind is RateKind.OTHER
    assert ensemble.reference == "The rate applicable to each garment in the ensemble if separately entered"
    duty, reason = amount(ensemble, D(100), None, None)
    assert duty is None and reason is not None and reason.startswith("the rate is set by reference")


# ---- special rates ---------------------------------------------------------------------------------------------------


def test_special_rate_program_list() -> None:
    rate = parse_schedule_rate("Free (A,AU,BH,CL,CO,D,E,IL,JO,KR,MA,OM,P,PA,PE,S,SG)")
    assert rate.kind is RateKind.FREE
    assert rate.programs == (
        "A",
        "AU",
        "BH",
        "CL",
        "CO",
        "D",
        "E",
        "IL",
        "JO",
        "KR",
        "MA",
        "OM",
        "P",
        "PA",
        "PE",
        "S",
        "SG",
    )
    assert parse_schedule_rate("Free (A*,AU)").programs == ("A*", "AU")
    assert parse_schedule_rate("Free (A+, AU, BH)").programs == ("A+", "AU", "BH")


def test_special_rate_with_several_groups() -> None:
    rates = parse_special_rate("Free (A+,AU,BH) 0.7% (KR) 1.9¢/kg + 0.5% (PA) See 9822.04.25 (P)")
    assert [(rate.kind, rate.programs) for rate in rates] == [
        (RateKind.FREE, ("A+", "AU", "BH")),
        (RateKind.AD_VALOREM, ("KR",)),
        (RateKind.COMPOUND, ("PA",)),
        (RateKind.OTHER, ("P",)),
    ]
    assert rates[2].percent == D("0.5") and specific_parts(rates[2]) == [(D("0.019"), "kg")]
    with pytest.raises(ScheduleRateError, match="parse_special_rate"):
        parse_schedule_rate("Free (A) 0.7% (KR)")


def test_special_rate_odd_program_groups() -> None:
    # As exported: a missing comma, a stray full stop, a trailing comma, a doubled bracket.
    assert parse_schedule_rate("Free (A*,AU,D,E IL,JO)").programs == ("A*", "AU", "D", "E", "IL", "JO")
    assert parse_schedule_rate("Free (AU,MA,.OM,P)").programs == ("AU", "MA", "OM", "P")
    assert parse_schedule_rate("A duty upon the value of the repairs (see U.S. note 3) (B,C,)").programs == ("B", "C")
    assert parse_schedule_rate("See 9919.04.50, 9919.04.57 (PA (PA)").programs == ("PA",)
    # a lower-case bracket is part of the text, not a program group
    assert parse_schedule_rate("Free, under the terms of U.S. note 1(b) to this subchapter").programs == ()


# ---- amounts ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "quantity", "unit", "expected"),
    [
        ("0.4¢/kg + 20%", D(1000), D(120), "kg", D("200.48")),
        ("$1.05/doz.", None, D(10), "doz.", D("10.50")),
        ("$1.05/doz.", None, D(120), "No.", D("10.50")),  # 120 items are 10 dozen
        ("Free", D(1000), None, None, D(0)),
        ("6.5%", D(1000), None, None, D(65)),
        ("2.2¢/kg", D(100), D(100), "kg", D("2.2")),
        ("$1.32/t, including weight of container", None, D(2500), "kg", D("3.3")),  # 2.5 t
        ("$1.15/1,000 + 40%", D(100), D(3), "thousands", D("43.45")),
        ("0.3¢/line/ gross + 4.6%", D(100), D(1000), "gr.lines", D("7.6")),
        ("18.7¢/clean kg", None, D(10), "cy kg", D("1.87")),
        ("$1.32/pf. liter", None, D(10), "pf.liters", D("13.2")),
        ("44¢/liter", None, D("0.5"), None, D("0.22")),  # no unit: the quantity is in the rate's unit
    ],
)
def test_amounts(
    text: str, value: Decimal | None, quantity: Decimal | None, unit: str | None, expected: Decimal
) -> None:
    assert amount(parse_schedule_rate(text), value, quantity, unit) == (expected, None)


def test_two_units_need_two_quantities() -> None:
    rate = parse_schedule_rate("18.5¢/liter + $1.32/pf. liter")
    assert amount(rate, None, D(100), "liters", quantities={"pf.liters": D(40)}) == (D("71.3"), None)
    assert amount(rate, None, D(100), "liters") == (None, "the line's unit is liter, the rate is per pf.liter")
    assert amount(rate, None, D(100), None) == (
        None,
        "the rate has parts per liter and per pf.liter: give the unit of the quantity",
    )


def test_missing_quantity_is_never_zero() -> None:
    rate = parse_schedule_rate("0.4¢/kg + 20%")
    assert amount(rate, D(1000), None, None) == (None, "needs a quantity in kg")
    assert amount(rate, None, None, None) == (None, "needs the value of the goods; needs a quantity in kg")
    assert amount(parse_schedule_rate("2.2¢/kg"), D(1000), None, "kg") == (None, "needs a quantity in kg")


def test_unit_mismatch_says_both_units() -> None:
    assert amount(parse_schedule_rate("2.2¢/kg"), None, D(10), "doz.") == (
        None,
        "the line's unit is doz, the rate is per kg",
    )
    assert amount(parse_schedule_rate("$1.05/doz."), None, D(10), "kg") == (
        None,
        "the line's unit is kg, the rate is per doz",
    )


def test_ad_valorem_equivalent() -> None:
    rate = parse_schedule_rate("0.4¢/kg + 20%")
    assert ad_valorem_equivalent(rate, D(1000), D(120), "kg") == (D("20.048"), None)
    assert ad_valorem_equivalent(rate, None, D(120), "kg") == (None, "needs the value of the goods")
    assert ad_valorem_equivalent(rate, D(0), D(120), "kg") == (None, "the value is zero")
    assert ad_valorem_equivalent(parse_schedule_rate("$1.05/doz."), D(42), D(10), "doz") == (D(25), None)


def test_schedule_units() -> None:
    assert schedule_unit("No.") == "item"
    assert schedule_unit("doz.") == "doz"
    assert schedule_unit("Pb kg") == "pb kg"
    assert schedule_unit("pf.liters") == schedule_unit("pf. liter") == "pf.liter"
    assert schedule_unit("m²") == schedule_unit("m2") == "m2"


def test_as_duty_expression() -> None:
    expression = parse_schedule_rate("0.4¢/kg + 20%").as_duty_expression()
    assert expression is not None
    assert expression.percent == 20
    assert expression.specific == (SpecificDuty(amount=D("0.004"), currency="USD", unit="kg"),)
    assert parse_schedule_rate("1.5¢/kg on drained weight").as_duty_expression() is None
    assert parse_schedule_rate("The duty provided in the applicable subheading + 25%").as_duty_expression() is None


# ---- errors and reports ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12% +", 'expected "$" or a number, got the end'),
        ("5¢/furlong", "expected a unit"),
        ("", "got no rate text"),
        (":", 'expected a schedule rate such as "Free"'),
        ("37% /", 'expected "+"'),
    ],
)
def test_errors_say_what_was_expected(text: str, expected: str) -> None:
    with pytest.raises(ScheduleRateError) as caught:
        parse_schedule_rate(text)
    assert expected in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_parse_report_keeps_every_unparsed_text() -> None:
    report = parse_report(["Free", "Free", "6.5%", "bogus", "bogus", "bogus", ":"])
    assert (report.distinct_parsed, report.distinct_unparsed) == (2, 2)
    assert (report.total_parsed, report.total_unparsed) == (3, 4)
    assert report.unparsed == {"bogus": 3, ":": 1}
    assert set(report.errors) == {"bogus", ":"}
    assert report.kinds == {"ad_valorem": 1, "free": 1}
    assert report.total == 7 and report.distinct == 4


# ---- every text of the snapshots -------------------------------------------------------------------------------------

SNAPSHOTS = ["hts_2025_basic_full.csv", "hts_2026_rev10_full.csv", "ch99_9903_history_2025basic_to_2026rev10.csv"]


def _texts(name: str, column: str) -> list[str]:
    if not HTS_DIR.is_dir():
        pytest.skip(f"the HTSUS snapshots are not here: {HTS_DIR} is missing")
    with (HTS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle) if row[column].strip()]


@pytest.mark.parametrize("name", SNAPSHOTS)
@pytest.mark.parametrize("column", ["general_rate", "column2_rate"])
def test_snapshot_texts_parse(name: str, column: str) -> None:
    texts = _texts(name, column)
    report = parse_report(texts)
    unparsed = "\n".join(f"  {count} × {text!r}: {report.errors[text]}" for text, count in report.unparsed.items())
    print(f"{name} {column}: {report.summary()}")
    assert report.total_parsed + report.total_unparsed == len(texts)
    assert report.distinct == len(set(texts))
    assert sum(report.unparsed.values()) == report.total_unparsed
    assert report.distinct_share >= D("0.99"), f"{report.summary()}\nnot parsed:\n{unparsed}"


@pytest.mark.parametrize("name", ["hts_2025_basic_full.csv", "hts_2026_rev10_full.csv"])
def test_every_general_rate_parses(name: str) -> None:
    report = parse_report(_texts(name, "general_rate"))
    assert report.unparsed == {}, "\n".join(f"{text!r}: {error}" for text, error in report.errors.items())


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_snapshot_special_rates_parse(name: str) -> None:
    texts = _texts(name, "special_rate")
    report = parse_report(texts, parse_special_rate)
    assert report.total_parsed + report.total_unparsed == len(texts)
    assert report.distinct_share >= D("0.99"), "\n".join(f"{text!r}: {error}" for text, error in report.errors.items())
