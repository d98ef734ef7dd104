"""The requirement check: its JSON contract, bad input naming the field, the data's references, and properties."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tradelex.cli.main import app
from tradelex.controls import check_controls, controlled_items
from tradelex.controls.check import export_candidates
from tradelex.controls.items import all_items
from tradelex.controls.terms import licensing_terms
from tradelex.errors import BadDateError, UnknownCodeError, UnknownCountryError
from tradelex.rules.loader import load_bundled_pack
from tradelex.rules.model import Direction, Kind

PACK = load_bundled_pack()
runner = CliRunner()
GALLIUM = "8112.92.90.10"


def test_json_has_the_contract_shape() -> None:
    document = check_controls(PACK, "2846.90", "CN", "US", date(2025, 4, 10)).to_json_dict()
    assert {"query", "verdict", "requirements", "excluded", "warnings"} <= set(document)
    requirement = document["requirements"][0]
    assert {"measure", "status", "instrument", "matched_items", "source", "url", "confidence"} <= set(requirement)
    # what the exporter must do: where to apply and the review period (MOFCOM: 45 working days)
    assert requirement["review_days"] == 45 and requirement["review_days_basis"] == "working"
    assert "MOFCOM" in requirement["application"]
    assert any("1C905" in item for item in requirement["matched_items"])


def test_excluded_reason_names_the_suspending_instrument_and_last_day() -> None:
    report = check_controls(PACK, GALLIUM, "CN", "US", "2025-12-01")
    reason = next(e.reason for e in report.excluded if e.measure == "cn.mofcom.us-dual-use-ban-2024-46")
    assert "to 2026-11-27" in reason and "No. 46" in reason


def test_general_licence_by_date() -> None:
    before = check_controls(PACK, "1C905", "CN", "US", "2025-12-03")
    after = check_controls(PACK, "1C905", "CN", "US", "2025-12-04")
    assert before.verdict == "licence_required" and after.verdict == "general_licence"
    general = after.requirements[0].general_licence
    assert general is not None and general["from"] == "2025-12-04"
    assert any("general licence covers only" in warning for warning in after.warnings)


def test_broad_hs_code_reaches_the_controlled_lines_under_it() -> None:
    report = check_controls(PACK, "8112.92", "CN", "US", "2025-01-15")
    assert report.verdict == "banned"
    assert any("part of 8112.92" in item for item in report.requirements[0].matched_items)


def test_end_user_on_a_suspended_uel_listing_is_reported_as_excluded() -> None:
    report = check_controls(PACK, "2846.90", "CN", "US", "2025-12-15", end_user="Skydio Inc")
    assert any(e.measure == "cn.uel:cn-uel-skydio" and e.code == "suspended" for e in report.excluded)


@pytest.mark.parametrize(
    ("arguments", "error", "field"),
    [
        (("8517.12", "CN", "US", "2025-01-01"), UnknownCodeError, "item"),  # not an HS 2022 code
        (("3Z999", "CN", "US", "2025-01-01"), UnknownCodeError, "item"),  # not a code of any shape
        (("9Q999", "US", "CN", "2025-01-01"), UnknownCodeError, "item"),
        (("1C905", "US", "CN", "2025-01-01"), UnknownCodeError, "item"),  # China's number, asked of the US
        (("2846.90", "Narnia", "US", "2025-01-01"), UnknownCountryError, "origin"),
        (("2846.90", "CN", "XX", "2025-01-01"), UnknownCountryError, "destination"),
        (("2846.90", "CN", "US", "2025-13-01"), BadDateError, "date"),
        (("2846.90", "CN", "US", "1 Jan 2025"), BadDateError, "date"),
    ],
)
def test_bad_input_names_the_field(arguments: tuple[str, str, str, str], error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        check_controls(PACK, *arguments)
    assert getattr(raised.value, "field", None) == field


def test_every_export_measure_has_licensing_terms_and_every_reference_exists() -> None:
    export_ids = {m.id for m in PACK.measures.values() if m.direction is Direction.EXPORT}
    terms = licensing_terms()
    assert export_ids == set(terms.measures)
    for item in all_items():
        assert set(item.measures) <= export_ids, item.number
    assert all(item.measures == [m for m in item.measures if m in PACK.measures] for item in controlled_items(PACK))


def test_cli_check_json_and_error_envelope() -> None:
    result = runner.invoke(
        app, ["controls", "check", "--item", GALLIUM, "--from", "CN", "--to", "US", "--date", "2025-01-15", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "banned"
    bad = runner.invoke(
        app, ["controls", "check", "--item", "2846.90", "--from", "CN", "--to", "US", "--date", "2025-1-5", "--json"]
    )
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["error"]["field"] == "date"
    table = runner.invoke(
        app, ["controls", "check", "--item", "1C905", "--from", "CN", "--to", "US", "--date", "2025-05-01"]
    )
    assert (
        table.exit_code == 0
        and "licence_required" in table.stdout
        and "45 working days" in " ".join(table.stdout.split())
    )


def test_cli_screen_and_items() -> None:
    result = runner.invoke(app, ["screen", "Hickvision", "--date", "2025-06-01", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["matches"][0]["id"] == "us-el-hikvision"
    plain = runner.invoke(app, ["screen", "华为", "--date", "2025-06-01"])
    assert plain.exit_code == 0 and "Huawei Technologies" in plain.stdout
    items = runner.invoke(app, ["controls", "items", "--json"])
    assert any(item["number"] == "3A090" for item in json.loads(items.stdout)["items"])


BAN = PACK.measures["cn.mofcom.us-dual-use-ban-2024-46"]
BAN_START = next(iter(BAN.values))
SUSPENDED_FROM = BAN.suspensions[0].from_


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=(SUSPENDED_FROM - BAN_START).days - 1))
def test_a_ban_is_never_free_inside_its_interval(offset: int) -> None:
    day = BAN_START + timedelta(days=offset)
    assert check_controls(PACK, GALLIUM, "CN", "US", day).verdict == "banned"


@settings(max_examples=40, deadline=None)
@given(
    day=st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 12, 31)),
    measure_id=st.sampled_from(sorted(m.id for m in PACK.measures.values() if m.direction is Direction.EXPORT)),
)
def test_verdict_is_the_most_restrictive_requirement(day: date, measure_id: str) -> None:
    measure = PACK.measures[measure_id]
    destination = "US" if "*" in measure.partners else measure.partners[0]
    origin = "DE" if measure.imposed_by in measure.partners_excluded else measure.imposed_by
    numbers = [item.number for item in all_items() if measure_id in item.measures]
    item = numbers[0] if numbers else "EAR99" if measure.imposed_by == "US" else "2846.90"
    report = check_controls(PACK, item, origin, destination, day, claims=["is-informed", "listed-affiliate"])
    statuses = {r.status for r in report.requirements}
    expected = next((s for s in ("banned", "licence_required", "general_licence") if s in statuses), "free")
    assert report.verdict == expected
    assert measure_id in {m.id for m in export_candidates(PACK, origin, destination)}
    assert all(m.kind in (Kind.BAN, Kind.LICENCE_REQUIRED) for m in export_candidates(PACK, origin, destination))
