"""Deals: the bundled deals, their open points, each side's reading, compliance (tradelex deals … --json).

A deal is named, never given as a path: only the names `list_deals()` returns are read.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from tradelex.api.deps import State
from tradelex.api.errors import not_found
from tradelex.dates import parse_iso_date
from tradelex.deals import Deal, assess_compliance, check_deal, diff_readings, list_deals, load_deal

router = APIRouter(tags=["deals"])


def bundled_deal(name: str) -> Deal:
    names = [summary.name for summary in list_deals()]
    if name not in names:
        raise not_found("deal", f"no deal {name!r}; deals: {', '.join(names)}")
    return load_deal(name)


@router.get("/deals", summary="The bundled deals (deals list --json)")
def deals() -> dict[str, Any]:
    return {"deals": [summary.to_json_dict() for summary in list_deals()]}


@router.get("/deals/{name}", summary="One deal in full: clauses and each reading's commitments (deals show --json)")
def deal(name: str) -> dict[str, Any]:
    document: dict[str, Any] = bundled_deal(name).model_dump(mode="json", by_alias=True, exclude={"file"})
    return document


@router.get("/deals/{name}/check", summary="Open points per clause (deals check --json)")
def check(name: str) -> dict[str, object]:
    return check_deal(bundled_deal(name)).to_json_dict()


@router.get("/deals/{name}/diff", summary="Each side's reading, side by side (deals diff --json)")
def diff(name: str) -> dict[str, object]:
    return diff_readings(bundled_deal(name)).to_json_dict()


@router.get("/deals/{name}/compliance", summary="Each commitment kept, partly kept, broken or unknown")
def compliance(
    state: State,
    name: str,
    as_of: Annotated[
        str | None, Query(description="Judge as known on this day (default today).", max_length=40)
    ] = None,
) -> dict[str, object]:
    day = parse_iso_date(as_of, "as_of") if as_of else date.today()
    return assess_compliance(bundled_deal(name), state.pack, day).to_json_dict()
