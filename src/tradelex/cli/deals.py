"""Deals on the command line: open points, readings side by side, compliance (issue 8)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from tradelex.cli.common import JsonOption, PackOption, console, open_pack, print_json, reporting_errors
from tradelex.dates import parse_iso_date
from tradelex.deals import assess_compliance, check_deal, diff_readings, list_deals, load_deal
from tradelex.deals.compliance import ComplianceReport
from tradelex.deals.diff import ReadingsDiff

deals_app = typer.Typer(no_args_is_help=True, help="Trade deals: open points, each side's reading, compliance.")

DealArgument = Annotated[str, typer.Argument(help="A bundled deal's name (geneva-2025) or a deal file's path.")]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Judge on the pack and the figures as known on this day (default: today).", show_default=False
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(deals_app, name="deals")


@deals_app.command("list")
def list_command(as_json: JsonOption = False) -> None:
    """The bundled deals: parties, date, readings, number of commitments."""
    with reporting_errors(as_json):
        summaries = list_deals()
        if as_json:
            print_json({"deals": [summary.to_json_dict() for summary in summaries]})
            return
        table = Table("deal", "title", "signed", "readings", "commitments", "confidence")
        for s in summaries:
            table.add_row(s.name, s.title, str(s.signed), ", ".join(s.readings), str(s.commitments), s.confidence)
        console.print(table)


@deals_app.command("show")
def show_command(deal: DealArgument, as_json: JsonOption = False) -> None:
    """One deal in full: its clauses, and each reading's commitments."""
    with reporting_errors(as_json):
        loaded = load_deal(deal)
        if as_json:
            print_json(loaded.model_dump(mode="json", by_alias=True, exclude={"file"}))
            return
        console.print(f"[bold]{loaded.title}[/] ({loaded.name}) · signed {loaded.signed} · {loaded.confidence}")
        console.print(f"source: {loaded.source}", highlight=False)
        for clause in loaded.clauses:
            console.print(f"\n[bold]{clause.id}[/] {clause.title}")
            if clause.text:
                console.print(f"  “{clause.text.strip()}”", highlight=False)
            for reading, commitment in loaded.commitments():
                if commitment.clause == clause.id:
                    console.print(
                        f"  [{reading.party}] {commitment.id} ({commitment.by}): {commitment.target_summary()}",
                        highlight=False,
                    )


@deals_app.command("check")
def check_command(deal: DealArgument, as_json: JsonOption = False) -> None:
    """Open points, per clause: what the text leaves undefined, and what a precise version would need."""
    with reporting_errors(as_json):
        result = check_deal(load_deal(deal))
        if as_json:
            print_json(result.to_json_dict())
            return
        table = Table("clause", "open point", "detail", "a precise version needs", show_lines=True)
        for finding in result.findings:
            table.add_row(finding.clause, finding.kind, finding.detail, finding.needs)
        console.print(table)
        console.print(f"{len(result.findings)} open points in {result.deal}")


@deals_app.command("diff")
def diff_command(deal: DealArgument, as_json: JsonOption = False) -> None:
    """Each side's commitments side by side, by clause, with what one side claims and the other does not."""
    with reporting_errors(as_json):
        result = diff_readings(load_deal(deal))
        if as_json:
            print_json(result.to_json_dict())
            return
        _print_diff(result)


def _print_diff(result: ReadingsDiff) -> None:
    for reader, source in result.sources.items():
        console.print(f"[bold]{reader}[/]: {source}", highlight=False)
    for clause in result.clauses:
        table = Table(*result.readings, title=f"{clause.clause}: {clause.title}", show_lines=True)
        cells = [
            "\n".join(f"{view.id} ({view.by}): {view.target}\n“{view.quote}”" for view in clause.readings[reader])
            or "—"
            for reader in result.readings
        ]
        table.add_row(*cells)
        console.print(table)
        for difference in clause.differences:
            console.print(f"  [yellow]{difference.kind}[/] {difference.subject}: {difference.detail}", highlight=False)


@deals_app.command("compliance")
def compliance_command(
    deal: DealArgument, as_of: AsOfOption = None, pack: PackOption = None, as_json: JsonOption = False
) -> None:
    """Each commitment as kept, partly kept (with the ratio), broken or unknown, with the evidence."""
    with reporting_errors(as_json):
        day = parse_iso_date(as_of, "as_of") if as_of else date.today()
        result = assess_compliance(load_deal(deal), open_pack(pack), day)
        if as_json:
            print_json(result.to_json_dict())
            return
        _print_compliance(result)


def _print_compliance(result: ComplianceReport) -> None:
    table = Table("commitment", "party", "reading", "clause", "state", "ratio", "evidence", show_lines=True)
    for item in result.commitments:
        evidence = "\n".join(e.text + (f" [{e.source}]" if e.source else "") for e in item.evidence)
        table.add_row(item.id, item.party, item.reading, item.clause, item.state.value, item.ratio or "—", evidence)
    console.print(table)
    console.print(f"{result.deal} as of {result.as_of}")
