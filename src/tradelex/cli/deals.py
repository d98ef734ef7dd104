"""Deals on the command line: open points, readings side by side, compliance (issue 8)."""

from __future__ import annotations

import typer

deals_app = typer.Typer(no_args_is_help=True, help="Trade deals: open points, each side's reading, compliance.")


def register(app: typer.Typer) -> None:
    app.add_typer(deals_app, name="deals")
