"""One error envelope for every path of the API: the CLI's `{"error": {"type", "field", "message", …}}`.

A query that cannot be answered as given (tradelex's InputError, a missing or malformed parameter) is 422 and
names the field; a missing resource 404; a refused write 401 or 403; an upload over the limit 413.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from tradelex.api.limits import TOO_LARGE_KEY, too_large_document
from tradelex.cli.common import error_document
from tradelex.errors import DataError, InputError, PackError, TradelexError

log = logging.getLogger("tradelex.api")


class ApiError(Exception):
    """An HTTP answer that is not a tradelex error: a missing job, a refused key."""

    def __init__(self, status: int, type_: str, message: str, field: str | None = None) -> None:
        self.status = status
        self.document: dict[str, Any] = {"error": {"type": type_, "message": message}}
        if field is not None:
            self.document["error"]["field"] = field
        super().__init__(message)


def not_found(field: str, message: str) -> ApiError:
    return ApiError(404, "NotFound", message, field)


# Statuses of errors that capabilities define (a missing licence application is 404, a conflicting decision 409).
STATUS_BY_ERROR: dict[type[TradelexError], int] = {}


def status_of(error: TradelexError) -> int:
    for kind, status in STATUS_BY_ERROR.items():
        if isinstance(error, kind):
            return status
    if isinstance(error, DataError) and error.file == "database":
        return 503  # the server's own database cannot be used
    if isinstance(error, InputError | DataError):
        return 422
    if isinstance(error, PackError):
        return 500  # the server's own pack does not load: not the client's fault
    return 400


def _field_of(location: tuple[Any, ...] | list[Any]) -> str:
    # ("query", "code") → "code"; ("body", "file") → "file"; nested model fields are joined with dots
    parts = [str(part) for part in location[1:]] or [str(part) for part in location]
    return ".".join(parts)


def validation_document(error: RequestValidationError) -> dict[str, Any]:
    problems = [{"field": _field_of(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in error.errors()]
    first = problems[0] if problems else {"field": "request", "message": "invalid request"}
    return {"error": {"type": "InputError", "field": first["field"], "message": first["message"], "errors": problems}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TradelexError)
    async def tradelex_error(_: Request, error: TradelexError) -> JSONResponse:
        status = status_of(error)
        if status >= 500:
            log.error("server error: %s", error)
        return JSONResponse(error_document(error), status_code=status)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(error.document, status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_document(error), status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        limit = request.scope.get(TOO_LARGE_KEY)
        if limit is not None:
            return JSONResponse(too_large_document(limit), status_code=413, headers={"Connection": "close"})
        document = {"error": {"type": "HTTPError", "message": str(error.detail)}}
        return JSONResponse(document, status_code=error.status_code, headers=error.headers)
