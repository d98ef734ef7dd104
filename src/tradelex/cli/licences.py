"""Licence applications on the command line: submit, decide, review clock, indicators (issue 7)."""

from __future__ import annotations

import typer

licences_app = typer.Typer(no_args_is_help=True, help="Export licence applications, decisions and their review clock.")


def register(app: typer.Typer) -> None:
    app.add_typer(licences_app, name="licences")
