"""`tradelex serve`: the HTTP API and the dashboard (issue 10)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds `serve` once the API exists."""
