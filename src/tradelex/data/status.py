"""What official data is loaded: from where, how old, and how much of it tradelex can read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from tradelex.data.catalog import read_table
from tradelex.data.datasets import SCHEDULES
from tradelex.data.registry import all_datasets
from tradelex.data.schedule_rates import parse_report

SCHEDULE_NAMES = {schedule.name for schedule in SCHEDULES}


def dataset_status() -> list[dict[str, Any]]:
    rows = []
    for known in all_datasets():
        found = read_table(known.name)
        entry: dict[str, Any] = {"dataset": known.name, "revision": known.revision, "authority": known.authority,
                                 "official": known.official, "loaded": found is not None}  # fmt: skip
        if found is not None:
            table, provenance = found
            entry |= {"where": provenance.get("where"), "file": provenance.get("file"),
                      "sha256": provenance.get("sha256"), "rows": table.num_rows,
                      "imported_at": str(provenance.get("imported_at")), "age_days": _age_days(provenance)}  # fmt: skip
            entry |= _contents(known.name, table)
        rows.append(entry)
    return rows


def _contents(name: str, table: pa.Table) -> dict[str, Any]:
    """What is inside: tariff lines and rate texts read for a schedule, codes and lists for a product list."""
    if name in SCHEDULE_NAMES:
        digits = table.column("hts_digits").to_pylist()
        rates = [text for text in table.column("general_rate").to_pylist() if text]
        report = parse_report(rates)
        return {
            "tariff_lines": sum(1 for d in digits if len(d) == 8),
            "statistical_lines": sum(1 for d in digits if len(d) == 10),
            "rate_texts": report.total_parsed + report.total_unparsed, "rate_texts_parsed": report.total_parsed,
            "rate_texts_not_parsed": report.total_unparsed, "not_parsed": dict(report.unparsed),
        }  # fmt: skip
    if table.column_names == ["list", "code"]:
        return {"lists": len(set(table.column("list").to_pylist())), "list_codes": table.num_rows}
    return {}


def _age_days(provenance: dict[str, Any]) -> int | None:
    imported = provenance.get("imported_at")
    if imported is None:
        return None
    moment = imported if isinstance(imported, datetime) else datetime.fromisoformat(str(imported))
    return (datetime.now(UTC).replace(tzinfo=None) - moment.replace(tzinfo=None)).days
