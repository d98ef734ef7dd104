"""`tradelex deals …`: the JSON of each command, and errors as the one envelope."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tradelex.cli.main import app

runner = CliRunner()


def run_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["deals", *args, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.output)
    return document


def test_check_json_shape() -> None:
    document = run_json("check", "geneva-2025")
    assert document["deal"] == "geneva-2025"
    findings = document["findings"]
    assert isinstance(findings, list)
    assert set(findings[0]) == {"clause", "kind", "detail", "needs"}
    assert {"no_scope", "no_verification"} <= {f["kind"] for f in findings if f["clause"] == "cn-non-tariff"}


def test_compliance_json_shape() -> None:
    document = run_json("compliance", "geneva-2025", "--as-of", "2025-06-09")
    assert document["as_of"] == "2025-06-09"
    commitments = {c["id"]: c for c in document["commitments"]}  # type: ignore[union-attr]
    assert commitments["us-reciprocal-10"]["state"] == "kept"
    assert commitments["cn-countermeasure-10"]["state"] == "kept"
    assert {"id", "party", "clause", "state", "ratio", "evidence"} <= set(commitments["us-reciprocal-10"])


def test_diff_json_has_both_readings() -> None:
    document = run_json("diff", "busan-2025")
    assert document["readings"] == ["US", "CN"]


def test_list_and_show() -> None:
    assert len(run_json("list")["deals"]) == 5  # type: ignore[arg-type]
    assert run_json("show", "london-2025")["confidence"] == "low"


def test_bad_as_of_is_an_error_naming_the_field() -> None:
    result = runner.invoke(app, ["deals", "compliance", "geneva-2025", "--as-of", "2025-13-01", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["error"]["field"] == "as_of"


def test_tables_print() -> None:
    for args in (
        ["check", "geneva-2025"],
        ["diff", "busan-2025"],
        ["compliance", "busan-2025", "--as-of", "2026-01-15"],
    ):
        result = runner.invoke(app, ["deals", *args])
        assert result.exit_code == 0, result.output
