"""`pack check --against-schedule`: the pack against the schedule's footnotes and the official heading history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from tradelex.checks.schedule import check_coverage, check_headings
from tradelex.cli.main import app
from tradelex.nomenclature.hts import load_schedule
from tradelex.rules.loader import bundled_pack_path, load_bundled_pack, load_pack


def test_the_demo_pack_agrees_with_every_heading_text() -> None:
    findings = check_headings(load_bundled_pack("demo"))
    assert {f.verdict for f in findings} <= {"agrees", "before_history"}
    before = {(f.measure, str(f.value_date)) for f in findings if f.verdict == "before_history"}
    assert before == {("us.s301.list3", "2018-09-24"), ("us.s301.list4a", "2019-09-01")}


def test_the_demo_pack_never_covers_a_line_the_schedule_does_not_footnote() -> None:
    schedule = load_schedule("hts_2025_basic")
    assert schedule is not None
    findings = {f.measure: f for f in check_coverage(load_bundled_pack("demo"), schedule)}
    assert all(not f.covered_not_footnoted for f in findings.values())
    # The demo's lists are excerpts: the schedule footnotes thousands more List 3 and 4A lines.
    assert len(findings["us.s301.list4a"].footnoted_not_covered) > 2000
    assert "61091000" not in findings["us.s301.list4a"].footnoted_not_covered


def _copy_of_demo(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(bundled_pack_path("demo"), target)
    return target


def test_a_wrong_heading_rate_is_reported(tmp_path: Path) -> None:
    pack_root = _copy_of_demo(tmp_path)
    list4a = pack_root / "us" / "s301" / "list4a.yaml"
    list4a.write_text(list4a.read_text(encoding="utf-8").replace('rate: "7.5%"', 'rate: "30%"'), encoding="utf-8")
    findings = [f for f in check_headings(load_pack(pack_root)) if f.measure == "us.s301.list4a"]
    wrong = next(f for f in findings if str(f.value_date) == "2020-02-14")
    assert (wrong.verdict, wrong.official_rates) == ("disagrees", ["7.5"])


def test_a_line_covered_without_a_footnote_is_reported(tmp_path: Path) -> None:
    """Laptops (8471.30.01) are only on the suspended List 4B: the schedule does not footnote 9903.88.15 there."""
    pack_root = _copy_of_demo(tmp_path)
    excerpt = pack_root / "lists" / "us" / "s301" / "list4a.yaml"
    excerpt.write_text(excerpt.read_text(encoding="utf-8").replace('["6109.10.00"]', '["6109.10.00", "8471.30.01"]'))
    schedule = load_schedule("hts_2025_basic")
    assert schedule is not None
    finding = next(f for f in check_coverage(load_pack(pack_root), schedule) if f.measure == "us.s301.list4a")
    assert finding.covered_not_footnoted == ["84713001"]


def test_the_cli_reports_both_checks_as_json() -> None:
    result = CliRunner().invoke(app, ["pack", "check", str(bundled_pack_path("demo")), "--against-schedule", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {f["revision"] for f in document["coverage"]} == {"2025 Basic Edition", "2026 Revision 10"}
    assert any(h["heading"] == "9903.78.01" and h["verdict"] == "agrees" for h in document["headings"])
