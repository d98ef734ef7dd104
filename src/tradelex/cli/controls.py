"""Export controls on the command line: `controls check` and `screen` (issue 7)."""

from __future__ import annotations

import typer

controls_app = typer.Typer(no_args_is_help=True, help="Export controls: what a shipment needs, by item, route, date.")


def register(app: typer.Typer) -> None:
    app.add_typer(controls_app, name="controls")
