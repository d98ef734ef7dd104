"""`tradelex assess IN -o OUT`: assess a file of entry lines in batches; one result row per input row.

Input: CSV, Parquet or Excel with columns code, origin, date (or --date-column), and optionally importer, loaded,
value, quantity, unit and content_<name>. Output: Parquet, CSV or Excel with the input row number, an error naming
the field (or empty), one amount column per layer and the total. The output is written beside its target and moved
into place only when complete: a crash midway leaves no half-written file.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from tradelex.cli.common import JsonOption, PackOption, console, errors, open_pack, print_json, reporting_errors
from tradelex.engine.batch import ENGINES, assess_rows, assess_table, result_schema
from tradelex.engine.compile import CompiledPack, compile_pack
from tradelex.engine.mfn import INSTALLED_MFN
from tradelex.errors import InputError
from tradelex.rules.model import Kind, Pack

# DuckDB: each call has a fixed cost (a connection, a dozen statements), so batches are large; 200,000 lines keep a
# batch of the full us-cn pack at 1.6 GB (500,000: 2.5 GB, no faster). Spark gets the same size: 500,000 lines ran
# out of its default heap.
BATCH_ROWS = 200_000
SPARK_BATCH_ROWS = 200_000
FORMATS = {".csv": "csv", ".parquet": "parquet", ".xlsx": "excel"}
MFN_COLUMNS = ["us.mfn", "cn.mfn"]


def _format(path: Path, field: str) -> str:
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise InputError(field, f"{path.name}: expected a .csv, .parquet or .xlsx file")
    return found


def read_batches(path: Path) -> tuple[Iterator[list[dict[str, Any]]], int | None]:
    """Rows of the input in batches, and the number of rows when it can be known cheaply."""
    if not path.is_file():
        raise InputError("input", f"no such file: {path}")
    kind = _format(path, "input")
    if kind == "parquet":
        parquet = pq.ParquetFile(path)
        return (batch.to_pylist() for batch in parquet.iter_batches(batch_size=BATCH_ROWS)), parquet.metadata.num_rows
    if kind == "excel":
        return _excel_batches(path), None
    with path.open("rb") as handle:
        count = max(sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1, 0)
    return _csv_batches(path), count


def read_arrow_batches(path: Path, rows: int | None = None) -> tuple[Iterator[pa.Table], int | None] | None:
    """Rows of a Parquet or CSV input as Arrow tables of at most `rows` rows (default BATCH_ROWS; CSV columns as
    text, exactly as written); None for Excel, which is read row by row."""
    rows = rows or BATCH_ROWS
    if not path.is_file():
        raise InputError("input", f"no such file: {path}")
    kind = _format(path, "input")
    if kind == "parquet":
        parquet = pq.ParquetFile(path)
        batches = (pa.Table.from_batches([b]) for b in parquet.iter_batches(batch_size=rows))
        return batches, parquet.metadata.num_rows
    if kind == "excel":
        return None
    _, count = read_batches(path)
    return _csv_tables(path, rows), count


def _csv_tables(path: Path, rows: int) -> Iterator[pa.Table]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    reader = pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(block_size=1 << 22),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    for batch in reader:
        for start in range(0, batch.num_rows, rows):
            yield pa.Table.from_batches([batch.slice(start, rows)])


def _csv_batches(path: Path) -> Iterator[list[dict[str, Any]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        batch: list[dict[str, Any]] = []
        for row in csv.DictReader(handle):
            batch.append(row)
            if len(batch) == BATCH_ROWS:
                yield batch
                batch = []
        if batch:
            yield batch


def _excel_batches(path: Path) -> Iterator[list[dict[str, Any]]]:
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(cell) for cell in next(rows, ())]
    batch: list[dict[str, Any]] = []
    for values in rows:
        batch.append(dict(zip(header, values, strict=False)))
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


class ResultWriter:
    """Writes result batches to a staging file and moves it onto the target only when closed successfully."""

    def __init__(self, target: Path, schema: pa.Schema) -> None:
        self.target = target
        self.kind = _format(target, "output")
        self.schema = schema
        self.staging = target.with_name(f".{target.name}.{os.getpid()}.partial")
        self._parquet: pq.ParquetWriter | None = None
        self._csv: Any = None
        self._rows: list[list[Any]] = []

    def write(self, table: pa.Table) -> None:
        if self.kind == "parquet":
            self._parquet = self._parquet or pq.ParquetWriter(self.staging, self.schema, compression="zstd")
            self._parquet.write_table(table)
        elif self.kind == "csv":
            if self._csv is None:
                self._handle = self.staging.open("w", encoding="utf-8", newline="")
                self._csv = csv.writer(self._handle, lineterminator="\n")
                self._csv.writerow(self.schema.names)
            self._handle.flush()
            with self.staging.open("ab") as sink:
                # the batch's text as the csv module would write it: no header, quotes only where needed
                pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
        else:
            self._rows += [list(row.values()) for row in table.to_pylist()]

    def commit(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        elif self.kind == "csv":
            if self._csv is None:
                self.write(self.schema.empty_table())
            self._handle.close()
        elif self.kind == "excel":
            self._write_excel()
        if self.kind == "parquet" and self._parquet is None:
            pq.write_table(self.schema.empty_table(), self.staging)
        self.staging.replace(self.target)

    def _write_excel(self) -> None:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("assessment")
        sheet.append(self.schema.names)
        for row in self._rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])  # Excel cells hold numbers
        book.save(self.staging)

    def abort(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._csv is not None:
            self._handle.close()
        self.staging.unlink(missing_ok=True)


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
        tariffs = [m for m in loaded.measures.values() if m.kind in (Kind.AD_VALOREM, Kind.SPECIFIC, Kind.COMPOUND)]
        measures = MFN_COLUMNS + [m.id for m in sorted(tariffs, key=lambda m: (m.stacking.precedence, m.id))]
        schema = result_schema(measures, explain)
        batch_rows = SPARK_BATCH_ROWS if engine == "spark" else BATCH_ROWS
        arrow = read_arrow_batches(source, batch_rows) if engine != "reference" and not explain else None
        summary = _Summary(measures)
        writer = ResultWriter(output, schema)
        try:
            if arrow is not None:
                try:
                    _assess_arrow(arrow, compiled, measures, engine, date_column, writer, summary, as_json)
                except pa.ArrowInvalid:
                    # a CSV that Arrow's reader refuses (a row with too many fields): start again row by row, where
                    # such a row becomes an error row like any other bad line
                    writer.abort()
                    writer, summary, arrow = ResultWriter(output, schema), _Summary(measures), None
            if arrow is None:
                _assess_rows(source, loaded, compiled, engine, date_column, explain, measures, writer, summary, as_json)
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        summary.report(output, as_json)


def _assess_arrow(
    arrow: tuple[Iterator[pa.Table], int | None],
    compiled: CompiledPack | None,
    measures: list[str],
    engine: str,
    date_column: str,
    writer: ResultWriter,
    summary: _Summary,
    quiet: bool,
) -> None:
    """The columnar path: Arrow batches in, Arrow results out, no Python per row."""
    assert compiled is not None
    batches, total_rows = arrow
    with _progress(total_rows, quiet) as advance:
        number = 1
        for table in batches:
            result = assess_table(
                table, compiled, measures, engine=engine, mfn=INSTALLED_MFN, date_column=date_column, first_row=number
            )
            writer.write(result)
            summary.add_table(result)
            number += table.num_rows
            advance(table.num_rows)


def _assess_rows(
    source: Path,
    loaded: Pack,
    compiled: CompiledPack | None,
    engine: str,
    date_column: str,
    explain: bool,
    measures: list[str],
    writer: ResultWriter,
    summary: _Summary,
    quiet: bool,
) -> None:
    """The row path (the reference engine, --explain, Excel): each row a Line, results as records."""
    batches, total_rows = read_batches(source)
    with _progress(total_rows, quiet) as advance:
        number = 0
        for rows in batches:
            result = assess_rows(rows, loaded, compiled, engine, INSTALLED_MFN, date_column, explain)
            records = []
            for row in result.rows:
                number += 1
                amounts = {m: row["layers"].get(m) for m in measures}
                explanation = {"explanation": row.get("explanation")} if explain else {}
                records.append({"row": number, "error": row["error"], **amounts, "total": row["total"], **explanation})
                summary.add(row)
            writer.write(pa.Table.from_pylist(records, schema=writer.schema))
            advance(len(rows))


class _Summary:
    def __init__(self, measures: list[str]) -> None:
        self.measures = measures
        self.rows = self.errors = 0
        self.lines = dict.fromkeys(measures, 0)
        self.sums = dict.fromkeys(measures, Decimal(0))
        self.total = Decimal(0)
        self.unknown_totals = 0

    def add(self, row: dict[str, Any]) -> None:
        self.rows += 1
        self.errors += row["error"] is not None
        for measure, amount in row["layers"].items():
            if amount is not None and measure in self.sums:
                self.lines[measure] += 1
                self.sums[measure] += amount
        if row["error"] is None and row["total"] is None:
            self.unknown_totals += 1
        self.total += row["total"] or 0

    def add_table(self, result: pa.Table) -> None:
        """The same counts as `add`, from a batch of results in columns."""
        self.rows += result.num_rows
        errors = pc.is_valid(result.column("error"))
        self.errors += pc.sum(errors).as_py() or 0
        for measure in self.measures:
            column = result.column(measure)
            self.lines[measure] += len(column) - column.null_count
            self.sums[measure] += pc.sum(column).as_py() or Decimal(0)
        total = result.column("total")
        self.unknown_totals += pc.sum(pc.and_(pc.invert(errors), pc.is_null(total))).as_py() or 0
        self.total += pc.sum(total).as_py() or Decimal(0)

    def report(self, output: Path, as_json: bool) -> None:
        used = [m for m in self.measures if self.lines[m]]
        if as_json:
            layers = {m: {"lines": self.lines[m], "amount": str(self.sums[m])} for m in used}
            print_json({"output": str(output), "rows": self.rows, "errors": self.errors,
                        "unknown_totals": self.unknown_totals, "total": str(self.total), "layers": layers})  # fmt: skip
            return
        table = Table(title=f"{self.rows} rows → {output} · {self.errors} error rows", title_justify="left")
        for column in ("layer", "lines", "amount"):
            table.add_column(column, justify="left" if column == "layer" else "right")
        for measure in used:
            table.add_row(measure, str(self.lines[measure]), f"{self.sums[measure]:,.2f}")
        table.add_row("total", "", f"{self.total:,.2f}", style="bold")
        console.print(table)
        if self.unknown_totals:
            console.print(f"[yellow]warning:[/] {self.unknown_totals} rows have an unknown total (see their layers)")


class _progress:  # noqa: N801 — used as a context manager, named as one
    def __init__(self, total: int | None, quiet: bool) -> None:
        self.bar = Progress(TextColumn("assessing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=errors, disable=quiet)  # fmt: skip
        self.task = self.bar.add_task("assess", total=total)

    def __enter__(self) -> Any:
        self.bar.start()
        return lambda done: self.bar.advance(self.task, done)

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()
