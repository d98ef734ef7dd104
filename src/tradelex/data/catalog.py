"""Where a dataset is read from: the user's store when it was imported there, else the build shipped in the package."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tradelex.data import store

MANIFEST = "manifest.json"


def bundle_dir() -> Path:
    return Path(str(files("tradelex") / "data" / "bundled"))


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
