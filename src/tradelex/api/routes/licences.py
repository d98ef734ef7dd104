"""Licence applications: submit, decide (both need the API key), read, review clock, monthly indicators.

The registry is opened once per process, on first use, at the server's configured database URL (else the
registry's own default: $TRADELEX_DATABASE_URL, else a SQLite file in the data directory).
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import JSONResponse

from tradelex.api.deps import Settings, WriteKey
from tradelex.api.errors import STATUS_BY_ERROR
from tradelex.api.settings import ApiSettings
from tradelex.controls.licensing import (
    ApplicationIn,
    DecisionConflictError,
    DecisionIn,
    LicenceRegistry,
    UnknownApplicationError,
    open_registry,
)
from tradelex.dates import parse_iso_date
from tradelex.errors import InputError

router = APIRouter(tags=["licence applications"])
STATUS_BY_ERROR[UnknownApplicationError] = 404
STATUS_BY_ERROR[DecisionConflictError] = 409
# Ids are SQL integers: a larger number cannot name an application (and overflows the database driver).
ApplicationId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The application's id.")]
_opening = threading.Lock()

APPLICATION_EXAMPLE = {
    "regime": "cn.mofcom", "exporter": "Example Magnets Co.", "item": "2846.90", "quantity": "500", "unit": "kg",
    "value": "125000.00", "currency": "USD", "destination": "US", "end_user": "Example Motors Inc.",
    "end_use": "permanent magnets for electric motors", "submitted_on": "2025-06-02",
}  # fmt: skip
DECISION_EXAMPLE = {"outcome": "approved", "decided_on": "2025-07-15", "note": None}


def registry_of(request: Request, settings: ApiSettings) -> LicenceRegistry:
    with _opening:
        registry: LicenceRegistry | None = getattr(request.app.state, "licences", None)
        if registry is None:
            registry = open_registry(settings.licence_db)
            request.app.state.licences = registry
        return registry


def _json_body(schema: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    # The body is read as a plain object and validated by the registry's own model, whose errors name the field;
    # the schema is still published so that /docs shows it.
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema, "example": example}}}}


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InputError("body", "expected a JSON object")
    return body


@router.post("/licences", status_code=201, dependencies=[WriteKey], summary="Submit a licence application",
             openapi_extra=_json_body(ApplicationIn.model_json_schema(), APPLICATION_EXAMPLE))  # fmt: skip
def submit(request: Request, settings: Settings, body: Annotated[Any, Body()] = None) -> JSONResponse:
    application = ApplicationIn.from_mapping(_object(body))
    created = registry_of(request, settings).submit(application)
    return JSONResponse(created.to_json_dict(), status_code=201, headers={"Location": f"/api/v1/licences/{created.id}"})


@router.get("/licences", summary="Licence applications, by regime and status")
def list_applications(
    request: Request,
    settings: Settings,
    regime: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    applications = registry_of(request, settings).list(regime=regime or None, status=status or None)
    return {"applications": [application.to_json_dict() for application in applications]}


@router.get("/licences/indicators", summary="Monthly licensing indicators (licences indicators --json)")
def indicators(
    request: Request,
    settings: Settings,
    start: Annotated[str, Query(alias="from", description="First day; its whole month counts.", max_length=40)],
    end: Annotated[str, Query(alias="to", description="Last day; its whole month counts.", max_length=40)],
    regime: Annotated[str, Query(max_length=40)] = "cn.mofcom",
) -> dict[str, Any]:
    first, last = parse_iso_date(start, "from"), parse_iso_date(end, "to")
    months = registry_of(request, settings).indicators(regime, first, last)
    return {"regime": regime, "from": first.isoformat(), "to": last.isoformat(),
            "months": [month.to_json_dict() for month in months]}  # fmt: skip


@router.get("/licences/{application_id}", summary="One application with its decisions")
def get_application(request: Request, settings: Settings, application_id: ApplicationId) -> dict[str, Any]:
    return registry_of(request, settings).get(application_id).to_json_dict()


@router.post("/licences/{application_id}/decisions", dependencies=[WriteKey],
             summary="Record a decision (approved, denied, returned) or a resubmission",
             openapi_extra=_json_body(DecisionIn.model_json_schema(), DECISION_EXAMPLE))  # fmt: skip
def decide(
    request: Request, settings: Settings, application_id: ApplicationId, body: Annotated[Any, Body()] = None
) -> dict[str, Any]:
    decision = DecisionIn.from_mapping(_object(body))
    return registry_of(request, settings).decide(application_id, decision).to_json_dict()


@router.get("/licences/{application_id}/clock", summary="The statutory review clock of an application on a day")
def clock(
    request: Request,
    settings: Settings,
    application_id: ApplicationId,
    as_of: Annotated[str | None, Query(description="Default today.", max_length=40)] = None,
) -> dict[str, Any]:
    day = parse_iso_date(as_of, "as_of") if as_of else date.today()
    return registry_of(request, settings).clock(application_id, day).to_json_dict()
