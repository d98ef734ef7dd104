"""Analysis on the command line: trade-weighted averages, the rate panel, scenarios (issue 9)."""

from __future__ import annotations

import typer

scenario_app = typer.Typer(no_args_is_help=True, help="Scenarios: a pack patched from a date; run one or compare two.")


def register(app: typer.Typer) -> None:
    app.add_typer(scenario_app, name="scenario")
