"""`tradelex refunds IN -o OUT`: per entry and layer, the duty paid at entry against the duty owed as known now.

Paid is the law on the entry date as known on that date (what customs collected); owed is the same date as known on
`--as-known-on` (default today): the IEEPA duties struck down on 2026-02-20, the electronics exemption made
retroactive to 2025-04-05. The refund is paid minus owed, per layer; the output has one row per entry and layer that
differs, plus every error row, so nothing is dropped.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradelex.cli.assess import ProgressBar
from tradelex.cli.common import JsonOption, PackOption, console, open_pack, print_json, reporting_errors
from tradelex.dates import parse_iso_date
from tradelex.engine.compile import compile_pack
from tradelex.engine.entry_files import RefundTotals, refund_file
from tradelex.engine.mfn import INSTALLED_MFN


def refunds_command(
    source: Annotated[Path, typer.Argument(help="Entry lines: .csv, .parquet or .xlsx (as for assess).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Refunds by entry and layer: .parquet, .csv, .xlsx.")],
    as_known_on: Annotated[
        str | None, typer.Option("--as-known-on", help="Owed as known on this day (default today).")
    ] = None,
    pack: PackOption = None,
    as_json: JsonOption = False,
) -> None:
    """The duty paid at entry against the duty owed as the law now stands, per entry and layer, and in total."""
    with reporting_errors(as_json):
        known_on = parse_iso_date(as_known_on, "as_known_on") if as_known_on else date.today()
        loaded = open_pack(pack)
        # Paid: what customs collected at entry, a struck-down duty included until collection stopped.
        at_entry, now = compile_pack(loaded, as_collected=True), compile_pack(loaded, as_known_on=known_on)
        with ProgressBar(as_json, "comparing") as progress:
            totals = refund_file(source, output, loaded, at_entry, now, mfn=INSTALLED_MFN, progress=progress)
        _report(output, known_on, totals, as_json)


def _report(output: Path, known_on: date, totals: RefundTotals, as_json: bool) -> None:
    if as_json:
        print_json({"output": str(output), "as_known_on": str(known_on), **totals.to_json_dict()})
        return
    title = f"{totals.entries} entries · owed as known on {known_on} · {totals.errors} error rows"
    table = Table(title=title, title_justify="left")
    table.add_column("measure")
    table.add_column("refund", justify="right")
    for measure, amount in totals.by_measure.items():
        table.add_row(measure, f"{amount:,.2f}")
    table.add_row("total", f"{totals.refund:,.2f}", style="bold")
    console.print(table)
