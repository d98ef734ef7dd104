"""Printing `pack check --against-schedule`: where the pack and the official schedule disagree."""

from __future__ import annotations

from dataclasses import asdict

from rich.table import Table

from tradelex.checks.schedule import EXAMPLES, check_coverage, check_headings
from tradelex.cli.common import console, print_json
from tradelex.data.datasets import SCHEDULES
from tradelex.nomenclature.hts import load_schedule
from tradelex.rules.model import Pack


def report_against_schedule(pack: Pack, as_json: bool) -> None:
    schedules = [s for d in SCHEDULES if (s := load_schedule(d.name)) is not None]
    coverage = [finding for schedule in schedules for finding in check_coverage(pack, schedule)]
    headings = check_headings(pack)
    if as_json:
        print_json({"coverage": [asdict(f) for f in coverage],
                    "headings": [asdict(f) | {"value_date": str(f.value_date)} for f in headings]})  # fmt: skip
        return
    table = Table(title="coverage against the schedule's footnotes", title_justify="left")
    for column in ("measure", "heading", "revision", "covered, not footnoted", "footnoted, not covered"):
        table.add_column(column, overflow="fold")
    for finding in coverage:
        table.add_row(finding.measure, finding.heading, finding.revision, _sample(finding.covered_not_footnoted),
                      _sample(finding.footnoted_not_covered))  # fmt: skip
    console.print(table)
    table = Table(title="heading rates against the Chapter 99 history", title_justify="left")
    for column in ("measure", "from", "heading", "pack", "official", "verdict"):
        table.add_column(column, overflow="fold")
    for heading in headings:
        style = {"agrees": "green", "disagrees": "red"}.get(heading.verdict, "yellow")
        table.add_row(heading.measure, str(heading.value_date), heading.heading, heading.pack_rate,
                      ", ".join(f"{r}%" for r in heading.official_rates), f"[{style}]{heading.verdict}[/]")  # fmt: skip
    console.print(table)


def _sample(codes: list[str]) -> str:
    if not codes:
        return "none"
    more = f" … ({len(codes)} in all)" if len(codes) > EXAMPLES else ""
    return ", ".join(codes[:EXAMPLES]) + more
