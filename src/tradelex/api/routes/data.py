"""What official data the server has loaded: `tradelex data status --json`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tradelex.cli.data import GAPS
from tradelex.data import store
from tradelex.data.status import dataset_status

router = APIRouter(tags=["data"])


@router.get("/data/status", summary="Datasets loaded, from where, how old (tradelex data status --json)")
def data_status() -> dict[str, Any]:
    return {"store": str(store.store_path()), "datasets": dataset_status(), "gaps": GAPS}
