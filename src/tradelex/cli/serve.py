"""`tradelex serve`: the HTTP API and the dashboard (issue 10)."""

from __future__ import annotations

import os
import secrets
from typing import Annotated

import typer

from tradelex.cli.common import console


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Start the dashboard and the JSON API (/api/v1, OpenAPI at /docs) on the bundled pack or --pack's."""
    import uvicorn

    from tradelex.api import ApiSettings, create_app

    settings = ApiSettings.from_env()
    if settings.api_key is None:
        # Writes (uploads, licence applications, scenarios) need a key; without one configured, this run makes one
        # and shows it once, so that the dashboard's forms can be used at once on this machine.
        settings = settings.model_copy(update={"api_key": secrets.token_urlsafe(24)})
        console.print(
            f"writes need the header X-API-Key: [bold]{settings.api_key}[/] (set TRADELEX_API_KEY to choose one)",
            highlight=False,
        )
    console.print(f"tradelex on http://{host}:{port}/ · API at http://{host}:{port}/docs", highlight=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level=os.environ.get("TRADELEX_LOG_LEVEL", "warning"))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
