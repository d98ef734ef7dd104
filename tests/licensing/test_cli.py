"""`tradelex licences …` through Typer's runner: the JSON twins and errors that name the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from tradelex.cli.main import app

runner = CliRunner()
SUBMIT = [
    "licences", "submit", "--exporter", "Ganzhou Co.", "--item", "2846.90", "--quantity", "250", "--unit", "kg",
    "--value", "31250.00", "--currency", "USD", "--destination", "US", "--end-user", "Magnet Works Inc.",
    "--end-use", "motors", "--submitted", "2025-01-20",
]  # fmt: skip


def run_json(database: str, *arguments: str, status: int = 0) -> Any:
    result = runner.invoke(app, [*arguments, "--database", database, "--json"])
    assert result.exit_code == status, result.output
    return json.loads(result.stdout)


def test_submit_decide_show_list_clock_and_indicators(database_url: str) -> None:
    submitted = run_json(database_url, *SUBMIT)
    assert (submitted["id"], submitted["status"], submitted["value"]) == (1, "pending", "31250.00")
    decided = run_json(database_url, "licences", "decide", "1", "--outcome", "approved", "--on", "2025-03-28")
    assert [d["outcome"] for d in decided["decisions"]] == ["approved"]
    assert run_json(database_url, "licences", "show", "1") == decided
    listed = run_json(database_url, "licences", "list", "--status", "approved")
    assert [a["id"] for a in listed["applications"]] == [1]
    # Accepted 20 Jan 2025: due 28 Mar 2025 (worked by hand in test_clock.py); decided on the due day.
    clock = run_json(database_url, "licences", "clock", "1", "--as-of", "2025-04-15")
    assert (clock["due_date"], clock["working_days_elapsed"], clock["overdue"]) == ("2025-03-28", 45, False)
    indicators = run_json(database_url, "licences", "indicators", "--from", "2025-01-01", "--to", "2025-03-31")
    assert [m["approvals"] for m in indicators["months"]] == [0, 0, 1]
    assert indicators["months"][2]["approval_rate"] == "1.0000"


def test_db_upgrade_reports_the_revision(database_url: str) -> None:
    assert run_json(database_url, "licences", "db", "upgrade")["revision"] == "0001"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (["licences", "show", "42"], "application_id"),
        (["licences", "decide", "42", "--outcome", "approved", "--on", "2025-03-01"], "application_id"),
        (["licences", "decide", "1", "--outcome", "granted", "--on", "2025-03-01"], "outcome"),
        (["licences", "clock", "1", "--as-of", "March 1"], "as_of"),
        (["licences", "indicators", "--from", "2025-01-01", "--to", "2025-13-01"], "to"),
        (["licences", "list", "--regime", "zz.none"], "regime"),
    ],
)
def test_errors_name_the_field(database_url: str, arguments: list[str], field: str) -> None:
    run_json(database_url, *SUBMIT)
    document = run_json(database_url, *arguments, status=1)
    assert document["error"]["field"] == field


def test_a_bad_submission_writes_nothing(database_url: str) -> None:
    bad = [*SUBMIT[:-1], "2025-02-30"]
    assert run_json(database_url, *bad, status=1)["error"]["field"] == "submitted_on"
    assert run_json(database_url, "licences", "list")["applications"] == []


def test_default_database_is_in_the_data_directory(monkeypatch: pytest.MonkeyPatch, isolated_data_dir: Any) -> None:
    monkeypatch.delenv("TRADELEX_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["licences", "db", "upgrade", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["database"].endswith("/licences.sqlite")
    assert (isolated_data_dir / "licences.sqlite").exists()
