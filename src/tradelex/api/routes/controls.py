"""Export controls: `tradelex controls check`, `controls items` and `screen`, as JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tradelex.api.deps import State
from tradelex.controls import check_controls, controlled_items, screen_parties

router = APIRouter(tags=["export controls"])

Text = Annotated[str, Query(max_length=200)]


@router.get("/controls/check", summary="What an export needs, by item, route and date (controls check --json)")
def controls_check(
    state: State,
    item: Annotated[str, Query(description="HS code (2846.90) or control-list number (3A090, 1C905).", max_length=40)],
    origin: Annotated[str, Query(alias="from", description="Exporting country (ISO code or name).", max_length=80)],
    destination: Annotated[str, Query(alias="to", description="Destination country.", max_length=80)],
    date_: Annotated[str, Query(alias="date", description="Export date, YYYY-MM-DD.", max_length=40)],
    end_user: Annotated[
        str | None, Query(description="End user's name, screened against the lists.", max_length=200)
    ] = None,
    claim: Annotated[list[str], Query(description="A condition a measure asks (is-informed, listed-affiliate).")] = [],  # noqa: B006 — FastAPI copies defaults per request
) -> dict[str, Any]:
    report = check_controls(state.pack, item, origin, destination, date_, end_user or None, claims=claim)
    return report.to_json_dict()


@router.get("/controls/items", summary="Control-list numbers with their HS concordance (controls items --json)")
def controls_items(state: State) -> dict[str, Any]:
    return {"items": [item.model_dump(mode="json") for item in controlled_items(state.pack)]}


@router.get("/screen", summary="Screen a party's name against the lists, with reasons (screen --json)")
def screen(
    name: Annotated[
        str, Query(description="The party's name, in any spelling or in Chinese characters.", max_length=200)
    ],
    date_: Annotated[
        str | None, Query(alias="date", description="Screen as the lists stood on this day.", max_length=40)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    return screen_parties(name, date_ or None, limit).to_json_dict()
