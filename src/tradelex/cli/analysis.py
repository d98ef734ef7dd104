"""Analysis on the command line: trade-weighted averages, the rate panel, revenue, scenarios (issue 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tradelex.cli.common import JsonOption, PackOption, console, open_pack, print_json, reporting_errors
from tradelex.dates import parse_iso_date

scenario_app = typer.Typer(no_args_is_help=True, help="Scenarios: a pack patched from a date; run one or compare two.")

FromOption = Annotated[str, typer.Option("--from", help="First date (YYYY-MM-DD).")]
ToOption = Annotated[str, typer.Option("--to", help="Last date (YYYY-MM-DD).")]
ImporterOption = Annotated[str, typer.Option("--importer", help="The country whose tariff is averaged.")]
ExporterOption = Annotated[str, typer.Option("--exporter", help="The country whose goods pay it.")]


def average(
    importer: ImporterOption = "US",
    exporter: ExporterOption = "CN",
    start: FromOption = "2018-01-01",
    end: ToOption = "2026-06-08",
    weights_year: Annotated[int, typer.Option("--weights-year")] = 2017,
    level: Annotated[str, typer.Option("--level", help="hs6, hs8 or hs10")] = "hs6",
    products: Annotated[str | None, typer.Option("--products", help="code prefixes: 72,73")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write the series as CSV.")] = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="Also draw the chart (.png or .html).")] = None,
    published: Annotated[
        bool, typer.Option("--published", help="Compare with PIIE's published figures (published.csv).")
    ] = False,
    pack: PackOption = None,
    as_json: JsonOption = False,
) -> None:
    """The trade-weighted average tariff at every date the pack changes it."""
    from tradelex.analysis import average_series, compare_published, write_chart

    with reporting_errors(as_json):
        series = average_series(open_pack(pack), importer.upper(), exporter.upper(), parse_iso_date(start, "from"),
                                parse_iso_date(end, "to"), weights_year, level, products)  # fmt: skip
        document = series.to_json_dict()
        if csv is not None:
            header = "date,average_percent,average_additional_percent,coverage_percent,changed_by\n"
            body = "".join(
                f"{p['date']},{p['average_percent'] or ''},{p['average_additional_percent'] or ''},"
                f"{p['coverage_percent'] or ''},{' '.join(p['changed_by'])}\n"
                for p in document["series"]
            )
            csv.write_text(header + body, encoding="utf-8")
        if chart is not None:
            write_chart([series], chart)
        if published:
            document["published"] = compare_published(series)
        if as_json:
            print_json(document)
            return
        table = Table(title=f"Average tariff of {importer} on goods of {exporter} (weights {weights_year}, {level})")
        for column in ("date", "total %", "additional %", "coverage %", "changed by"):
            table.add_column(column)
        for p in document["series"]:
            table.add_row(p["date"], p["average_percent"] or "unknown", p["average_additional_percent"],
                          p["coverage_percent"], ", ".join(p["changed_by"]))  # fmt: skip
        console.print(table)
        if published:
            _print_published(document["published"])
        for note in document["notes"]:
            console.print(f"note: {note}", highlight=False)


def _print_published(rows: list[dict[str, Any]]) -> None:
    table = Table(title="Against PIIE's published figures (published.csv)")
    for column in ("date", "event", "figure", "PIIE %", "tradelex %", "difference (points)", "confidence"):
        table.add_column(column)
    for row in rows:
        ours = row["tradelex_percent"] or "unknown"
        table.add_row(row["date"], row["event"], row["figure"], row["published_percent"], ours,
                      row["difference_points"] or "", row["confidence"])  # fmt: skip
    console.print(table)


def panel(
    out: Annotated[Path, typer.Option("--out", "-o", help="The Parquet file to write.")],
    start: FromOption = "2018-01-01",
    end: Annotated[str | None, typer.Option("--to", help="Last date (default: the pack's cut-off).")] = None,
    pack: PackOption = None,
    as_json: JsonOption = False,
) -> None:
    """The rate of every schedule line for each partner at every date the pack changes, as Parquet."""
    from tradelex.analysis import build_panel

    with reporting_errors(as_json):
        chosen = open_pack(pack)
        last = parse_iso_date(end, "to") if end else chosen.meta.cutoff
        table = build_panel(chosen, parse_iso_date(start, "from"), last, out=out)
        summary = {"out": str(out), "rows": table.num_rows, "from": start, "to": last.isoformat()}
        print_json(summary) if as_json else console.print(f"{table.num_rows:,} rows written to {out}")


def revenue(
    importer: ImporterOption = "US",
    exporter: ExporterOption = "CN",
    start: FromOption = "2025-01-01",
    end: ToOption = "2026-06-08",
    weights_year: Annotated[int, typer.Option("--weights-year")] = 2017,
    pack: PackOption = None,
    as_json: JsonOption = False,
) -> None:
    """Monthly imports and duties, static and with import-demand elasticities."""
    from tradelex.analysis import project_revenue

    with reporting_errors(as_json):
        projection = project_revenue(open_pack(pack), importer.upper(), exporter.upper(), parse_iso_date(start, "from"),
                                     parse_iso_date(end, "to"), weights_year=weights_year)  # fmt: skip
        document = projection.to_json_dict()
        if as_json:
            print_json(document)
            return
        table = Table(title=f"Imports of {importer} from {exporter} and duties (USD)")
        for column in (
            "month",
            "rate %",
            "imports (static)",
            "duties (static)",
            "imports (elastic)",
            "duties (elastic)",
        ):
            table.add_column(column, justify="right")
        for m in document["months"]:
            table.add_row(m["month"], m["average_rate_percent"], m["imports_static"], m["duties_static"],
                          m["imports_elastic"], m["duties_elastic"])  # fmt: skip
        console.print(table)


@scenario_app.command("run")
def scenario_run(
    file: Path,
    importer: ImporterOption = "US",
    exporter: ExporterOption = "CN",
    start: FromOption = "2025-01-01",
    end: ToOption = "2026-12-31",
    chart: Annotated[Path | None, typer.Option("--chart")] = None,
    pack: PackOption = None,
    as_json: JsonOption = False,
) -> None:
    """The averages and revenue of the pack with the scenario, against the pack as it is."""
    from tradelex.analysis import load_scenario, run_scenario, write_chart

    with reporting_errors(as_json):
        result = run_scenario(open_pack(pack), load_scenario(file), importer.upper(), exporter.upper(),
                              parse_iso_date(start, "from"), parse_iso_date(end, "to"))  # fmt: skip
        if chart is not None:
            write_chart([result.base, result.changed], chart)
        document = result.to_json_dict()
        if as_json:
            print_json(document)
            return
        console.print(f"[bold]{result.scenario['name']}[/]: {result.scenario['description']}")
        for key, value in document["revenue"]["difference"].items():
            console.print(f"  {key}: {value} USD against the pack")


@scenario_app.command("compare")
def scenario_compare(
    a: Path,
    b: Path,
    importer: ImporterOption = "US",
    exporter: ExporterOption = "CN",
    start: FromOption = "2025-01-01",
    end: ToOption = "2026-12-31",
    pack: PackOption = None,
    as_json: JsonOption = False,
) -> None:
    """Two scenarios side by side: revenue of B minus revenue of A."""
    from tradelex.analysis import compare_scenarios, load_scenario

    with reporting_errors(as_json):
        first, second = load_scenario(a), load_scenario(b)
        result = compare_scenarios(open_pack(pack), first, second, importer.upper(), exporter.upper(),
                                   parse_iso_date(start, "from"), parse_iso_date(end, "to"))  # fmt: skip
        document = result.to_json_dict()
        if as_json:
            print_json(document)
            return
        for key, value in document["difference_b_minus_a"].items():
            console.print(f"  {key}: {value} USD (B minus A)")


def register(app: typer.Typer) -> None:
    app.command("average")(average)
    app.command("panel")(panel)
    app.command("revenue")(revenue)
    app.add_typer(scenario_app, name="scenario")
