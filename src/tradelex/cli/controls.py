"""Export controls on the command line: `controls check`, `controls items` and `screen` (issue 7)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tradelex.cli.common import JsonOption, PackOption, console, open_pack, print_json, reporting_errors
from tradelex.controls import check_controls, controlled_items, screen_parties
from tradelex.controls.check import ControlsReport
from tradelex.controls.screening import ScreeningReport

controls_app = typer.Typer(no_args_is_help=True, help="Export controls: what a shipment needs, by item, route, date.")


@controls_app.command("check")
def controls_check(
    item: Annotated[str, typer.Option("--item", help="HS code (2846.90) or control-list number (3A090, 1C905).")],
    origin: Annotated[str, typer.Option("--from", help="Exporting country (ISO code or name).")],
    destination: Annotated[str, typer.Option("--to", help="Destination country.")],
    date_: Annotated[str, typer.Option("--date", help="Export date, YYYY-MM-DD.")],
    end_user: Annotated[
        str | None, typer.Option("--end-user", help="End user's name, screened against the lists.")
    ] = None,
    claim: Annotated[
        list[str] | None,
        typer.Option("--claim", help="Declare a condition a measure asks (is-informed, listed-affiliate); repeatable."),
    ] = None,
    pack: PackOption = None,
    as_json: JsonOption = False,
) -> None:
    """Which export-control measures apply to an item on a route and a day, and what the exporter must do."""
    with reporting_errors(as_json):
        report = check_controls(open_pack(pack), item, origin, destination, date_, end_user, claims=claim or [])
        if as_json:
            print_json(report.to_json_dict())
        else:
            render_controls(report)


@controls_app.command("items")
def controls_items(pack: PackOption = None, as_json: JsonOption = False) -> None:
    """The control-list numbers tradelex knows, with their HS concordance and the measures naming them."""
    with reporting_errors(as_json):
        items = controlled_items(open_pack(pack))
        if as_json:
            print_json({"items": [item.model_dump(mode="json") for item in items]})
            return
        table = Table("regime", "number", "item", "HS", "measures")
        for item in items:
            table.add_row(item.regime, item.number, item.title, ", ".join(item.hs) or "-", "\n".join(item.measures))
        console.print(table)


def screen(
    name: Annotated[str, typer.Argument(help="The party's name, in any spelling, or in Chinese characters.")],
    date_: Annotated[str | None, typer.Option("--date", help="Screen as the lists stood on this day.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many matches.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Screen a name against China's unreliable entity and control lists and the US Entity List, with reasons."""
    with reporting_errors(as_json):
        report = screen_parties(name, date_, limit)
        if as_json:
            print_json(report.to_json_dict())
        else:
            render_screening(report)


def render_controls(report: ControlsReport) -> None:
    query = report.query
    console.print(
        f"[bold]{query.item}[/] · {query.origin} → {query.destination} · {query.date} · verdict "
        f"[bold]{report.verdict}[/]",
        highlight=False,
    )
    for requirement in report.requirements:
        console.print(
            f"  [bold]{requirement.status}[/] {requirement.measure} ({requirement.confidence})", highlight=False
        )
        console.print(f"    {requirement.instrument}", highlight=False)
        console.print(f"    items: {'; '.join(requirement.matched_items)}", highlight=False)
        if requirement.application:
            period = f"{requirement.review_days} {requirement.review_days_basis} days"
            console.print(f"    do: {requirement.application} Review: {period}.", highlight=False)
        if requirement.review_policy:
            console.print(f"    policy: {requirement.review_policy}", highlight=False)
    for excluded in report.excluded:
        console.print(f"  [dim]not applied[/] {excluded.measure}: {excluded.reason}", highlight=False)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)


def render_screening(report: ScreeningReport) -> None:
    console.print(f"[bold]{report.name}[/] screened on {report.date}: {len(report.matches)} match(es)", highlight=False)
    for match in [*report.matches, *report.inactive]:
        console.print(
            f"  {match.score:5.1f}  {match.party} · {match.list_id} · listed {match.listed_on} · {match.status.value}",
            highlight=False,
        )
        for reason in match.why:
            console.print(f"         - {reason}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(controls_app, name="controls")
    app.command("screen")(screen)
