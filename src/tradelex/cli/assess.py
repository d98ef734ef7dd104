"""`tradelex assess IN -o OUT`: assess a file of entry lines in batches; one result row per input row.

Input: CSV, Parquet or Excel with columns code, origin, date (or --date-column), and optionally importer, loaded,
value, quantity, unit and content_<name>. Output: Parquet, CSV or Excel with the input row number, an error naming
the field (or empty), one amount column per layer and the total. The output is written beside its target and moved
into place only when complete: a crash midway leaves no half-written file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from tradelex.cli.common import JsonOption, PackOption, console, errors, open_pack, print_json, reporting_errors
from tradelex.engine.batch import ENGINES
from tradelex.engine.compile import compile_pack
from tradelex.engine.entry_files import LayerSummary, assess_file
from tradelex.engine.mfn import INSTALLED_MFN
from tradelex.errors import InputError

# Spark gets the DuckDB batch size, no more: 500,000 lines ran out of its default heap.
SPARK_BATCH_ROWS = 200_000


def assess_command(
    source: Annotated[Path, typer.Argument(help="Entry lines: .csv, .parquet or .xlsx.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Results: .parquet, .csv or .xlsx.")],
    engine: Annotated[str, typer.Option("--engine", help="duckdb (default), spark or reference.")] = "duckdb",
    date_column: Annotated[str, typer.Option("--date-column", help="The column holding the entry date.")] = "date",
    explain: Annotated[
        bool, typer.Option("--explain", help="Add a JSON column with each line's full assessment (slower).")
    ] = False,
    pack: PackOption = None,
    as_json: JsonOption = False,
) -> None:
    """Assess a file of entry lines: every layer's amount and the total, one result row per input row."""
    with reporting_errors(as_json):
        if engine not in ENGINES:
            raise InputError("engine", f"expected one of {', '.join(ENGINES)}, got {engine!r}")
        loaded = open_pack(pack)
        compiled = compile_pack(loaded) if engine != "reference" else None
        batch_rows = SPARK_BATCH_ROWS if engine == "spark" else None
        with ProgressBar(as_json) as progress:
            summary = assess_file(
                source,
                output,
                loaded,
                compiled,
                engine=engine,
                mfn=INSTALLED_MFN,
                date_column=date_column,
                explain=explain,
                batch_rows=batch_rows,
                progress=progress,
            )
        _report(summary, output, as_json)


def _report(summary: LayerSummary, output: Path, as_json: bool) -> None:
    if as_json:
        print_json({"output": str(output), **summary.to_json_dict()})
        return
    table = Table(title=f"{summary.rows} rows → {output} · {summary.errors} error rows", title_justify="left")
    for column in ("layer", "lines", "amount"):
        table.add_column(column, justify="left" if column == "layer" else "right")
    for measure in summary.used_measures():
        table.add_row(measure, str(summary.lines[measure]), f"{summary.sums[measure]:,.2f}")
    table.add_row("total", "", f"{summary.total:,.2f}", style="bold")
    console.print(table)
    if summary.unknown_totals:
        console.print(f"[yellow]warning:[/] {summary.unknown_totals} rows have an unknown total (see their layers)")


class ProgressBar:
    """A Rich progress bar on standard error, as a ProgressSink; hidden when the output is JSON."""

    def __init__(self, quiet: bool, label: str = "assessing") -> None:
        self.bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=errors, disable=quiet)  # fmt: skip
        self.task = self.bar.add_task(label, total=None)

    def __enter__(self) -> ProgressBar:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def total(self, rows: int | None) -> None:
        self.bar.update(self.task, total=rows)

    def advance(self, rows: int) -> None:
        self.bar.advance(self.task, rows)

    def restart(self) -> None:
        self.bar.reset(self.task)
