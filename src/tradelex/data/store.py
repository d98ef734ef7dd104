"""The user's data store: one DuckDB file in the user's data directory, replaced atomically.

Every write builds a complete new file beside the old one and swaps it in with os.replace, which is atomic on the
same file system: a failed or killed import leaves the previous store intact and usable. The `imports` table
records what was imported, from which file, its checksum and revision.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import platformdirs
import pyarrow as pa

from tradelex.data.datasets import Dataset

DATA_DIR_ENV = "TRADELEX_DATA_DIR"
STORE_FILE = "store.duckdb"

_IMPORTS_TABLE = """
CREATE TABLE IF NOT EXISTS imports (
    dataset VARCHAR PRIMARY KEY, file VARCHAR, sha256 VARCHAR, revision VARCHAR, authority VARCHAR,
    official BOOLEAN, rows BIGINT, imported_at TIMESTAMP
)"""


def data_dir() -> Path:
    configured = os.environ.get(DATA_DIR_ENV)
    return Path(configured) if configured else Path(platformdirs.user_data_dir("tradelex"))


def store_path() -> Path:
    return data_dir() / STORE_FILE


def replace_dataset(dataset: Dataset, table: pa.Table, source_file: str, sha256: str) -> Path:
    """Write `table` as the dataset's table in a new copy of the store, then swap the copy in."""
    target = store_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f"{STORE_FILE}.{os.getpid()}.staging")
    staging.unlink(missing_ok=True)
    if target.exists():
        shutil.copyfile(target, staging)
    try:
        with duckdb.connect(str(staging)) as connection:
            connection.execute(_IMPORTS_TABLE)
            connection.register("incoming", table)
            connection.execute(f'CREATE OR REPLACE TABLE "{dataset.name}" AS SELECT * FROM incoming')
            connection.execute(
                "INSERT OR REPLACE INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [dataset.name, source_file, sha256, dataset.revision, dataset.authority, dataset.official,
                 table.num_rows, datetime.now(UTC).replace(tzinfo=None)],
            )  # fmt: skip
            connection.execute("CHECKPOINT")
        _fsync(staging)
        staging.replace(target)  # atomic: os.replace on one file system
    finally:
        staging.unlink(missing_ok=True)
    return target


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def stored_imports() -> dict[str, dict[str, object]]:
    """What the user's store holds, by dataset; empty when there is no store."""
    path = store_path()
    if not path.exists():
        return {}
    with duckdb.connect(str(path), read_only=True) as connection:
        result = connection.execute("SELECT * FROM imports ORDER BY dataset")
        names = [column[0] for column in result.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in result.fetchall()}


def read_stored(name: str) -> pa.Table | None:
    path = store_path()
    if not path.exists() or name not in stored_imports():
        return None
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.sql(f'SELECT * FROM "{name}"').to_arrow_table()
