"""Files of entry lines, assessed in batches: read CSV, Parquet or Excel; write results beside the target and move
them into place only when complete, so that a crash midway leaves no half-written file; count each layer.

The command line (`tradelex assess`, `tradelex refunds`) and the HTTP API's upload jobs both run these functions.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tradelex.engine.batch import assess_rows, assess_table, result_schema
from tradelex.engine.compile import CompiledPack
from tradelex.engine.mfn import MfnSource
from tradelex.errors import InputError
from tradelex.rules.model import Kind, Pack

# DuckDB: each call has a fixed cost (a connection, a dozen statements), so batches are large; 200,000 lines keep a
# batch of the full us-cn pack at 1.6 GB (500,000: 2.5 GB, no faster).
BATCH_ROWS = 200_000
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


class ProgressSink(Protocol):
    """Where a long assessment reports how far it is: a progress bar, or a job's status."""

    def total(self, rows: int | None) -> None: ...
    def advance(self, rows: int) -> None: ...
    def restart(self) -> None: ...


def result_measures(pack: Pack) -> list[str]:
    """The amount columns of a result: the MFN layers, then the pack's duties in the order they stack."""
    tariffs = [m for m in pack.measures.values() if m.kind in (Kind.AD_VALOREM, Kind.SPECIFIC, Kind.COMPOUND)]
    return MFN_COLUMNS + [m.id for m in sorted(tariffs, key=lambda m: (m.stacking.precedence, m.id))]


class LayerSummary:
    """Rows, error rows and each layer's lines and amount over a whole file."""

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

    def used_measures(self) -> list[str]:
        return [m for m in self.measures if self.lines[m]]

    def to_json_dict(self) -> dict[str, Any]:
        layers = {m: {"lines": self.lines[m], "amount": str(self.sums[m])} for m in self.used_measures()}
        return {"rows": self.rows, "errors": self.errors, "unknown_totals": self.unknown_totals,
                "total": str(self.total), "layers": layers}  # fmt: skip


def assess_file(
    source: Path, output: Path, pack: Pack, compiled: CompiledPack | None, *, engine: str, mfn: MfnSource | None,
    date_column: str = "date", explain: bool = False, batch_rows: int | None = None, progress: ProgressSink,
) -> LayerSummary:  # fmt: skip
    """One result row per input row, written to `output`: the columnar path where it can (DuckDB or Spark, no
    explanation, CSV or Parquet), row by row otherwise (the reference engine, explanations, Excel)."""
    measures = result_measures(pack)
    schema = result_schema(measures, explain)
    arrow = read_arrow_batches(source, batch_rows) if engine != "reference" and not explain else None
    summary, writer = LayerSummary(measures), ResultWriter(output, schema)
    try:
        if arrow is not None:
            try:
                _assess_arrow(arrow, compiled, measures, engine, mfn, date_column, writer, summary, progress)
            except pa.ArrowInvalid:
                # a CSV that Arrow's reader refuses (a row with too many fields): start again row by row, where
                # such a row becomes an error row like any other bad line
                writer.abort()
                writer, summary, arrow = ResultWriter(output, schema), LayerSummary(measures), None
                progress.restart()
        if arrow is None:
            _assess_rows(source, pack, compiled, engine, mfn, date_column, explain, measures, writer, summary, progress)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return summary


def _assess_arrow(
    arrow: tuple[Iterator[pa.Table], int | None], compiled: CompiledPack | None, measures: list[str], engine: str,
    mfn: MfnSource | None, date_column: str, writer: ResultWriter, summary: LayerSummary, progress: ProgressSink,
) -> None:  # fmt: skip
    """The columnar path: Arrow batches in, Arrow results out, no Python per row."""
    assert compiled is not None
    batches, total_rows = arrow
    progress.total(total_rows)
    number = 1
    for table in batches:
        result = assess_table(table, compiled, measures, engine=engine, mfn=mfn, date_column=date_column,
                              first_row=number)  # fmt: skip
        writer.write(result)
        summary.add_table(result)
        number += table.num_rows
        progress.advance(table.num_rows)


def _assess_rows(
    source: Path, pack: Pack, compiled: CompiledPack | None, engine: str, mfn: MfnSource | None, date_column: str,
    explain: bool, measures: list[str], writer: ResultWriter, summary: LayerSummary, progress: ProgressSink,
) -> None:  # fmt: skip
    """The row path: each row a Line, results as records."""
    batches, total_rows = read_batches(source)
    progress.total(total_rows)
    number = 0
    for rows in batches:
        result = assess_rows(rows, pack, compiled, engine, mfn, date_column, explain)
        records = []
        for row in result.rows:
            number += 1
            amounts = {m: row["layers"].get(m) for m in measures}
            explanation = {"explanation": row.get("explanation")} if explain else {}
            records.append({"row": number, "error": row["error"], **amounts, "total": row["total"], **explanation})
            summary.add(row)
        writer.write(pa.Table.from_pylist(records, schema=writer.schema))
        progress.advance(len(rows))


MONEY = pa.decimal128(20, 2)
REFUND_SCHEMA = pa.schema([
    ("row", pa.int64()), ("error", pa.string()), ("measure", pa.string()),
    ("paid", MONEY), ("owed", MONEY), ("refund", MONEY),
])  # fmt: skip


class RefundTotals:
    """Entries, error rows and the refund owed per measure over a whole file."""

    def __init__(self) -> None:
        self.entries = self.errors = 0
        self.by_measure: dict[str, Decimal] = {}

    @property
    def refund(self) -> Decimal:
        return sum(self.by_measure.values(), Decimal(0))

    def to_json_dict(self) -> dict[str, Any]:
        by_measure = {m: str(v) for m, v in self.by_measure.items()}
        return {"entries": self.entries, "errors": self.errors, "refund_by_measure": by_measure,
                "refund": str(self.refund)}  # fmt: skip


def refund_rows(number: int, paid: dict[str, Any], owed: dict[str, Any]) -> list[dict[str, Any]]:
    """The layers whose amount differs between paid and owed; an unknown amount gives an unknown refund."""
    rows = []
    for measure in [*paid, *(m for m in owed if m not in paid)]:
        was, now = paid.get(measure, Decimal(0)), owed.get(measure, Decimal(0))
        if was == now:
            continue
        refund = None if was is None or now is None else was - now
        rows.append({"row": number, "error": None, "measure": measure, "paid": was, "owed": now, "refund": refund})
    return rows


def refund_file(
    source: Path, output: Path, pack: Pack, paid_at: CompiledPack, owed_at: CompiledPack, *, mfn: MfnSource | None,
    progress: ProgressSink,
) -> RefundTotals:  # fmt: skip
    """Per entry and layer, the duty paid (`paid_at`: as customs collected it) against the duty owed (`owed_at`: as
    known later), written to `output`: one row per entry and layer that differs, and every error row."""
    batches, total_rows = read_batches(source)
    progress.total(total_rows)
    writer, totals = ResultWriter(output, REFUND_SCHEMA), RefundTotals()
    try:
        for rows in batches:
            paid = assess_rows(rows, pack, paid_at, "duckdb", mfn)
            owed = assess_rows(rows, pack, owed_at, "duckdb", mfn)
            records: list[dict[str, Any]] = []
            for before, after in zip(paid.rows, owed.rows, strict=True):
                totals.entries += 1
                if before["error"]:
                    totals.errors += 1
                    records.append({"row": totals.entries, "error": before["error"]})
                    continue
                for record in refund_rows(totals.entries, before["layers"], after["layers"]):
                    records.append(record)
                    if record["refund"] is not None:
                        measure = record["measure"]
                        totals.by_measure[measure] = totals.by_measure.get(measure, Decimal(0)) + record["refund"]
            writer.write(pa.Table.from_pylist(records, schema=REFUND_SCHEMA))
            progress.advance(len(rows))
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return totals
