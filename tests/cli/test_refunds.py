"""`tradelex refunds`: paid at entry against owed as known later, per entry and layer."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from tradelex.cli.main import app

runner = CliRunner()


def refunds(tmp_path: Path, known_on: str) -> tuple[list[dict[str, str]], dict[str, object]]:
    source = tmp_path / "entries.csv"
    source.write_text("code,origin,date,value\n8517.13.0000,CN,2025-04-07,1000\n6109.10.0012,CN,2019-06-01,1000\n"
                      "bad,CN,2025-04-07,1\n", encoding="utf-8")  # fmt: skip
    output = tmp_path / f"refunds-{known_on}.csv"
    result = runner.invoke(app, ["refunds", str(source), "-o", str(output), "--as-known-on", known_on, "--json"])
    assert result.exit_code == 0, result.output
    with output.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle)), json.loads(result.stdout)


def test_the_retroactive_memorandum_refunds_only_the_reciprocal_layer(tmp_path: Path) -> None:
    """A smartphone entered 2025-04-07 paid 10% reciprocal (EO 14257) and 20% fentanyl (EO 14228); the memorandum
    of 2025-04-11 excepts smartphones from the reciprocal tariff retroactively to 2025-04-05, not from fentanyl."""
    rows, summary = refunds(tmp_path, "2025-04-12")
    assert [(r["row"], r["measure"], r["paid"], r["owed"], r["refund"]) for r in rows if not r["error"]] == [
        ("1", "us.ieepa.reciprocal", "100.00", "0.00", "100.00")
    ]
    assert summary["refund"] == "100.00" and summary["errors"] == 1 and summary["entries"] == 3


def test_the_ruling_refunds_every_ieepa_layer(tmp_path: Path) -> None:
    """As known after Learning Resources v. Trump (2026-02-20), both IEEPA layers are refundable: 100 + 200."""
    rows, summary = refunds(tmp_path, "2026-11-23")
    refunded = {r["measure"]: r["refund"] for r in rows if r["row"] == "1"}
    assert refunded == {"us.ieepa.reciprocal": "100.00", "us.ieepa.fentanyl": "200.00"}
    assert summary["refund"] == "300.00"
    assert not [r for r in rows if r["row"] == "2"]  # a 2019 T-shirt paid no IEEPA duty: nothing to refund


def test_duties_collected_after_the_ruling_until_collection_stopped_are_refunded(tmp_path: Path) -> None:
    """A T-shirt entered 2026-02-21: the Court ruled on 2026-02-20, but CBP collected the IEEPA duties until 12:00 a.m.
    ET 24 Feb 2026 (CBP CSMS), 10% fentanyl (EO 14357) and 10% reciprocal (EO 14298) on 1000.00: 200.00 to refund."""
    source = tmp_path / "entries.csv"
    source.write_text("code,origin,date,value\n6109.10.0012,CN,2026-02-21,1000\n6109.10.0012,CN,2026-02-25,1000\n")
    output = tmp_path / "refunds.csv"
    result = runner.invoke(app, ["refunds", str(source), "-o", str(output), "--as-known-on", "2026-11-23", "--json"])
    assert result.exit_code == 0, result.output
    with output.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    refunded = {r["measure"]: (r["paid"], r["refund"]) for r in rows if r["row"] == "1"}
    assert refunded == {"us.ieepa.reciprocal": ("100.00", "100.00"), "us.ieepa.fentanyl": ("100.00", "100.00")}
    assert not [r for r in rows if r["row"] == "2"]  # entered after collection stopped: nothing was paid
    assert json.loads(result.stdout)["refund"] == "200.00"
