"""The FastAPI application: the JSON API under /api/v1, the dashboard's pages, and the OpenAPI page at /docs."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import APIRouter, FastAPI

from tradelex.api.codes import warm_code_index
from tradelex.api.errors import install_error_handlers
from tradelex.api.fastpath import CachedRateAnswers
from tradelex.api.jobs import JobStore
from tradelex.api.limits import UploadLimit
from tradelex.api.routes import data, files, rates
from tradelex.api.settings import ApiSettings
from tradelex.api.state import PackState

log = logging.getLogger("tradelex.api")
API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for module in (rates, files, data):
        router.include_router(module.router)
    for capability in _optional_capabilities():
        router.include_router(capability)
    return router


def _optional_capabilities() -> list[APIRouter]:
    """Routers of the capabilities whose modules are installed (controls, licences, deals, analysis)."""
    from tradelex.api.routes import optional

    return optional.routers()


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """The whole server. Settings default to the environment (TRADELEX_API_KEY, TRADELEX_MAX_UPLOAD_BYTES, …)."""
    settings = settings or ApiSettings.from_env()
    pack_state = PackState(settings.pack)
    jobs = JobStore(settings.resolved_work_dir(), settings.max_jobs)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pack_state.pack  # noqa: B018 — load the pack before the first request, not during it
        for warm in app.state.warmers:  # slow answers worth having ready (code search, averages)
            threading.Thread(target=warm, name="tradelex-warm", daemon=True).start()
        yield
        jobs.shutdown()
        if settings.work_dir is None:  # a temporary folder of this process: its uploads and results go with it
            shutil.rmtree(jobs.root, ignore_errors=True)

    app = FastAPI(
        title="tradelex",
        version=version("tradelex"),
        description="The US-China trade regime as dated, sourced rules: every answer of the command line's --json.",
        docs_url=None,  # FastAPI's Swagger UI loads its scripts from a CDN; /docs is rendered here instead
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pack_state = pack_state
    app.state.jobs = jobs
    app.state.warmers = [pack_state.warm, warm_code_index]
    install_error_handlers(app)
    app.add_middleware(UploadLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(CachedRateAnswers)  # added last, so outermost: a repeat skips everything else
    app.include_router(api_router())
    from tradelex.web.pages import install_pages

    install_pages(app)
    return app
