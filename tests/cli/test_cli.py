"""The command line through Typer's runner: the JSON contract, the tables, and errors that name the field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradelex.cli.main import app

runner = CliRunner()
README = Path(__file__).parents[2] / "README.md"
CONTRACT_LAYER_KEYS = {
    "measure",
    "title",
    "authority",
    "heading",
    "kind",
    "rate_percent",
    "rate_text",
    "base",
    "amount",
    "source",
    "url",
    "confidence",
}


def run_json(*arguments: str) -> dict[str, object]:
    result = runner.invoke(app, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document


def test_rate_json_has_the_contract_shape_with_sources() -> None:
    document = run_json("rate", "6109.10.0012", "--origin", "CN", "--date", "2025-04-15", "--value", "10000")
    assert document["query"] == {
        "importer": "US",
        "origin": "CN",
        "code": "6109100012",
        "date": "2025-04-15",
        "value": "10000.00",
        "loaded": None,
        "quantity": None,
        "unit": None,
        "content": {},
        "as_known_on": "2025-04-15",
    }
    assert document["pack"] == {"name": "us-cn", "version": "1.0.0", "cutoff": "2026-06-08"}
    layers = document["layers"]
    assert isinstance(layers, list)
    for layer in layers:
        assert set(layer) >= CONTRACT_LAYER_KEYS, layer
        assert layer["source"] and layer["confidence"] in ("confirmed", "unconfirmed")
    fentanyl = next(layer for layer in layers if layer["measure"] == "us.ieepa.fentanyl")
    assert (fentanyl["heading"], fentanyl["rate_percent"], fentanyl["rate_text"], fentanyl["amount"]) == (
        "9903.01.24",
        "20",
        "20%",
        "2000.00",
    )
    assert document["total_amount"] == "16900.00"
    assert document["total_ad_valorem_percent"] == "169"
    assert {"measure", "reason"} <= set(document["excluded"][0])  # type: ignore[index]


def test_readme_documents_the_keys_the_program_prints() -> None:
    """The README's contract example must list every key `rate --json` prints (and no key it does not)."""
    example = (
        README.read_text(encoding="utf-8").split("## The JSON contract", 1)[1].split("```json", 1)[1].split("```")[0]
    )
    documented_keys = set(re.findall(r'"([a-z_]+)":', example))
    document = run_json("rate", "6109.10.0012", "--origin", "CN", "--date", "2025-04-15", "--value", "10000")
    printed = set(document) | set(document["query"]) | set(document["layers"][0]) | set(document["excluded"][0])  # type: ignore[call-overload,index]
    printed |= set(document["pack"]) | set(document["schedule"])  # type: ignore[arg-type]
    assert printed == documented_keys


def test_rate_without_value_gives_rates_but_null_amounts() -> None:
    document = run_json("rate", "6109100012", "--origin", "CN", "--date", "2025-04-15")
    assert all(layer["amount"] is None for layer in document["layers"])  # type: ignore[union-attr]
    assert document["total_amount"] is None
    assert document["total_ad_valorem_percent"] == "169"


def test_rate_with_content_computes_on_the_content() -> None:
    document = run_json(
        "rate", "7411.10.1000", "--origin", "CN", "--date", "2025-09-01", "--value", "10000", "--content", "copper=6000"
    )
    amounts = {layer["measure"]: (layer["base"], layer["amount"]) for layer in document["layers"]}  # type: ignore[union-attr]
    assert amounts["us.s232.copper"] == ("copper_content", "3000.00")
    assert amounts["us.ieepa.reciprocal"] == ("customs_value less copper_content", "400.00")


def test_loaded_date_applies_the_transit_rule() -> None:
    document = run_json(
        "rate", "6109.10.0012", "--origin", "CN", "--date", "2025-04-15", "--loaded", "2025-04-08", "--value", "100"
    )
    reciprocal = next(layer for layer in document["layers"] if layer["measure"] == "us.ieepa.reciprocal")  # type: ignore[union-attr]
    assert reciprocal["rate_text"] == "10%"


def test_as_known_on_today_shows_the_ruling() -> None:
    document = run_json("rate", "6109.10.0012", "--origin", "CN", "--date", "2025-04-15", "--as-known-on", "2026-03-01")
    codes = {excluded["measure"]: excluded["code"] for excluded in document["excluded"]}  # type: ignore[union-attr]
    assert codes["us.ieepa.reciprocal"] == "struck_down"
    assert codes["us.ieepa.fentanyl"] == "struck_down"


def test_a_date_past_the_cutoff_is_answered_with_a_warning() -> None:
    document = run_json("rate", "6109.10.0012", "--origin", "CN", "--date", "2026-08-01")
    assert any("after the pack's cut-off (2026-06-08)" in warning for warning in document["warnings"])  # type: ignore[union-attr]


def test_rate_table_shows_layers_sources_and_total() -> None:
    result = runner.invoke(
        app,
        ["rate", "6109.10.0012", "--origin", "CN", "--date", "2025-04-15", "--value", "10000"],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output
    for text in ("us.ieepa.reciprocal", "125%", "12500.00", "EO 14266", "16900.00", "T-shirts, singlets"):
        assert text in result.output


@pytest.mark.parametrize(
    ("arguments", "field", "words"),
    [
        (["8517.12.00", "--origin", "CN", "--date", "2025-04-15"], "code", "nearest valid codes: 8517.11, 8517.13"),
        (["6109", "--origin", "Atlantis", "--date", "2025-04-15"], "origin", "not an ISO 3166 country"),
        (["6109", "--origin", "CN", "--date", "15/04/2025"], "date", "expected a date as YYYY-MM-DD"),
        (["6109", "--origin", "CN", "--date", "2025-04-15", "--value", "-5"], "value", "must not be negative"),
        (["6109", "--origin", "CN", "--date", "2025-04-15", "--value", "ten"], "value", "expected a decimal number"),
        (["6109", "--origin", "CN", "--date", "2025-04-15", "--content", "copper"], "content", "NAME=AMOUNT"),
        (
            ["6109", "--origin", "CN", "--date", "2025-04-15", "--quantity", "3"],
            "unit",
            "quantity together with its unit",
        ),
        (
            ["6109", "--origin", "CN", "--date", "2025-04-01", "--loaded", "2025-04-05"],
            "loaded",
            "after they are entered",
        ),
        (["610", "--origin", "CN", "--date", "2025-04-15"], "code", "expected 2, 4, 6, 8 or 10 digits"),
    ],
)
def test_bad_input_names_the_field(arguments: list[str], field: str, words: str) -> None:
    document = runner.invoke(app, ["rate", *arguments, "--json"])
    assert document.exit_code == 1
    error = json.loads(document.stdout)["error"]
    assert error["field"] == field
    assert words in error["message"]
    plain = runner.invoke(app, ["rate", *arguments])
    assert plain.exit_code == 1
    assert f"error: {field}: " in " ".join(plain.stderr.split())


def test_unknown_code_suggests_codes_in_json() -> None:
    result = runner.invoke(app, ["rate", "8517.12", "--origin", "CN", "--date", "2025-04-15", "--json"])
    assert json.loads(result.stdout)["error"]["suggestions"][:2] == ["851711", "851713"]


def test_history_json_steps_name_what_changed() -> None:
    document = run_json("history", "6109.10.0012", "--origin", "CN", "--from", "2025-01-01", "--to", "2025-12-31")
    steps = {step["date"]: step for step in document["steps"]}  # type: ignore[union-attr]
    assert steps["2025-04-10"]["total_ad_valorem_percent"] == "169"
    assert steps["2025-04-10"]["changes"] == [
        {
            "measure": "us.ieepa.reciprocal",
            "from": "84%",
            "to": "125%",
            "reason": None,
            "source": "EO 14266 of 9 Apr 2025, sec. 3, 90 FR 15625 (15 Apr 2025), FR Doc. 2025-06462; HTSUS heading "
            "9903.01.63 (2025 Rev. 9)",
        }
    ]
    assert steps["2025-05-14"]["changes"][0]["to"] == "10%"
    assert list(steps) == sorted(steps)
    assert document["query"]["from"] == "2025-01-01"  # type: ignore[index]


def test_history_past_the_cutoff_warns() -> None:
    document = run_json("history", "6109", "--origin", "CN", "--from", "2026-01-01", "--to", "2026-09-30")
    assert document["warnings"] == [
        "the period runs past the pack's cut-off (2026-06-08): later measures are not in the pack"
    ]
    within = run_json("history", "6109", "--origin", "CN", "--from", "2026-01-01", "--to", "2026-06-08")
    assert within["warnings"] == []


def test_history_rejects_an_end_before_the_start() -> None:
    result = runner.invoke(
        app, ["history", "6109", "--origin", "CN", "--from", "2025-01-01", "--to", "2024-01-01", "--json"]
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["field"] == "to"


def test_measures_list_and_show() -> None:
    listed = run_json("measures", "list")
    ids = [measure["id"] for measure in listed["measures"]]  # type: ignore[union-attr]
    assert "us.ieepa.reciprocal" in ids and "cn.mofcom.rare-earths-2025-18" in ids
    shown = runner.invoke(app, ["measures", "show", "us.ieepa.reciprocal"])
    assert shown.exit_code == 0, shown.output
    measure = json.loads(shown.stdout)
    assert measure["values"]["2025-04-10"]["rate"] == "125%"
    assert measure["struck_down"]["refund"] is True
    missing = runner.invoke(app, ["measures", "show", "us.nothing"])
    assert missing.exit_code == 1


def test_pack_check_reports_each_problem(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text('name: t\nversion: "1"\ncutoff: "2026-01-01"\n', encoding="utf-8")
    (tmp_path / "us").mkdir()
    (tmp_path / "us" / "bad.yaml").write_text("title: x\n", encoding="utf-8")
    result = runner.invoke(app, ["pack", "check", str(tmp_path), "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["error"]["errors"]
    assert {(error["measure"], error["field"]) for error in errors} >= {("us.bad", "imposed_by"), ("us.bad", "values")}


def test_pack_check_accepts_the_bundled_pack() -> None:
    from tradelex.rules.loader import bundled_pack_path

    result = runner.invoke(app, ["pack", "check", str(bundled_pack_path())])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_demo_runs_the_worked_example() -> None:
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "16900.00" in result.output and "8050.00" in result.output and "us.s122" in result.output


def test_pack_check_counts_confirmed_values() -> None:
    """The demo pack: 22 dated values, 16 read in their primary text (counted by hand from the rule files)."""
    from tradelex.rules.loader import bundled_pack_path

    document = run_json("pack", "check", str(bundled_pack_path("demo")))
    assert document["confidence"]["values"] == 22  # type: ignore[index]
    assert document["confidence"]["values_confirmed"] == 16  # type: ignore[index]


def test_readme_coverage_table_is_the_bundled_pack() -> None:
    """Docs match the code: the README's table of measures is what `measures list --markdown` prints."""
    text = README.read_text(encoding="utf-8")
    documented = text.split("<!-- measures:start -->\n", 1)[1].split("\n<!-- measures:end -->", 1)[0]
    result = runner.invoke(app, ["measures", "list", "--markdown"])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip("\n") == documented


BUNDLED_PACKS = Path(__file__).parents[2] / "src" / "tradelex" / "packs"


def test_pack_check_validates_the_bundled_deals_against_the_bundled_pack() -> None:
    result = runner.invoke(app, ["pack", "check", str(BUNDLED_PACKS / "us-cn"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["deals"].endswith("deals")


def test_pack_check_names_each_deal_commitment_whose_measure_the_pack_lacks() -> None:
    # The deals cite us-cn measures; the teaching pack lacks us.bis.affiliates-rule, which Busan's US reading cites.
    arguments = ["pack", "check", str(BUNDLED_PACKS / "demo"), "--deals", str(BUNDLED_PACKS / "deals"), "--json"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 1
    errors = json.loads(result.output)["error"]["errors"]
    affiliates = [e for e in errors if "us.bis.affiliates-rule" in e["message"]]
    assert affiliates and affiliates[0]["file"].endswith("busan-2025.yaml")
    assert affiliates[0]["field"].startswith("readings.")


def test_pack_check_reports_a_malformed_deal_file_by_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text('title: A deal\nparties: [US, CN]\nsigned: "2025-13-01"\nclauses: []\n')
    result = runner.invoke(app, ["pack", "check", str(BUNDLED_PACKS / "us-cn"), "--deals", str(tmp_path), "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.output)["error"]["errors"]
    assert any(e["file"].endswith("bad.yaml") and e["field"] == "signed" for e in errors), errors
