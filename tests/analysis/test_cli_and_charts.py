"""`tradelex average/panel/revenue/scenario run/compare` through Typer's runner, and the charts.

The bundled trade weights and the US schedule's lines are replaced by the two-line case of test_hand_computed.py
(USD 3,000 of 0101.21, in the tiny pack's scope, and USD 1,000 of 0201.10), so each figure can be worked out by hand.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from tradelex.analysis import average as average_module
from tradelex.analysis import average_figure, average_series, write_chart
from tradelex.analysis.panel import LINE_SOURCES
from tradelex.cli.main import app
from tradelex.rules.model import Pack

runner = CliRunner()
LINES = ("0101210000", "0201100000")
WEIGHTS = pa.table({"code": list(LINES), "value_usd": pa.array([3000, 1000], pa.int64())})
WINDOW = ["--from", "2024-12-01", "--to", "2025-06-30"]


@pytest.fixture(autouse=True)
def tiny_trade(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(average_module, "trade_weights", lambda i, e, y: (WEIGHTS, {"dataset": "test", "year": y}))
    monkeypatch.setitem(LINE_SOURCES, "US", lambda day: LINES)


def run_json(*arguments: str) -> dict[str, Any]:
    result = runner.invoke(app, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def run_error(*arguments: str) -> dict[str, Any]:
    result = runner.invoke(app, [*arguments, "--json"])
    assert result.exit_code == 1, result.output
    error: dict[str, Any] = json.loads(result.stdout)["error"]
    return error


def scenario_file(folder: Path, name: str, change: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"name: {name}\ndescription: test\nchanges:\n  - {change}\n", encoding="utf-8")
    return path


def test_average_json_shape_and_values(tiny_pack_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "series.csv"
    document = run_json("average", "--pack", str(tiny_pack_dir), *WINDOW, "--csv", str(out), "--published")
    assert set(document) >= {"query", "series", "weights", "notes", "published"}
    assert document["query"]["importer"] == "US" and document["query"]["from"] == "2024-12-01"
    keys = {"date", "average_percent", "average_additional_percent", "coverage_percent", "changed_by"}
    assert all(keys <= set(point) for point in document["series"])
    points = {p["date"]: p for p in document["series"]}
    # 10% on 3,000 of 4,000 from 2025-01-01: 7.5%, 75% covered; 25% on it from 2025-04-01: 18.75%.
    assert points["2025-01-01"]["average_additional_percent"] == "7.5000"
    assert points["2025-01-01"]["coverage_percent"] == "75.0000"
    assert points["2025-01-01"]["changed_by"] == ["us.test.duty"]
    assert points["2025-04-01"]["average_additional_percent"] == "18.7500"
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("date,average_percent,")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (["--level", "hs5"], "level"),
        (["--from", "2025-13-01"], "from"),
        (["--weights-year", "1999"], "weights_year"),
        (["--products", "72,x"], "products"),
    ],
)
def test_average_bad_input_names_the_field(
    tiny_pack_dir: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], field: str
) -> None:
    monkeypatch.undo()  # the real trade_weights, which knows the weights years
    assert run_error("average", "--pack", str(tiny_pack_dir), *WINDOW, *arguments)["field"] == field


def test_panel_writes_parquet(tiny_pack_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "panel.parquet"
    document = run_json("panel", "--pack", str(tiny_pack_dir), "-o", str(out), *WINDOW)
    assert set(document) == {"out", "rows", "from", "to"}
    # the two lines for CN and for `*` (any other partner) on each panel date: an even count, and a file
    assert document["rows"] > 0 and document["rows"] % 2 == 0 and out.stat().st_size > 0
    assert run_error("panel", "--pack", str(tiny_pack_dir), "-o", str(out), "--from", "2025-02-30")["field"] == "from"


def test_revenue_json_by_hand(tiny_pack_dir: Path) -> None:
    document = run_json("revenue", "--pack", str(tiny_pack_dir), "--from", "2025-01-01", "--to", "2025-01-31")
    assert set(document) >= {"query", "months", "totals", "elasticities", "notes"}
    (january,) = document["months"]
    # imports 3,000 / 12 + 1,000 / 12 = 250.00 + 83.33; duties 250.00 x 10% = 25.00 plus the MFN of the two lines
    assert january["month"] == "2025-01" and january["imports_static"] == "333.33"
    assert set(document["totals"]) == {"imports_static", "duties_static", "imports_elastic", "duties_elastic"}
    assert (
        run_error("revenue", "--pack", str(tiny_pack_dir), "--from", "2025-01-01", "--to", "2024-01-01")["field"]
        == "end"
    )


def test_scenario_run_and_compare(tiny_pack_dir: Path, tmp_path: Path) -> None:
    ended = scenario_file(tmp_path, "ended", "{measure: us.test.duty, action: end, from: 2025-02-01}")
    doubled = scenario_file(
        tmp_path, "doubled", '{measure: us.test.duty, action: set_rate, from: 2025-02-01, rate: "20%"}'
    )
    window = ["--from", "2025-02-01", "--to", "2025-02-28"]
    result = run_json("scenario", "run", str(ended), "--pack", str(tiny_pack_dir), *window)
    assert set(result) == {"scenario", "base", "scenario_series", "revenue"}
    assert result["scenario"]["name"] == "ended"
    # Ending the 10% duty on 2025-02-01 removes 250.00 x 10% = 25.00 of February's static duties.
    assert result["revenue"]["difference"]["duties_static"] == "-25.00"
    assert result["scenario_series"]["series"][0]["average_additional_percent"] == "0.0000"
    compared = run_json("scenario", "compare", str(ended), str(doubled), "--pack", str(tiny_pack_dir), *window)
    assert set(compared) == {"a", "b", "difference_b_minus_a"}
    # B (20% on 250.00 = 50.00) minus A (no duty): 50.00 of static duties.
    assert compared["difference_b_minus_a"]["duties_static"] == "50.00"


def test_scenario_bad_file_names_the_field(tiny_pack_dir: Path, tmp_path: Path) -> None:
    bad = scenario_file(tmp_path, "bad", "{measure: us.test.duty, action: set_rate, from: 2025-01-01}")
    error = run_error("scenario", "run", str(bad), "--pack", str(tiny_pack_dir))
    assert error["field"] == "changes[0].rate" and error["file"].endswith("bad.yaml")
    unknown = scenario_file(tmp_path, "unknown", "{measure: us.nothing, action: end, from: 2025-01-01}")
    assert run_error("scenario", "run", str(unknown), "--pack", str(tiny_pack_dir))["field"] == "changes[0].measure"
    # ending the measure on its first date leaves it without a value: the change itself is named
    too_early = scenario_file(tmp_path, "early", "{measure: us.test.duty, action: end, from: 2025-01-01}")
    assert run_error("scenario", "run", str(too_early), "--pack", str(tiny_pack_dir))["field"] == "changes[0]"


def _series(pack: Pack) -> Any:
    return average_series(pack, "US", "CN", date(2024, 12, 1), date(2025, 6, 30), mfn=None)


def test_png_chart_is_written(tiny_pack: Pack, tmp_path: Path) -> None:
    path = tmp_path / "chart.png"
    write_chart([_series(tiny_pack)], path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_html_chart_embeds_plotly_and_names_the_measure(tiny_pack: Pack, tmp_path: Path) -> None:
    series = _series(tiny_pack)
    path = tmp_path / "chart.html"
    write_chart([series], path)
    html = path.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html and len(html) > 1_000_000  # the library itself is in the file
    assert not re.search(r"<script[^>]+src=[\"']https?://", html), "no script is loaded from a CDN"
    # plotly.js carries the address of its map files (topojson) as a default inside the library; nothing loads it
    # for these charts, and no tag points at it
    assert not re.search(r"(src|href)=[\"']https?://cdn", html)
    texts = [a.text for a in average_figure([series]).layout.annotations]
    assert "us.test.duty" in texts and "us.test.duty" in html


def test_chart_with_another_suffix_names_the_field(tiny_pack: Pack, tmp_path: Path) -> None:
    from tradelex.errors import InputError

    with pytest.raises(InputError) as raised:
        write_chart([_series(tiny_pack)], tmp_path / "chart.svg")
    assert raised.value.field == "chart"
