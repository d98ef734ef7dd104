"""`tradelex assess`: one result row per input row, errors naming the field, engines agreeing, atomic output."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from tradelex.cli.main import app
from tradelex.engine import entry_files as files_module

runner = CliRunner()
ENTRIES = [
    # code, origin, date, value, quantity, unit, copper content
    ("6109.10.0012", "CN", "2025-04-15", "10000", "", "", ""),  # 16.5% + 7.5% + 20% + 125% = 16900.00
    ("7411.10.1000", "CN", "2025-09-01", "10000", "", "", "6000"),  # 150 + 3000 + 2500 + 2000 + 400 = 8050.00
    ("8517.12.00", "CN", "2025-04-15", "100", "", "", ""),  # not a code of HS 2022
    ("6109.10.0012", "CN", "2025-13-01", "100", "", "", ""),  # bad date
    # 1.5¢/kg + 5% = 53.00; List 3 25% (annex of 83 FR 47974, footnote "See 9903.88.03."); + 20% + 125%
    ("1504.20.6000", "CN", "2025-04-15", "1000", "200", "kg", ""),
    ("6109.10.0012", "", "2025-04-15", "100", "", "", ""),  # missing origin
    ("6109.10.0012", "CN", "2025-04-15", "-5", "", "", ""),  # negative value
]
HEADER = ["code", "origin", "date", "value", "quantity", "unit", "content_copper"]


def write_csv(path: Path, rows: list[tuple[str, ...]] = ENTRIES) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("engine", ["duckdb", "reference"])
def test_every_row_comes_out_with_amounts_or_an_error(tmp_path: Path, engine: str) -> None:
    output = tmp_path / "out.csv"
    result = runner.invoke(app, ["assess", str(write_csv(tmp_path / "in.csv")), "-o", str(output), "--engine", engine])
    assert result.exit_code == 0, result.output
    rows = read_csv(output)
    assert [row["row"] for row in rows] == [str(n) for n in range(1, len(ENTRIES) + 1)]
    assert [row["total"] for row in rows] == ["16900.00", "8050.00", "", "", "1753.00", "", ""]
    assert rows[1]["us.s232.copper"] == "3000.00" and rows[1]["us.ieepa.reciprocal"] == "400.00"
    assert rows[4]["us.mfn"] == "53.00"
    errors = [row["error"].split(":")[0] for row in rows if row["error"]]
    assert errors == ["code", "date", "origin", "value"]


def test_parquet_and_excel_round_trip(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv")
    assert runner.invoke(app, ["assess", str(source), "-o", str(tmp_path / "out.parquet")]).exit_code == 0
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.num_rows == len(ENTRIES)
    assert str(table.column("total")[0].as_py()) == "16900.00"
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ENTRIES[:2]:
        sheet.append(list(row))
    book.save(tmp_path / "in.xlsx")
    assert runner.invoke(app, ["assess", str(tmp_path / "in.xlsx"), "-o", str(tmp_path / "out.xlsx")]).exit_code == 0
    cells = list(load_workbook(tmp_path / "out.xlsx").worksheets[0].values)
    assert cells[0][-1] == "total" and cells[1][-1] == 16900 and len(cells) == 3


@pytest.mark.parametrize(("engine", "path"), [("duckdb", "assess_table"), ("reference", "assess_rows")])
def test_a_crash_midway_leaves_no_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str, path: str
) -> None:
    source = write_csv(tmp_path / "in.csv", ENTRIES * 3)
    output = tmp_path / "out.csv"
    output.write_text("previous results\n", encoding="utf-8")
    monkeypatch.setattr(files_module, "BATCH_ROWS", 5)
    calls = {"n": 0}
    real = getattr(files_module, path)

    def failing(*arguments, **keywords):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return real(*arguments, **keywords)

    monkeypatch.setattr(files_module, path, failing)
    result = runner.invoke(app, ["assess", str(source), "-o", str(output), "--engine", engine])
    assert result.exit_code != 0
    assert output.read_text(encoding="utf-8") == "previous results\n"
    assert [p.name for p in tmp_path.iterdir() if ".partial" in p.name] == []


@pytest.mark.parametrize(
    ("arguments", "field"),
    [(["--engine", "polars"], "engine"), (["-o", "out.txt"], "output")],
)
def test_bad_options_name_the_field(tmp_path: Path, arguments: list[str], field: str) -> None:
    source = write_csv(tmp_path / "in.csv")
    base = ["assess", str(source), "-o", str(tmp_path / "out.csv")]
    result = runner.invoke(app, [*base, *arguments, "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["field"] == field


def test_explain_adds_the_full_assessment_of_each_line(tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    result = runner.invoke(app, ["assess", str(write_csv(tmp_path / "in.csv")), "-o", str(output), "--explain"])
    assert result.exit_code == 0, result.output
    rows = read_csv(output)
    explained = json.loads(rows[0]["explanation"])
    assert explained["total_amount"] == rows[0]["total"] == "16900.00"
    assert {layer["measure"] for layer in explained["layers"]} >= {"us.mfn", "us.ieepa.reciprocal"}
    assert rows[2]["explanation"] == ""  # an error row has no assessment


def test_the_spark_engine_gives_the_same_results(tmp_path: Path) -> None:
    pytest.importorskip("pyspark", reason="pyspark is a dev extra")
    source = write_csv(tmp_path / "in.csv", ENTRIES[:2])
    for engine in ("duckdb", "spark"):
        output = tmp_path / f"{engine}.csv"
        result = runner.invoke(app, ["assess", str(source), "-o", str(output), "--engine", engine])
        assert result.exit_code == 0, result.output
    assert read_csv(tmp_path / "spark.csv") == read_csv(tmp_path / "duckdb.csv")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_columnar_path_writes_what_the_row_path_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """DuckDB engine both ways: Arrow batches validated in columns, and each row through Line.parse (as the API)."""
    source = write_csv(tmp_path / "in.csv", [*ENTRIES, ("6109.10.0012", "cn", " 2025-04-15 ", "1,000", "", "", "")])
    monkeypatch.setattr(files_module, "BATCH_ROWS", 3)  # several batches, row numbers carried across them
    columnar = tmp_path / f"columnar{suffix}"
    assert runner.invoke(app, ["assess", str(source), "-o", str(columnar)]).exit_code == 0
    monkeypatch.setattr(files_module, "read_arrow_batches", lambda *arguments: None)
    by_row = tmp_path / f"by_row{suffix}"
    assert runner.invoke(app, ["assess", str(source), "-o", str(by_row)]).exit_code == 0
    if suffix == ".csv":
        assert read_csv(columnar) == read_csv(by_row)
        assert (
            read_csv(columnar)[-1]["total"] == "1690.00"
        )  # "1,000", " 2025-04-15 " and "cn" are read as Line.parse reads them
    else:
        assert pq.read_table(columnar).equals(pq.read_table(by_row))


def test_a_row_with_more_fields_than_the_header_is_an_error_row(tmp_path: Path) -> None:
    """Arrow's CSV reader refuses such a file; assess starts again row by row, where the row is an error like any."""
    source = tmp_path / "in.csv"
    source.write_text(
        "code,origin,date,value\n6109.10.0012,CN,2025-04-15,10000\n6109.10.0012,CN,2025-04-15,100,extra\n",
        encoding="utf-8",
    )
    output = tmp_path / "out.csv"
    assert runner.invoke(app, ["assess", str(source), "-o", str(output)]).exit_code == 0
    rows = read_csv(output)
    assert [row["row"] for row in rows] == ["1", "2"]
    assert rows[0]["error"] == "" and rows[0]["total"] == "16900.00"
    assert rows[1]["error"].startswith("row: more fields than the header")
