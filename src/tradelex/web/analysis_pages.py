"""Analysis pages: the average tariff of each side on the other's goods, and scenarios against the pack.

Both call the API's cached functions: a first visit computes (seconds, more on a busy machine), later visits read
the cache. `tradelex serve` computes the default averages in the background at start-up.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse

from tradelex.analysis import ScenarioResult, average_figure
from tradelex.api.deps import Jobs, State
from tradelex.api.routes.analysis import (
    cached_average,
    scenario_by_name,
    scenario_document,
    scenario_names,
    scenario_result,
    uploads,
)
from tradelex.errors import TradelexError
from tradelex.web.pages import add_nav, problem, render

router = APIRouter(include_in_schema=False)
log = logging.getLogger("tradelex.web")
DIRECTIONS = (("US", "CN"), ("CN", "US"))
DEFAULT_RANGE = ("2018-01-01", "2026-06-08")


def plotly_json(figure: Any) -> str:
    text: str = figure.to_json()
    return text.replace("</", "<\\/")  # "</" would end the <script> element that carries the JSON


@router.get("/averages")
def averages_page(
    request: Request,
    state: State,
    start: Annotated[str, Query(alias="from", max_length=40)] = DEFAULT_RANGE[0],
    end: Annotated[str, Query(alias="to", max_length=40)] = DEFAULT_RANGE[1],
    products: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    form = {"from": start, "to": end, "products": products}
    try:
        series = [cached_average(state, importer, exporter, start, end, products=products or None)
                  for importer, exporter in DIRECTIONS]  # fmt: skip
    except TradelexError as error:
        return render(request, "averages.html", 422, form=form, error=problem(error), series=[], figure=None)
    documents = [one.to_json_dict() for one in series]
    return render(request, "averages.html", form=form, error=None, series=documents,
                  figure=plotly_json(average_figure(series)))  # fmt: skip


@router.get("/scenarios")
def scenarios_page(request: Request, jobs: Jobs) -> HTMLResponse:
    folder = uploads(jobs)
    listed = [scenario_document(name, scenario_by_name(folder, name)) for name in scenario_names(folder)]
    return render(request, "scenarios.html", scenarios=listed, result=None, figure=None, error=None, chosen=None)


@router.get("/scenarios/{name}")
def scenario_page(
    request: Request,
    state: State,
    jobs: Jobs,
    name: str,
    start: Annotated[str, Query(alias="from", max_length=40)] = "2025-01-01",
    end: Annotated[str, Query(alias="to", max_length=40)] = "2026-12-31",
) -> HTMLResponse:
    folder = uploads(jobs)
    listed = [scenario_document(known, scenario_by_name(folder, known)) for known in scenario_names(folder)]
    chosen = scenario_document(name, scenario_by_name(folder, name))
    try:
        result = scenario_result(state, jobs, (name,), "US", "CN", start, end)
    except TradelexError as error:
        return render(request, "scenarios.html", 422, scenarios=listed, result=None, figure=None,
                      error=problem(error), chosen=chosen)  # fmt: skip
    assert isinstance(result, ScenarioResult)
    figure = plotly_json(average_figure([result.base, result.changed]))
    return render(request, "scenarios.html", scenarios=listed, result=result.to_json_dict(), figure=figure,
                  error=None, chosen=chosen)  # fmt: skip


def install(app: FastAPI) -> None:
    app.include_router(router)
    if app.state.settings.warm_averages:
        state = app.state.pack_state

        def warm() -> None:
            try:
                for importer, exporter in DIRECTIONS:
                    cached_average(state, importer, exporter, *DEFAULT_RANGE)
            except TradelexError as error:  # the page will show the error when asked; nothing else to do here
                log.warning("averages not computed in advance: %s", error)

        app.state.warmers.append(warm)
    for url, label in (("/averages", "Averages"), ("/scenarios", "Scenarios")):
        add_nav(url, label)
