"""`tradelex refunds IN -o OUT`: per entry and layer, the duty paid at entry against the duty owed as known now.

Paid is the law on the entry date as known on that date (what customs collected); owed is the same date as known on
`--as-known-on` (default today): the IEEPA duties struck down on 2026-02-20, the electronics exemption made
retroactive to 2025-04-05. The refund is paid minus owed, per layer; the output has one row per entry and layer that
differs, plus every error row, so nothing is dropped.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
from rich.table import Table

from tradelex.cli.assess import ResultWriter, read_batches
from tradelex.cli.common import JsonOption, PackOption, console, open_pack, print_json, reporting_errors
from tradelex.dates import parse_iso_date
from tradelex.engine.batch import assess_rows
from tradelex.engine.compile import compile_pack
from tradelex.engine.mfn import INSTALLED_MFN

MONEY = pa.decimal128(20, 2)
REFUND_SCHEMA = pa.schema([
    ("row", pa.int64()), ("error", pa.string()), ("measure", pa.string()),
    ("paid", MONEY), ("owed", MONEY), ("refund", MONEY),
])  # fmt: skip


def refund_rows(number: int, paid: dict[str, Any], owed: dict[str, Any]) -> list[dict[str, Any]]:
    """The layers whose amount differs between paid and owed; an unknown amount gives an unknown refund."""
    rows = []
    for measure in [*paid, *(m for m in owed if m not in paid)]:
        was, now = paid.get(measure, Decimal(0)), owed.get(measure, Decimal(0))
        if was == now:
            continue
        refund = None if was is None or now is None else was - now
        rows.append({"row": number, "error": None, "measure": measure, "paid": was, "owed": now, "refund": refund})
    return rows


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
        batches, _ = read_batches(source)
        writer = ResultWriter(output, REFUND_SCHEMA)
        totals: dict[str, Decimal] = {}
        entries = errors = 0
        try:
            for rows in batches:
                paid = assess_rows(rows, loaded, at_entry, "duckdb", INSTALLED_MFN)
                owed = assess_rows(rows, loaded, now, "duckdb", INSTALLED_MFN)
                records = []
                for before, after in zip(paid.rows, owed.rows, strict=True):
                    entries += 1
                    if before["error"]:
                        errors += 1
                        records.append({"row": entries, "error": before["error"]})
                        continue
                    for record in refund_rows(entries, before["layers"], after["layers"]):
                        records.append(record)
                        if record["refund"] is not None:
                            totals[record["measure"]] = totals.get(record["measure"], Decimal(0)) + record["refund"]
                writer.write(pa.Table.from_pylist(records, schema=REFUND_SCHEMA))
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        _report(output, known_on, entries, errors, totals, as_json)


def _report(output: Path, known_on: date, entries: int, errors: int, totals: dict[str, Decimal], as_json: bool) -> None:
    total = sum(totals.values(), Decimal(0))
    if as_json:
        print_json({"output": str(output), "as_known_on": str(known_on), "entries": entries, "errors": errors,
                    "refund_by_measure": {m: str(v) for m, v in totals.items()}, "refund": str(total)})  # fmt: skip
        return
    table = Table(title=f"{entries} entries · owed as known on {known_on} · {errors} error rows", title_justify="left")
    table.add_column("measure")
    table.add_column("refund", justify="right")
    for measure, amount in totals.items():
        table.add_row(measure, f"{amount:,.2f}")
    table.add_row("total", f"{total:,.2f}", style="bold")
    console.print(table)
