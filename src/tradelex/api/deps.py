"""What a route needs from the app: its settings, its pack state, its jobs, and the write check.

The dependencies are `async def` although they do not wait for anything: FastAPI runs a plain `def` dependency in a
worker thread, and that thread hop was most of the cost of a cached rate answer.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Header, Request

from tradelex.api.errors import ApiError
from tradelex.api.jobs import JobStore
from tradelex.api.settings import ApiSettings
from tradelex.api.state import PackState


async def settings_of(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def pack_state(request: Request) -> PackState:
    state: PackState = request.app.state.pack_state
    return state


async def job_store(request: Request) -> JobStore:
    jobs: JobStore = request.app.state.jobs
    return jobs


async def require_api_key(
    settings: Annotated[ApiSettings, Depends(settings_of)],
    x_api_key: Annotated[str | None, Header(description="The server's API key; every write needs it.")] = None,
) -> None:
    """Writes need the key of the server's configuration; without a configured key, writes are refused."""
    if settings.api_key is None:
        message = "this server has no API key configured (TRADELEX_API_KEY): writes are off"
        raise ApiError(403, "WritesDisabled", message)
    if x_api_key is None or not secrets.compare_digest(x_api_key.encode(), settings.api_key.encode()):
        raise ApiError(401, "Unauthorized", "a write needs the server's API key in the X-API-Key header", "X-API-Key")


State = Annotated[PackState, Depends(pack_state)]
Settings = Annotated[ApiSettings, Depends(settings_of)]
Jobs = Annotated[JobStore, Depends(job_store)]
WriteKey = Depends(require_api_key)
