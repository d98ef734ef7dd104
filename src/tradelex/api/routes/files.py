"""Uploads: `assess` and `refunds` on a file of entry lines, as background jobs with progress and a result to download.

The upload is streamed to the job's folder under a name the server chooses (only the extension of the client's
file name is read, to know its format); the request is refused with 413 past the configured size. The work is the
CLI's: the same readers, the same batch assessment, the same writer (written beside the target, moved into place
when complete), and the same --json summary, with the download address instead of an output path.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from tradelex.api.deps import Jobs, State, WriteKey
from tradelex.api.errors import ApiError, not_found
from tradelex.api.jobs import JobStatus, Progress, Work
from tradelex.api.state import PackState
from tradelex.cli.assess import (
    BATCH_ROWS,
    FORMATS,
    MFN_COLUMNS,
    ResultWriter,
    _Summary,
    read_arrow_batches,
    read_batches,
)
from tradelex.cli.refunds import REFUND_SCHEMA, refund_rows
from tradelex.dates import parse_iso_date
from tradelex.engine.batch import assess_rows, assess_table, result_schema
from tradelex.engine.compile import CompiledPack
from tradelex.engine.mfn import INSTALLED_MFN
from tradelex.errors import InputError
from tradelex.rules.model import Kind, Pack

router = APIRouter(tags=["files"])
API_ENGINES = ("duckdb", "reference")  # Spark starts a JVM per job: the command line keeps it
MEDIA_TYPES = {
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 1 << 20

Upload = Annotated[UploadFile, File(description="Entry lines: .csv, .parquet or .xlsx (as for `tradelex assess`).")]
OutputFormat = Annotated[str, Form(description="Result format: csv, parquet or xlsx.")]


def _suffix(name: str | None, field: str) -> str:
    suffix = Path(name or "").suffix.lower()
    if suffix not in FORMATS:
        raise InputError(field, f"expected a .csv, .parquet or .xlsx file, got {name!r}")
    return suffix


def _output_suffix(output_format: str) -> str:
    suffix = "." + output_format.strip().lower().lstrip(".")
    if suffix not in FORMATS:
        raise InputError("format", f"expected csv, parquet or xlsx, got {output_format!r}")
    return suffix


async def _save(upload: UploadFile, folder: Path, suffix: str) -> Path:
    target = folder / f"input{suffix}"
    with target.open("wb") as handle:
        while chunk := await upload.read(CHUNK):
            handle.write(chunk)
    return target


def _assess_work(state: PackState, source: Path, output: Path, engine: str, date_column: str, explain: bool) -> Work:
    def work(_: Path, progress: Progress) -> dict[str, Any]:
        pack = state.pack
        compiled = state.compiled() if engine != "reference" else None
        tariffs = [m for m in pack.measures.values() if m.kind in (Kind.AD_VALOREM, Kind.SPECIFIC, Kind.COMPOUND)]
        measures = MFN_COLUMNS + [m.id for m in sorted(tariffs, key=lambda m: (m.stacking.precedence, m.id))]
        schema = result_schema(measures, explain)
        # As the CLI does: the columnar path where it can (DuckDB, no --explain, CSV or Parquet), else row by row.
        arrow = read_arrow_batches(source, BATCH_ROWS) if engine != "reference" and not explain else None
        writer, summary = ResultWriter(output, schema), _Summary(measures)
        try:
            if arrow is not None:
                try:
                    _columnar(arrow, compiled, measures, engine, date_column, writer, summary, progress)
                except pa.ArrowInvalid:  # a CSV Arrow refuses (a row with too many fields): row by row instead
                    writer.abort()
                    writer, summary, arrow = ResultWriter(output, schema), _Summary(measures), None
                    progress.restart()
            if arrow is None:
                _row_by_row(source, pack, compiled, engine, date_column, explain, measures, writer, summary, progress)
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        used = [m for m in summary.measures if summary.lines[m]]
        return {"rows": summary.rows, "errors": summary.errors, "unknown_totals": summary.unknown_totals,
                "total": str(summary.total),
                "layers": {m: {"lines": summary.lines[m], "amount": str(summary.sums[m])} for m in used}}  # fmt: skip

    return work


def _columnar(
    arrow: tuple[Iterator[pa.Table], int | None], compiled: CompiledPack | None, measures: list[str], engine: str,
    date_column: str, writer: ResultWriter, summary: _Summary, progress: Progress,
) -> None:  # fmt: skip
    assert compiled is not None
    batches, total = arrow
    progress.total(total)
    number = 1
    for table in batches:
        result = assess_table(table, compiled, measures, engine=engine, mfn=INSTALLED_MFN, date_column=date_column,
                              first_row=number)  # fmt: skip
        writer.write(result)
        summary.add_table(result)
        number += table.num_rows
        progress.advance(table.num_rows)


def _row_by_row(
    source: Path, pack: Pack, compiled: CompiledPack | None, engine: str, date_column: str, explain: bool,
    measures: list[str], writer: ResultWriter, summary: _Summary, progress: Progress,
) -> None:  # fmt: skip
    batches, total = read_batches(source)
    progress.total(total)
    number = 0
    for rows in batches:
        result = assess_rows(rows, pack, compiled, engine, INSTALLED_MFN, date_column, explain)
        records = []
        for row in result.rows:
            number += 1
            amounts = {m: row["layers"].get(m) for m in measures}
            explanation = {"explanation": row.get("explanation")} if explain else {}
            records.append({"row": number, "error": row["error"], **amounts, "total": row["total"], **explanation})
            summary.add(row)
        writer.write(pa.Table.from_pylist(records, schema=writer.schema))
        progress.advance(len(rows))


def _refunds_work(state: PackState, source: Path, output: Path, known_on: date) -> Work:
    def work(_: Path, progress: Progress) -> dict[str, Any]:
        # Paid: what customs collected at entry, a struck-down duty included until collection stopped.
        at_entry, now = state.compiled(as_collected=True), state.compiled(known_on)
        batches, total = read_batches(source)
        progress.total(total)
        writer = ResultWriter(output, REFUND_SCHEMA)
        totals: dict[str, Decimal] = {}
        entries = errors = 0
        try:
            for rows in batches:
                paid = assess_rows(rows, state.pack, at_entry, "duckdb", INSTALLED_MFN)
                owed = assess_rows(rows, state.pack, now, "duckdb", INSTALLED_MFN)
                records: list[dict[str, Any]] = []
                for before, after in zip(paid.rows, owed.rows, strict=True):
                    entries += 1
                    if before["error"]:
                        errors += 1
                        records.append({"row": entries, "error": before["error"]})
                        continue
                    for record in refund_rows(entries, before["layers"], after["layers"]):
                        records.append(record)
                        if record["refund"] is not None:
                            totals[record["measure"]] = totals.get(record["measure"], Decimal(0)) + record["refund"]
                writer.write(pa.Table.from_pylist(records, schema=REFUND_SCHEMA))
                progress.advance(len(rows))
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        return {"as_known_on": str(known_on), "entries": entries, "errors": errors,
                "refund_by_measure": {m: str(v) for m, v in totals.items()},
                "refund": str(sum(totals.values(), Decimal(0)))}  # fmt: skip

    return work


@router.post("/assess", status_code=202, dependencies=[WriteKey], summary="Assess a file of entry lines (a job)")
async def assess(
    state: State,
    jobs: Jobs,
    file: Upload,
    engine: Annotated[str, Form(description="duckdb (default) or reference.")] = "duckdb",
    date_column: Annotated[str, Form(description="The column holding the entry date.", max_length=100)] = "date",
    explain: Annotated[bool, Form(description="Add a JSON column with each line's full assessment.")] = False,
    output_format: OutputFormat = "csv",
) -> JSONResponse:
    """Starts `tradelex assess` on the upload; poll the job, then download its result."""
    if engine not in API_ENGINES:
        raise InputError("engine", f"expected one of {', '.join(API_ENGINES)}, got {engine!r}")
    suffix, out_suffix = _suffix(file.filename, "file"), _output_suffix(output_format)
    job_id, folder = jobs.new_folder()
    source = await _save(file, folder, suffix)
    output = folder / f"assessment{out_suffix}"
    job = jobs.start(job_id, "assess", output.name, _assess_work(state, source, output, engine, date_column, explain))
    return JSONResponse(job.to_json_dict(), status_code=202, headers={"Location": f"/api/v1/jobs/{job.id}"})


@router.post("/refunds", status_code=202, dependencies=[WriteKey], summary="Refunds on a file of entries (a job)")
async def refunds(
    state: State,
    jobs: Jobs,
    file: Upload,
    as_known_on: Annotated[str | None, Form(description="Owed as known on this day (default today).")] = None,
    output_format: OutputFormat = "csv",
) -> JSONResponse:
    """Starts `tradelex refunds` on the upload: paid at entry against owed as known on a day, per entry and layer."""
    known_on = parse_iso_date(as_known_on, "as_known_on") if as_known_on else date.today()
    suffix, out_suffix = _suffix(file.filename, "file"), _output_suffix(output_format)
    job_id, folder = jobs.new_folder()
    source = await _save(file, folder, suffix)
    output = folder / f"refunds{out_suffix}"
    job = jobs.start(job_id, "refunds", output.name, _refunds_work(state, source, output, known_on))
    return JSONResponse(job.to_json_dict(), status_code=202, headers={"Location": f"/api/v1/jobs/{job.id}"})


@router.get("/jobs/{job_id}", summary="A job's state and progress; its summary once done")
def job_status(jobs: Jobs, job_id: str) -> dict[str, Any]:
    job = jobs.get(job_id)
    if job is None:
        raise not_found("job", f"no job {job_id!r} (finished jobs are kept for a while, then deleted)")
    return job.to_json_dict()


@router.get("/jobs/{job_id}/result", summary="Download a finished job's result file")
def job_result(jobs: Jobs, job_id: str) -> FileResponse:
    job = jobs.get(job_id)
    if job is None:
        raise not_found("job", f"no job {job_id!r}")
    path = jobs.result_path(job)
    if path is None:
        raise ApiError(409, "NotReady", f"job {job_id} is {job.status.value}, not done", "job")
    assert job.status is JobStatus.DONE
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix.lstrip(".")], filename=path.name)
