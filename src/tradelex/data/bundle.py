"""The compact build shipped in the package: Parquet files made by our importers from ../shared/data.

`tradelex data build-bundle SHARED_DATA` rebuilds it; `manifest.json` records each file's source, checksum,
revision, authority and whether it is official, so that a fresh install answers offline with provenance.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tradelex.data.catalog import MANIFEST, bundle_dir
from tradelex.data.datasets import Dataset
from tradelex.data.importers import sha256_of
from tradelex.data.registry import all_datasets, importer_for


def build_bundle(shared_data: Path, target: Path | None = None) -> list[dict[str, Any]]:
    """Import every known dataset from the shared snapshots and write the compact Parquet build."""
    target = target or bundle_dir()
    target.mkdir(parents=True, exist_ok=True)
    entries = []
    for dataset in all_datasets():
        source = shared_data / dataset.path
        table = importer_for(dataset.name)(source)
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
