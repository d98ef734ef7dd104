"""Rates, history, measures and code search: the answers of `tradelex rate|history|measures --json`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from tradelex.api.codes import search_codes
from tradelex.api.deps import State
from tradelex.api.errors import not_found
from tradelex.api.state import PackState, json_bytes
from tradelex.dates import parse_iso_date
from tradelex.engine.history import history
from tradelex.engine.line import Line, parse_content
from tradelex.engine.mfn import INSTALLED_MFN
from tradelex.engine.reference import evaluate_line

router = APIRouter(tags=["rates"])

Code = Annotated[str, Query(description="Product code, with or without dots: 6109.10.0012", max_length=40)]
Country = Annotated[str, Query(description="ISO 3166 code or name of a country.", max_length=80)]
Day = Annotated[str, Query(description="A date, YYYY-MM-DD.", max_length=40)]
OptionalDay = Annotated[str | None, Query(description="A date, YYYY-MM-DD.", max_length=40)]
Amount = Annotated[str | None, Query(description="A non-negative decimal.", max_length=40)]

RATE_EXAMPLE = {"code": "6109.10.0012", "origin": "CN", "date": "2025-04-15", "value": "10000"}


@dataclass(frozen=True)
class RateQuery:
    """A rate query as the client wrote it: every field a string, parsed by Line.parse for errors naming the field."""

    code: str
    origin: str
    date: str
    importer: str = "US"
    value: str | None = None
    loaded: str | None = None
    quantity: str | None = None
    unit: str | None = None
    content: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    as_known_on: str | None = None


def rate_answer(state: PackState, query: RateQuery) -> bytes:
    """The JSON of the assessment, from the cache when this query was answered today."""

    def compute() -> bytes:
        line = Line.parse(
            code=query.code, origin=query.origin, importer=query.importer, date=query.date,
            loaded=query.loaded or None, value=query.value or None, quantity=query.quantity or None,
            unit=query.unit or None, content=parse_content(query.content), claims=query.claims,
        )  # fmt: skip
        known_on = _optional_date(query.as_known_on, "as_known_on")
        assessment = evaluate_line(state.pack, line, as_known_on=known_on, mfn=INSTALLED_MFN)
        return json_bytes(assessment.to_json_dict())

    return state.rates.get_or_compute((query, date.today()), compute)


def history_answer(
    state: PackState, code: str, origin: str, importer: str, start: str, end: str | None, as_known_on: str | None
) -> dict[str, Any]:
    first = parse_iso_date(start, "from")
    last = parse_iso_date(end, "to") if end else date.today()
    line = Line.parse(code=code, origin=origin, importer=importer, date=first)
    known_on = _optional_date(as_known_on, "as_known_on")
    return history(state.pack, line, first, last, known_on, mfn=INSTALLED_MFN).to_json_dict()


def _optional_date(text: str | None, field: str) -> date | None:
    return None if text is None or text == "" else parse_iso_date(text, field)


@router.get("/rate", summary="Every duty layer on a line, with sources (tradelex rate --json)")
async def rate(
    state: State,
    code: Code,
    origin: Country,
    date_: Annotated[str, Query(alias="date", description="Entry date, YYYY-MM-DD.", max_length=40)],
    importer: Country = "US",
    value: Amount = None,
    loaded: OptionalDay = None,
    quantity: Amount = None,
    unit: Annotated[str | None, Query(description="Unit of the quantity: kg, doz, item …", max_length=20)] = None,
    content: Annotated[list[str], Query(description="A content value, NAME=AMOUNT (copper=3000).")] = [],  # noqa: B006 — FastAPI copies defaults per request
    claim: Annotated[list[str], Query(description="What the goods are, where a measure asks (automobile-part).")] = [],  # noqa: B006
    as_known_on: OptionalDay = None,
) -> Response:
    """The JSON of `tradelex rate --json`: layers, excluded measures, totals, warnings, schedule line.

    Answers are computed once per query and day, then served from memory.
    """
    query = RateQuery(code=code, origin=origin, date=date_, importer=importer, value=value, loaded=loaded,
                      quantity=quantity, unit=unit, content=tuple(content), claims=tuple(claim),
                      as_known_on=as_known_on)  # fmt: skip
    return Response(rate_answer(state, query), media_type="application/json")


@router.get("/history", summary="Every date on which the total changes (tradelex history --json)")
def history_route(
    state: State,
    code: Code,
    origin: Country,
    importer: Country = "US",
    start: Annotated[str, Query(alias="from", description="First date, YYYY-MM-DD.", max_length=40)] = "2018-01-01",
    end: Annotated[str | None, Query(alias="to", description="Last date (default: today).", max_length=40)] = None,
    as_known_on: OptionalDay = None,
) -> dict[str, Any]:
    return history_answer(state, code, origin, importer, start, end, as_known_on)


@router.get("/measures", summary="The pack's measures (tradelex measures list --json)")
def measures_list(state: State) -> dict[str, Any]:
    pack = state.pack
    return {
        "pack": pack.meta.model_dump(mode="json"),
        "measures": [
            {"id": m.id, "title": m.title, "imposed_by": m.imposed_by, "direction": m.direction.value,
             "partners": m.partners, "kind": m.kind.value, "authority": m.authority}
            for m in pack.measures.values()
        ],
    }  # fmt: skip


@router.get("/measures/{measure_id}", summary="One measure in full (tradelex measures show)")
def measure_show(state: State, measure_id: str) -> dict[str, Any]:
    measures = state.pack.measures
    if measure_id not in measures:
        near = [m for m in measures if measure_id.split(".")[0] and m.startswith(measure_id.split(".")[0])][:5]
        examples = ", ".join(near or list(measures)[:5])
        raise not_found("measure", f"no measure {measure_id!r} in the pack; e.g. {examples}")
    document: dict[str, Any] = measures[measure_id].model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return document


@router.get("/codes", summary="Search product codes by digits or by words of their description")
def codes(
    q: Annotated[str, Query(description="Digits (6109, 6109.10) or words (cotton t-shirts).", max_length=100)],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> JSONResponse:
    return JSONResponse(search_codes(q, limit).to_json_dict())
