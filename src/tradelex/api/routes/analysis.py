"""Analysis: trade-weighted average tariffs in both directions, and scenarios (tradelex average / scenario --json).

An average or a scenario run takes seconds (tens of seconds for the whole range on a busy machine): each answer is
computed once per process and kept. Scenarios are the bundled ones, by name, or files uploaded with the API key,
stored under a name the server chooses; no route reads a path given by the client.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse

import tradelex.analysis
from tradelex.analysis import (
    AverageSeries,
    Scenario,
    ScenarioComparison,
    ScenarioResult,
    average_series,
    compare_scenarios,
    load_scenario,
    run_scenario,
)
from tradelex.api.deps import Jobs, State, WriteKey
from tradelex.api.errors import ApiError, not_found
from tradelex.api.jobs import JobStore
from tradelex.api.state import PackState
from tradelex.cli.common import error_document
from tradelex.dates import parse_iso_date
from tradelex.errors import InputError, PackError
from tradelex.nomenclature.countries import normalise_country

router = APIRouter(tags=["analysis"])
BUNDLED_SCENARIOS = Path(tradelex.analysis.__file__).parent / "scenarios"
UPLOADED = re.compile(r"upload-[0-9a-f]{12}")
MAX_SCENARIO_BYTES = 64 * 1024

Day = Annotated[str, Query(description="YYYY-MM-DD", max_length=40)]
Country = Annotated[str, Query(max_length=80)]


def cached_average(
    state: PackState, importer: str, exporter: str, start: str, end: str, weights_year: int = 2017,
    level: str = "hs6", products: str | None = None,
) -> AverageSeries:  # fmt: skip
    """The average series of one direction, computed once per process."""
    first, last = parse_iso_date(start, "from"), parse_iso_date(end, "to")
    who, whom = normalise_country(importer, "importer"), normalise_country(exporter, "exporter")
    key = ("average", who, whom, first, last, weights_year, level, products or None)

    def compute() -> AverageSeries:
        return average_series(state.pack, who, whom, first, last, weights_year, level, products or None)

    found = state.analyses.get_or_compute(key, compute)
    assert isinstance(found, AverageSeries)
    return found


@router.get("/average", summary="The trade-weighted average tariff at every date it changes (average --json)")
def average(
    state: State,
    importer: Country = "US",
    exporter: Country = "CN",
    start: Annotated[str, Query(alias="from", description="First date, YYYY-MM-DD.", max_length=40)] = "2018-01-01",
    end: Annotated[str, Query(alias="to", description="Last date, YYYY-MM-DD.", max_length=40)] = "2026-06-08",
    weights_year: Annotated[int, Query(ge=1990, le=2100)] = 2017,
    level: Annotated[str, Query(description="hs6, hs8 or hs10", max_length=10)] = "hs6",
    products: Annotated[str | None, Query(description="Code prefixes: 72,73", max_length=200)] = None,
) -> dict[str, Any]:
    return cached_average(state, importer, exporter, start, end, weights_year, level, products).to_json_dict()


def uploads(jobs: JobStore) -> Path:
    """Where uploaded scenarios are kept: beside the jobs, in the server's work folder."""
    folder = jobs.root / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def scenario_names(folder: Path) -> list[str]:
    bundled = sorted(path.stem for path in BUNDLED_SCENARIOS.glob("*.yaml"))
    return bundled + sorted(path.stem for path in folder.glob("upload-*.yaml"))


def scenario_by_name(folder: Path, name: str) -> Scenario:
    """A scenario by its name only: a bundled one's, or an upload's; never a path."""
    names = scenario_names(folder)
    if name not in names:
        raise not_found("scenario", f"no scenario {name!r}; scenarios: {', '.join(names)}")
    return load_scenario(folder / f"{name}.yaml" if UPLOADED.fullmatch(name) else BUNDLED_SCENARIOS / f"{name}.yaml")


def scenario_document(name: str, scenario: Scenario) -> dict[str, Any]:
    changes = [change.model_dump(mode="json", exclude_none=True) for change in scenario.changes]
    for change in changes:
        if "from_" in change:
            change["from"] = change.pop("from_")
    return {"name": name, "title": scenario.name, "description": scenario.description, "changes": changes}


@router.get("/scenarios", summary="The scenarios this server knows: bundled and uploaded")
def scenarios(jobs: Jobs) -> dict[str, Any]:
    folder = uploads(jobs)
    return {"scenarios": [scenario_document(name, scenario_by_name(folder, name)) for name in scenario_names(folder)]}


@router.post("/scenarios", status_code=201, dependencies=[WriteKey], summary="Upload a scenario file (YAML)")
async def upload_scenario(
    jobs: Jobs, file: Annotated[UploadFile, File(description="A scenario: name, description, changes.")]
) -> JSONResponse:
    content = await file.read(MAX_SCENARIO_BYTES + 1)
    if len(content) > MAX_SCENARIO_BYTES:
        raise InputError("file", f"a scenario file is at most {MAX_SCENARIO_BYTES} bytes")
    name = f"upload-{uuid.uuid4().hex[:12]}"
    target = uploads(jobs) / f"{name}.yaml"
    staging = target.with_suffix(".partial")
    staging.write_bytes(content)
    try:
        scenario = load_scenario(staging)
    except PackError as error:
        staging.unlink(missing_ok=True)
        problem = ApiError(422, "PackError", error.message, error.field or "file")
        problem.document = error_document(error)
        problem.document["error"]["file"] = "file"  # the server's own path is not the client's business
        raise problem from None
    staging.replace(target)  # only a scenario that loads is kept
    return JSONResponse(scenario_document(name, scenario), status_code=201,
                        headers={"Location": f"/api/v1/scenarios/{name}/run"})  # fmt: skip


def scenario_result(
    state: PackState, jobs: JobStore, names: tuple[str, ...], importer: str, exporter: str, start: str, end: str
) -> ScenarioResult | ScenarioComparison:
    """One scenario against the pack, or two against each other; computed once per process."""
    first, last = parse_iso_date(start, "from"), parse_iso_date(end, "to")
    who, whom = normalise_country(importer, "importer"), normalise_country(exporter, "exporter")
    loaded = [scenario_by_name(uploads(jobs), name) for name in names]

    def compute() -> ScenarioResult | ScenarioComparison:
        if len(loaded) == 1:
            return run_scenario(state.pack, loaded[0], who, whom, first, last)
        return compare_scenarios(state.pack, loaded[0], loaded[1], who, whom, first, last)

    found = state.analyses.get_or_compute(("scenario", names, who, whom, first, last), compute)
    assert isinstance(found, ScenarioResult | ScenarioComparison)
    return found


@router.get("/scenarios/compare", summary="Two scenarios side by side: revenue of B minus A (scenario compare)")
def compare(
    state: State, jobs: Jobs, a: Annotated[str, Query(max_length=80)], b: Annotated[str, Query(max_length=80)],
    importer: Country = "US", exporter: Country = "CN", start: Annotated[str, Query(alias="from", max_length=40)] =
    "2025-01-01", end: Annotated[str, Query(alias="to", max_length=40)] = "2026-12-31",
) -> dict[str, Any]:  # fmt: skip
    document = scenario_result(state, jobs, (a, b), importer, exporter, start, end).to_json_dict()
    return _without_server_paths(document)


@router.get("/scenarios/{name}/run", summary="A scenario against the pack: averages and revenue (scenario run)")
def run(
    state: State, jobs: Jobs, name: str, importer: Country = "US", exporter: Country = "CN",
    start: Annotated[str, Query(alias="from", max_length=40)] = "2025-01-01",
    end: Annotated[str, Query(alias="to", max_length=40)] = "2026-12-31",
) -> dict[str, Any]:  # fmt: skip
    return _without_server_paths(scenario_result(state, jobs, (name,), importer, exporter, start, end).to_json_dict())


def _without_server_paths(document: dict[str, Any]) -> dict[str, Any]:
    """A scenario's `path` names it by the name the client knows, not by where this server keeps the file."""
    for run in (document, document.get("a"), document.get("b")):
        if isinstance(run, dict) and isinstance(run.get("scenario"), dict) and "path" in run["scenario"]:
            run["scenario"]["path"] = Path(run["scenario"]["path"]).stem
    return document
