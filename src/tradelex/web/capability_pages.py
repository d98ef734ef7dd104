"""Pages of the capabilities beside tariffs: export controls and screening, licence applications, deals.

Like the tariff pages they call the API's own functions; the licence form posts to the server, which checks the
API key given in the form (the same key the JSON API needs) and answers with a redirect to the list (post, then
redirect, so that reloading does not submit twice).
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tradelex.api.deps import Settings, State
from tradelex.api.errors import STATUS_BY_ERROR, ApiError
from tradelex.api.routes.deals import bundled_deal
from tradelex.api.routes.licences import registry_of
from tradelex.controls import check_controls, screen_parties
from tradelex.controls.licensing import ApplicationIn, DecisionIn
from tradelex.dates import parse_iso_date
from tradelex.deals import assess_compliance, check_deal, diff_readings, list_deals
from tradelex.errors import InputError, TradelexError
from tradelex.web import charts
from tradelex.web.pages import add_nav, figure_json, problem, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Query(max_length=200)]
APPLICATION_FIELDS = ("regime", "exporter", "item", "quantity", "unit", "value", "currency", "destination",
                      "end_user", "end_use", "submitted_on")  # fmt: skip


@router.get("/controls")
def controls_page(
    request: Request,
    state: State,
    item: Text = "",
    origin: Annotated[str, Query(alias="from", max_length=80)] = "CN",
    destination: Annotated[str, Query(alias="to", max_length=80)] = "US",
    date_: Annotated[str, Query(alias="date", max_length=40)] = "",
    end_user: Text = "",
    name: Text = "",
    screen_date: Text = "",
) -> HTMLResponse:
    form = {"item": item, "from": origin, "to": destination, "date": date_ or date.today().isoformat(),
            "end_user": end_user, "name": name, "screen_date": screen_date}  # fmt: skip
    check = screening = error = None
    try:
        if item:
            check = check_controls(state.pack, item, origin, destination, form["date"], end_user or None).to_json_dict()
        if name:
            screening = screen_parties(name, screen_date or None).to_json_dict()
    except TradelexError as failure:
        error = problem(failure)
    return render(request, "controls.html", 422 if error else 200, form=form, check=check, screening=screening,
                  error=error)  # fmt: skip


def _licences_context(request: Request, settings: Any, start: str, end: str) -> dict[str, Any]:
    registry = registry_of(request, settings)
    first = parse_iso_date(start, "start")
    last = parse_iso_date(end, "end") if end else date.today()
    months = [m.to_json_dict() for m in registry.indicators("cn.mofcom", first, last)]
    return {
        "applications": [a.to_json_dict() for a in registry.list()],
        "months": months,
        "figure": figure_json(charts.licence_indicators(months)),
        "period": {"start": str(first), "end": str(last)},
    }


@router.get("/licences")
def licences_page(
    request: Request,
    settings: Settings,
    start: Annotated[str, Query(max_length=40)] = "2025-01-01",
    end: Annotated[str, Query(max_length=40)] = "",
    submitted: Annotated[int | None, Query()] = None,
    decided: Annotated[int | None, Query()] = None,
) -> HTMLResponse:
    form = {"regime": "cn.mofcom", "currency": "USD", "destination": "US", "submitted_on": date.today().isoformat()}
    try:
        context = _licences_context(request, settings, start, end)
    except TradelexError as failure:
        context = _licences_context(request, settings, "2025-01-01", "")
        return render(request, "licences.html", 422, form=form, error=problem(failure), submitted=None, decided=None,
                      **context)  # fmt: skip
    return render(request, "licences.html", form=form, error=None, submitted=submitted, decided=decided, **context)


@router.post("/licences")
async def submit_licence(request: Request, settings: Settings, api_key: Annotated[str, Form()] = "") -> Response:
    received = await request.form()
    form = {field: str(received.get(field, "")).strip() for field in APPLICATION_FIELDS}
    try:
        if settings.api_key is None or not secrets.compare_digest(api_key.encode(), settings.api_key.encode()):
            raise ApiError(401, "Unauthorized", "the API key is not this server's key", "api_key")
        created = registry_of(request, settings).submit(ApplicationIn.from_mapping(form))
    except (TradelexError, ApiError) as failure:
        error = failure.document["error"] if isinstance(failure, ApiError) else problem(failure)
        status = failure.status if isinstance(failure, ApiError) else 422
        context = _licences_context(request, settings, "2025-01-01", "")
        return render(request, "licences.html", status, form=form, error=error, submitted=None, **context)
    return RedirectResponse(f"/licences?submitted={created.id}#applications", status_code=303)


@router.post("/licences/decisions")
async def decide_licence(
    request: Request,
    settings: Settings,
    application: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    decided_on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    api_key: Annotated[str, Form()] = "",
) -> Response:
    try:
        _check_key(settings, api_key)
        if not application.isdigit():
            raise InputError("application", "choose an application")
        decision = DecisionIn.from_mapping({"outcome": outcome, "decided_on": decided_on, "note": note or None})
        registry_of(request, settings).decide(int(application), decision)
    except (TradelexError, ApiError) as failure:
        return _licences_failure(request, settings, failure, {})
    return RedirectResponse(f"/licences?decided={application}#applications", status_code=303)


def _check_key(settings: Any, api_key: str) -> None:
    if settings.api_key is None or not secrets.compare_digest(api_key.encode(), settings.api_key.encode()):
        raise ApiError(401, "Unauthorized", "the API key is not this server's key", "api_key")


def _licences_failure(
    request: Request, settings: Any, failure: TradelexError | ApiError, form: dict[str, str]
) -> HTMLResponse:
    error = failure.document["error"] if isinstance(failure, ApiError) else problem(failure)
    status = failure.status if isinstance(failure, ApiError) else STATUS_BY_ERROR.get(type(failure), 422)
    context = _licences_context(request, settings, "2025-01-01", "")
    return render(request, "licences.html", status, form=form, error=error, submitted=None, decided=None, **context)


@router.get("/deals")
def deals_page(request: Request) -> HTMLResponse:
    return render(request, "deals.html", deals=[d.to_json_dict() for d in list_deals()])


@router.get("/deals/{name}")
def deal_page(
    request: Request, state: State, name: str, as_of: Annotated[str, Query(max_length=40)] = ""
) -> HTMLResponse:
    deal = bundled_deal(name)
    error = None
    day = date.today()
    try:
        day = parse_iso_date(as_of, "as_of") if as_of else day
    except TradelexError as failure:
        error = problem(failure)
    compliance = assess_compliance(deal, state.pack, day).to_json_dict()
    return render(
        request, "deal.html", 422 if error else 200, deal=deal.model_dump(mode="json", by_alias=True, exclude={"file"}),
        compliance=compliance, diff=diff_readings(deal).to_json_dict(), check=check_deal(deal).to_json_dict(),
        as_of=str(day), error=error,
    )  # fmt: skip


def install(app: Any) -> None:
    app.include_router(router)
    for url, label in (("/controls", "Export controls"), ("/licences", "Licences"), ("/deals", "Deals")):
        add_nav(url, label)
