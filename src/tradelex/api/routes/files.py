"""Uploads: `assess` and `refunds` on a file of entry lines, as background jobs with progress and a result to download.

The upload is streamed to the job's folder under a name the server chooses (only the extension of the client's
file name is read, to know its format); the request is refused with 413 past the configured size. The work is the
CLI's: the same readers, the same batch assessment, the same writer (written beside the target, moved into place
when complete), and the same --json summary, with the download address instead of an output path.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from tradelex.api.deps import Jobs, State, WriteKey
from tradelex.api.errors import ApiError, not_found
from tradelex.api.jobs import JobStatus, Progress, Work
from tradelex.api.state import PackState
from tradelex.dates import parse_iso_date
from tradelex.engine.entry_files import FORMATS, assess_file, refund_file
from tradelex.engine.mfn import INSTALLED_MFN
from tradelex.errors import InputError

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
        # The CLI's own path: the columnar one where it can (DuckDB, no --explain, CSV or Parquet), else row by row.
        compiled = state.compiled() if engine != "reference" else None
        summary = assess_file(source, output, state.pack, compiled, engine=engine, mfn=INSTALLED_MFN,
                              date_column=date_column, explain=explain, progress=progress)  # fmt: skip
        return summary.to_json_dict()

    return work


def _refunds_work(state: PackState, source: Path, output: Path, known_on: date) -> Work:
    def work(_: Path, progress: Progress) -> dict[str, Any]:
        # Paid: what customs collected at entry, a struck-down duty included until collection stopped.
        at_entry, now = state.compiled(as_collected=True), state.compiled(known_on)
        totals = refund_file(source, output, state.pack, at_entry, now, mfn=INSTALLED_MFN, progress=progress)
        return {"as_known_on": str(known_on), **totals.to_json_dict()}

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
