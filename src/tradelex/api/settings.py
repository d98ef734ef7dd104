"""The server's configuration: read once from the environment, or given to `create_app` by a test."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from tradelex.errors import InputError

API_KEY_ENV = "TRADELEX_API_KEY"
MAX_UPLOAD_ENV = "TRADELEX_MAX_UPLOAD_BYTES"
WORK_DIR_ENV = "TRADELEX_WORK_DIR"
PACK_ENV = "TRADELEX_PACK"
WARM_ENV = "TRADELEX_WARM_AVERAGES"
DEFAULT_MAX_UPLOAD = 50 * 1024 * 1024


class ApiSettings(BaseModel):
    """What the server needs to know; nothing here comes from a client."""

    model_config = ConfigDict(frozen=True)

    api_key: str | None = None  # writes are refused when no key is configured
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    work_dir: Path | None = None  # uploads and results; a fresh temporary folder when None
    pack: Path | None = None  # the rule pack; the bundled one when None
    licence_db: str | None = None  # SQLAlchemy URL of the licence registry; else $TRADELEX_DATABASE_URL or SQLite
    warm_averages: bool = False  # compute the dashboard's average series in the background at start-up
    max_jobs: int = 20  # finished jobs kept (with their files) before the oldest is deleted

    @classmethod
    def from_env(cls) -> ApiSettings:
        limit = os.environ.get(MAX_UPLOAD_ENV)
        if limit is not None and not limit.isdigit():
            raise InputError(MAX_UPLOAD_ENV, f"expected a number of bytes, got {limit!r}")
        work_dir, pack = os.environ.get(WORK_DIR_ENV), os.environ.get(PACK_ENV)
        return cls(
            api_key=os.environ.get(API_KEY_ENV) or None,
            max_upload_bytes=int(limit) if limit else DEFAULT_MAX_UPLOAD,
            work_dir=Path(work_dir) if work_dir else None,
            pack=Path(pack) if pack else None,
            warm_averages=os.environ.get(WARM_ENV, "1") == "1",
        )

    def resolved_work_dir(self) -> Path:
        if self.work_dir is not None:
            self.work_dir.mkdir(parents=True, exist_ok=True)
            return self.work_dir
        return Path(tempfile.mkdtemp(prefix="tradelex-api-"))
