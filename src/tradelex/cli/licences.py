"""Licence applications on the command line: submit, decide, review clock, indicators (issue 7)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from tradelex.cli.common import JsonOption, console, print_json, reporting_errors
from tradelex.controls.licensing import (
    ApplicationIn,
    ApplicationOut,
    DecisionIn,
    LicenceRegistry,
    ReviewClock,
    open_registry,
)
from tradelex.controls.licensing.store import DATABASE_URL_ENV
from tradelex.dates import parse_iso_date

licences_app = typer.Typer(no_args_is_help=True, help="Export licence applications, decisions and their review clock.")
db_app = typer.Typer(no_args_is_help=True, help="The licence database: bring its schema up to date.")
licences_app.add_typer(db_app, name="db")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar=DATABASE_URL_ENV,
        help="SQLAlchemy URL (default: licences.sqlite in the tradelex data directory).",
        show_default=False,
    ),
]
IdArgument = Annotated[int, typer.Argument(help="The application's id.")]


@contextmanager
def _registry(database: str | None) -> Iterator[LicenceRegistry]:
    registry = open_registry(database)
    try:
        yield registry
    finally:
        registry.close()


@licences_app.command("submit")
def submit_command(
    exporter: Annotated[str, typer.Option(help="The exporter filing the application.")],
    item: Annotated[str, typer.Option(help="HS code or control-list number of the item.")],
    quantity: Annotated[str, typer.Option(help="Quantity, a positive decimal.")],
    unit: Annotated[str, typer.Option(help="Unit of the quantity (kg, t, pieces).")],
    value: Annotated[str, typer.Option(help="Contract value, a decimal.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 currency of the value.")],
    destination: Annotated[str, typer.Option(help="Destination country (ISO code or name).")],
    end_user: Annotated[str, typer.Option("--end-user", help="The end user.")],
    end_use: Annotated[str, typer.Option("--end-use", help="The stated end use.")],
    submitted: Annotated[str, typer.Option(help="Day the application was accepted, YYYY-MM-DD.")],
    regime: Annotated[str, typer.Option(help="Licensing regime.")] = "cn.mofcom",
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """File a licence application; prints it with its id."""
    with reporting_errors(as_json):
        application = ApplicationIn.from_mapping(
            {
                "regime": regime,
                "exporter": exporter,
                "item": item,
                "quantity": quantity,
                "unit": unit,
                "value": value,
                "currency": currency,
                "destination": destination,
                "end_user": end_user,
                "end_use": end_use,
                "submitted_on": submitted,
            }
        )
        with _registry(database) as registry:
            _show_application(registry.submit(application), as_json)


@licences_app.command("decide")
def decide_command(
    application_id: IdArgument,
    outcome: Annotated[str, typer.Option(help="approved, denied, returned (for more information) or resubmitted.")],
    on: Annotated[str, typer.Option("--on", help="Day of the decision, YYYY-MM-DD.")],
    note: Annotated[str | None, typer.Option(help="A note kept with the decision.")] = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a decision (or the applicant's resubmission) in the application's history."""
    with reporting_errors(as_json):
        decision = DecisionIn.from_mapping({"outcome": outcome, "decided_on": on, "note": note})
        with _registry(database) as registry:
            _show_application(registry.decide(application_id, decision), as_json)


@licences_app.command("show")
def show_command(application_id: IdArgument, database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """One application with its decision history."""
    with reporting_errors(as_json), _registry(database) as registry:
        _show_application(registry.get(application_id), as_json)


@licences_app.command("list")
def list_command(
    regime: Annotated[str | None, typer.Option(help="Only this regime.")] = None,
    status: Annotated[str | None, typer.Option(help="Only pending, returned, approved or denied.")] = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Applications, oldest first."""
    with reporting_errors(as_json), _registry(database) as registry:
        applications = registry.list(regime=regime, status=status)
        if as_json:
            print_json({"applications": [application.to_json_dict() for application in applications]})
            return
        table = Table("id", "regime", "exporter", "item", "destination", "submitted", "status")
        for application in applications:
            table.add_row(
                str(application.id),
                application.regime,
                application.exporter,
                application.item,
                application.destination,
                str(application.submitted_on),
                application.status,
            )
        console.print(table)


@licences_app.command("clock")
def clock_command(
    application_id: IdArgument,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day to read the clock on (default: today).")] = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """The statutory review clock: due date, working days elapsed and left, overdue."""
    with reporting_errors(as_json):
        day = parse_iso_date(as_of, "as_of") if as_of else date.today()
        with _registry(database) as registry:
            clock = registry.clock(application_id, day)
        if as_json:
            print_json(clock.to_json_dict())
        else:
            _print_clock(clock)


@licences_app.command("indicators")
def indicators_command(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (its whole month counts).")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (its whole month counts).")],
    regime: Annotated[str, typer.Option(help="Licensing regime.")] = "cn.mofcom",
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Monthly applications, approvals, denials, approval rate and median days to decision."""
    with reporting_errors(as_json):
        first, last = parse_iso_date(start, "from"), parse_iso_date(end, "to")
        with _registry(database) as registry:
            months = registry.indicators(regime, first, last)
        if as_json:
            print_json(
                {
                    "regime": regime,
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "months": [month.to_json_dict() for month in months],
                }
            )
            return
        table = Table("month", "applications", "approvals", "denials", "returns", "approval rate", "median days")
        for month in months:
            table.add_row(
                month.month,
                str(month.applications),
                str(month.approvals),
                str(month.denials),
                str(month.returns),
                "—" if month.approval_rate is None else f"{month.approval_rate:.2%}",
                "—" if month.median_working_days_to_decision is None else str(month.median_working_days_to_decision),
            )
        console.print(table)


@db_app.command("upgrade")
def upgrade_command(database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """Create or migrate the licence tables (also done whenever the registry is opened)."""
    with reporting_errors(as_json), _registry(database) as registry:
        document = {"database": registry.url, "revision": registry.revision()}
        if as_json:
            print_json(document)
        else:
            console.print(f"{document['database']} is at revision {document['revision']}", highlight=False)


def _show_application(application: ApplicationOut, as_json: bool) -> None:
    if as_json:
        print_json(application.to_json_dict())
        return
    console.print(
        f"application {application.id} · {application.regime} · {application.status}\n"
        f"  {application.exporter} → {application.end_user} ({application.destination}), {application.end_use}\n"
        f"  item {application.item}: {application.quantity} {application.unit}, "
        f"{application.value} {application.currency} · submitted {application.submitted_on}",
        highlight=False,
    )
    for decision in application.decisions:
        note = f" — {decision.note}" if decision.note else ""
        console.print(f"  {decision.sequence}. {decision.decided_on} {decision.outcome}{note}", highlight=False)


def _print_clock(clock: ReviewClock) -> None:
    due = clock.due_date or "unknown"
    console.print(
        f"application {clock.application_id} as of {clock.as_of}: {clock.state} ({clock.status})\n"
        f"  accepted {clock.accepted_on} · {clock.working_days_allowed} working days · due {due}\n"
        f"  elapsed {clock.working_days_elapsed} · remaining {clock.working_days_remaining} · overdue {clock.overdue}",
        highlight=False,
    )
    if clock.basis:
        console.print(f"  basis: {clock.basis.source} [{clock.basis.confidence}]", highlight=False, markup=False)
    for warning in clock.warnings:
        console.print(f"  warning: {warning}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(licences_app, name="licences")
