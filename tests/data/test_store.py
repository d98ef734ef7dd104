"""Importers and the store: every row read and validated, errors that name the row, atomic replacement."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradelex.cli.main import app
from tradelex.data import store
from tradelex.data.catalog import bundled_manifest, read_table
from tradelex.data.datasets import dataset
from tradelex.data.importers import import_hts
from tradelex.errors import DataError

SHARED = Path(__file__).parents[2].parent / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the project")
runner = CliRunner()


def small_schedule(folder: Path, rows: list[dict[str, str]] | None = None) -> Path:
    header = dataset("hts_2025_basic").columns
    rows = rows or [
        {"row": "1", "hts_number": "6109.10.00", "hts_digits": "61091000", "level": "tariff_line8", "indent": "1",
         "description": "Of cotton", "unit_of_quantity": "", "general_rate": "16.5%", "special_rate": "",
         "column2_rate": "90%", "footnotes": "See 9903.88.15."},
    ]  # fmt: skip
    path = folder / "schedule.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@needs_shared
@pytest.mark.parametrize(("name", "file"), [("hts_2025_basic", "hts_2025_basic_full.csv"),
                                            ("hts_2026_rev10", "hts_2026_rev10_full.csv")])  # fmt: skip
def test_every_schedule_row_is_imported(name: str, file: str) -> None:
    """The row counts of the README of shared/data: 35,859 and 35,509, with nothing dropped."""
    path = SHARED / "hts" / file
    with path.open(encoding="utf-8", newline="") as handle:
        expected = sum(1 for _ in csv.DictReader(handle))
    table = import_hts(path, dataset(name))
    assert table.num_rows == expected == {"hts_2025_basic": 35859, "hts_2026_rev10": 35509}[name]


def test_the_bundle_matches_the_snapshots_it_was_built_from() -> None:
    manifest = bundled_manifest()
    assert manifest["hts_2025_basic"]["rows"] == 35859
    assert manifest["hts_2026_rev10"]["rows"] == 35509
    schedules = [manifest[name] for name in ("hts_2025_basic", "hts_2026_rev10")]
    assert all(entry["official"] and entry["authority"] == "USITC" for entry in schedules)
    assert manifest["list_annex_ii_history"]["rows"] == 1039  # the original Annex II (shared/data/README.md)
    assert not manifest["list_s301_current"]["official"]  # compiled by a third party
    found = read_table("hts_2025_basic")
    assert found is not None and found[1]["where"] == "bundled"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hts_digits", "61A91000", "expected 4 to 10 digits, got '61A91000'"),
        ("indent", "one", "expected a whole number, got 'one'"),
        ("level", "line", "expected one of"),
        ("hts_number", "6109.10.01", "'6109.10.01' does not match hts_digits '61091000'"),
    ],
)
def test_a_bad_row_names_the_file_row_and_field(tmp_path: Path, field: str, value: str, message: str) -> None:
    good = {"row": "1", "hts_number": "6109.10.00", "hts_digits": "61091000", "level": "tariff_line8", "indent": "1",
            "description": "Of cotton", "unit_of_quantity": "", "general_rate": "16.5%", "special_rate": "",
            "column2_rate": "90%", "footnotes": ""}  # fmt: skip
    path = small_schedule(tmp_path, [good, {**good, field: value}])
    with pytest.raises(DataError) as raised:
        import_hts(path, dataset("hts_2025_basic"))
    assert (raised.value.row, raised.value.field) == (3, field)
    assert message in raised.value.message
    assert str(path) in str(raised.value)


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing columns: row, hts_number"):
        import_hts(path, dataset("hts_2025_basic"))


def test_import_overrides_the_bundle_and_records_provenance(tmp_path: Path) -> None:
    path = small_schedule(tmp_path)
    result = runner.invoke(app, ["data", "import", "hts_2025_basic", str(path), "--json"])
    assert result.exit_code == 0, result.output
    table, provenance = read_table("hts_2025_basic")  # type: ignore[misc]
    assert table.num_rows == 1
    assert provenance["file"] == str(path) and len(provenance["sha256"]) == 64
    status = json.loads(runner.invoke(app, ["data", "status", "--json"]).stdout)
    rows = {row["dataset"]: row for row in status["datasets"]}
    assert rows["hts_2025_basic"]["rows"] == 1 and rows["hts_2026_rev10"]["where"] == "bundled"


def test_a_failed_import_leaves_the_previous_store_intact(tmp_path: Path) -> None:
    good = small_schedule(tmp_path)
    assert runner.invoke(app, ["data", "import", "hts_2025_basic", str(good)]).exit_code == 0
    before = store.store_path().read_bytes()
    broken = tmp_path / "broken.csv"
    broken.write_text(good.read_text(encoding="utf-8").replace("61091000,tariff_line8", "6109x,tariff_line8"))
    result = runner.invoke(app, ["data", "import", "hts_2025_basic", str(broken), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["row"] == 2
    assert store.store_path().read_bytes() == before
    assert not list(store.store_path().parent.glob("*.staging"))


def test_a_killed_import_leaves_the_previous_store_intact(tmp_path: Path, isolated_data_dir: Path) -> None:
    """kill -9 between writing the staged copy and swapping it in: the store is the previous one."""
    good = small_schedule(tmp_path)
    assert runner.invoke(app, ["data", "import", "hts_2025_basic", str(good)]).exit_code == 0
    before = store.store_path().read_bytes()
    script = (
        "import os, signal, pathlib\n"
        "import tradelex.data.store as s\n"
        "original = pathlib.Path.replace\n"
        "def die(self, target): os.kill(os.getpid(), signal.SIGKILL)\n"
        "pathlib.Path.replace = die\n"
        "from tradelex.cli.main import app\n"
        f"app(['data', 'import', 'hts_2026_rev10', {str(good)!r}])\n"
    )
    process = subprocess.run([sys.executable, "-c", script], env={"TRADELEX_DATA_DIR": str(isolated_data_dir)},
                             capture_output=True, check=False)  # fmt: skip
    assert process.returncode == -9
    assert store.store_path().read_bytes() == before
    assert set(store.stored_imports()) == {"hts_2025_basic"}


def test_chapter99_history_and_revisions_are_complete() -> None:
    """1,324 heading texts across 43 revisions (shared/data/README.md); 9903.88.15 reads + 7.5% throughout."""
    history, provenance = read_table("hts_ch99_history")  # type: ignore[misc]
    assert history.num_rows == 1324 and provenance["official"]
    rates = {
        rate
        for number, rate in zip(history.column("hts_number").to_pylist(), history.column("general_rate").to_pylist(),
                                strict=True)
        if number == "9903.88.15"
    }  # fmt: skip
    assert rates == {"The duty provided in the applicable subheading + 7.5%"}
    revisions, _ = read_table("hts_revisions")  # type: ignore[misc]
    assert revisions.num_rows == 43
    assert dict(zip(revisions.column("revision").to_pylist(), revisions.column("effective_date").to_pylist(),
                    strict=True))["2026_rev_10"] == "2026-06-08"  # fmt: skip


@needs_shared
def test_data_status_counts_match_the_snapshots() -> None:
    """Lines, rate texts read and list codes, against counts taken from the source files themselves."""
    status = json.loads(runner.invoke(app, ["data", "status", "--json"]).stdout)
    rows = {row["dataset"]: row for row in status["datasets"]}
    for name, file in (("hts_2025_basic", "hts_2025_basic_full.csv"), ("hts_2026_rev10", "hts_2026_rev10_full.csv")):
        with (SHARED / "hts" / file).open(encoding="utf-8", newline="") as handle:
            source = list(csv.DictReader(handle))
        row = rows[name]
        assert row["tariff_lines"] == sum(1 for r in source if len(r["hts_digits"]) == 8)
        assert row["rate_texts"] == sum(1 for r in source if r["general_rate"].strip())
        assert row["rate_texts_parsed"] + row["rate_texts_not_parsed"] == row["rate_texts"]
        assert row["rate_texts_not_parsed"] == 0, row["not_parsed"]
    with (SHARED / "ieepa" / "annex_ii_note2_v_iii_a_2026rev6.csv").open(encoding="utf-8") as handle:
        assert rows["list_annex_ii"]["list_codes"] == sum(1 for _ in csv.DictReader(handle)) == 1082
    assert any("China's MFN schedule after 2019" in gap for gap in status["gaps"])
