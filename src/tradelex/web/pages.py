"""The dashboard's pages: the duty calculator and the product history, rendered on the server.

Each page calls the same functions as the API (the cached rate answer, the history), so a page and its JSON twin
cannot disagree; the form works without JavaScript, which only adds code suggestions and the charts.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from tradelex.api.deps import State
from tradelex.api.routes.rates import RateQuery, history_answer, rate_answer
from tradelex.errors import InputError, TradelexError
from tradelex.web import charts
from tradelex.web.assets import PLOTLY_URL, install_assets

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["plotly_url"] = PLOTLY_URL
router = APIRouter(include_in_schema=False)
Text = Annotated[str, Query(max_length=100)]

NAV: list[tuple[str, str]] = [("/calculator", "Duty calculator"), ("/history", "History")]


def add_nav(url: str, label: str) -> None:
    if (url, label) not in NAV:
        NAV.append((url, label))


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context |= {"nav": NAV, "path": request.url.path}
    return templates.TemplateResponse(request, template, context, status_code=status)


def problem(error: TradelexError) -> dict[str, str | None]:
    """A form error: the field it names (to mark that input) and the message."""
    field = error.field if isinstance(error, InputError) else None
    message = error.message if isinstance(error, InputError) else str(error)
    return {"field": field, "message": message}


def figure_json(figure: dict[str, Any] | None) -> str | None:
    # "</" would end the <script> element that carries the JSON
    return None if figure is None else json.dumps(figure).replace("</", "<\\/")


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/calculator", status_code=307)


@router.get("/calculator")
def calculator(
    request: Request,
    state: State,
    code: Text = "",
    origin: Text = "CN",
    importer: Text = "US",
    date_: Annotated[str, Query(alias="date", max_length=40)] = "",
    value: Text = "",
    as_known_on: Text = "",
) -> HTMLResponse:
    form = {"code": code, "origin": origin, "importer": importer, "date": date_ or date.today().isoformat(),
            "value": value, "as_known_on": as_known_on}  # fmt: skip
    if not code:
        return render(request, "calculator.html", form=form, result=None, error=None, figure=None)
    query = RateQuery(code=code, origin=origin, importer=importer, date=form["date"], value=value or None,
                      as_known_on=as_known_on or None)  # fmt: skip
    try:
        result = json.loads(rate_answer(state, query))
    except TradelexError as error:
        return render(request, "calculator.html", 422, form=form, result=None, error=problem(error), figure=None)
    figure = figure_json(charts.duty_stack(result))
    return render(request, "calculator.html", form=form, result=result, error=None, figure=figure)


@router.get("/history")
def history_page(
    request: Request,
    state: State,
    code: Text = "",
    origin: Text = "CN",
    importer: Text = "US",
    start: Annotated[str, Query(alias="from", max_length=40)] = "2018-01-01",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
    as_known_on: Text = "",
) -> HTMLResponse:
    form = {"code": code, "origin": origin, "importer": importer, "from": start, "to": end,
            "as_known_on": as_known_on}  # fmt: skip
    if not code:
        return render(request, "history.html", form=form, result=None, error=None, figure=None)
    try:
        result = history_answer(state, code, origin, importer, start, end or None, as_known_on or None)
    except TradelexError as error:
        return render(request, "history.html", 422, form=form, result=None, error=problem(error), figure=None)
    figure = figure_json(charts.history_steps(result))
    return render(request, "history.html", form=form, result=result, error=None, figure=figure)


@router.get("/docs")
def api_docs(request: Request) -> HTMLResponse:
    """The OpenAPI description rendered as a page: every operation, its parameters, body and answers. (Swagger UI
    would fetch its scripts from a CDN, and nothing here may need the network.)"""
    spec = request.app.openapi()
    operations = [
        {"path": path, "method": method.upper(), **operation}
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]
    return render(request, "api_docs.html", spec=spec, operations=operations)


def install_pages(app: FastAPI) -> None:
    install_assets(app)
    app.include_router(router)
    from tradelex.web import optional

    optional.install(app)
