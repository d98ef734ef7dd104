"""The compact build shipped in the package: Parquet files made by our importers from ../shared/data.

`tradelex data build-bundle SHARED_DATA` rebuilds it; `manifest.json` records each file's source, checksum,
revision, authority and whether it is official, so that a fresh install answers offline with provenance.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tradelex.data import store
from tradelex.data.datasets import DATASETS, Dataset
from tradelex.data.importers import IMPORTERS, sha256_of

MANIFEST = "manifest.json"


def bundle_dir() -> Path:
    return Path(str(files("tradelex") / "data" / "bundled"))


def build_bundle(shared_data: Path, target: Path | None = None) -> list[dict[str, Any]]:
    """Import every known dataset from the shared snapshots and write the compact Parquet build."""
    target = target or bundle_dir()
    target.mkdir(parents=True, exist_ok=True)
    entries = []
    for dataset in DATASETS:
        source = shared_data / dataset.path
        table = IMPORTERS[dataset.name](source, dataset)
        pq.write_table(table, target / f"{dataset.name}.parquet", compression="zstd", compression_level=19)
        entries.append(_entry(dataset, source, table))
    (target / MANIFEST).write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    return entries


def _entry(dataset: Dataset, source: Path, table: pa.Table) -> dict[str, Any]:
    return {
        "dataset": dataset.name, "file": f"shared/data/{dataset.path}", "sha256": sha256_of(source),
        "revision": dataset.revision, "authority": dataset.authority, "official": dataset.official,
        "rows": table.num_rows, "imported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
    }  # fmt: skip


@cache
def bundled_manifest() -> dict[str, dict[str, Any]]:
    path = bundle_dir() / MANIFEST
    if not path.exists():
        return {}
    return {entry["dataset"]: entry for entry in json.loads(path.read_text(encoding="utf-8"))}


def read_table(name: str) -> tuple[pa.Table, dict[str, Any]] | None:
    """A dataset's table and its provenance: from the user's store when imported there, else from the bundle."""
    stored = store.read_stored(name)
    if stored is not None:
        return stored, {**store.stored_imports()[name], "where": str(store.store_path())}
    path = bundle_dir() / f"{name}.parquet"
    if not path.exists():
        return None
    return pq.read_table(path), {**bundled_manifest().get(name, {}), "where": "bundled"}
