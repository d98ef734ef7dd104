"""Background jobs for uploaded files: assess and refunds run one at a time, with progress, and keep their result.

Each job has its own folder under the server's work folder: the upload (named by the server, never by the client)
and the result. Jobs run in one worker thread, because the engines use both cores on their own; the oldest
finished jobs are deleted, with their files, once more than `max_jobs` are kept.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tradelex.cli.common import error_document
from tradelex.errors import TradelexError


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(BaseModel):
    id: str
    kind: str
    status: JobStatus = JobStatus.QUEUED
    created: datetime
    rows_done: int = 0
    rows_total: int | None = None
    summary: dict[str, Any] | None = None  # the CLI's --json summary, once done
    error: dict[str, Any] | None = None  # the error envelope, when failed
    result_name: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        document = self.model_dump(mode="json", exclude={"result_name"})
        document["result"] = f"/api/v1/jobs/{self.id}/result" if self.status is JobStatus.DONE else None
        return document


class Progress:
    """What a running job reports: rows done out of rows known."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def total(self, rows: int | None) -> None:
        self.job.rows_total = rows

    def advance(self, rows: int) -> None:
        self.job.rows_done += rows

    def restart(self) -> None:
        self.job.rows_done = 0


Work = Callable[[Path, Progress], dict[str, Any]]


class JobStore:
    def __init__(self, root: Path, max_jobs: int) -> None:
        self.root = root
        self.max_jobs = max_jobs
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradelex-job")

    def new_folder(self) -> tuple[str, Path]:
        job_id = uuid.uuid4().hex
        folder = self.root / job_id
        folder.mkdir(parents=True)
        return job_id, folder

    def start(self, job_id: str, kind: str, result_name: str, work: Work) -> Job:
        job = Job(id=job_id, kind=kind, created=datetime.now(UTC), result_name=result_name)
        with self._lock:
            self._jobs[job_id] = job
        self._forget_old()
        self._worker.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def result_path(self, job: Job) -> Path | None:
        if job.status is not JobStatus.DONE or job.result_name is None:
            return None
        return self.root / job.id / job.result_name

    def _run(self, job: Job, work: Work) -> None:
        job.status = JobStatus.RUNNING
        try:
            job.summary = work(self.root / job.id, Progress(job))
            job.status = JobStatus.DONE
        except TradelexError as error:
            job.error = error_document(error)
            job.status = JobStatus.FAILED
        except Exception as error:  # a job must end in a state the client can read, whatever happened
            job.error = {"error": {"type": type(error).__name__, "message": str(error)}}
            job.status = JobStatus.FAILED

    def _forget_old(self) -> None:
        with self._lock:
            finished = [j for j in self._jobs.values() if j.status in (JobStatus.DONE, JobStatus.FAILED)]
            excess = len(self._jobs) - self.max_jobs
            old = sorted(finished, key=lambda j: j.created)[: max(excess, 0)]
            for job in old:
                del self._jobs[job.id]
        for job in old:
            shutil.rmtree(self.root / job.id, ignore_errors=True)

    def shutdown(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
