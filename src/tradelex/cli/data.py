"""`tradelex data`: what official data is loaded, from where and how old; import a newer file; rebuild the bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradelex.cli.common import JsonOption, console, print_json, reporting_errors
from tradelex.data import store
from tradelex.data.bundle import build_bundle
from tradelex.data.datasets import HTS_COLUMNS
from tradelex.data.importers import sha256_of
from tradelex.data.pull import pull
from tradelex.data.registry import find_dataset, importer_for
from tradelex.data.status import dataset_status
from tradelex.data.usitc import schedule_from_usitc_json

data_app = typer.Typer(no_args_is_help=True, help="Official datasets: status, import, bundle.")

GAPS = [
    "China's MFN schedule after 2019 and its 2019-2025 retaliation lists are not in the snapshots: the pack's rule "
    "files carry what the Tariff Commission's announcements list.",
    "US schedule revisions between the 2025 Basic Edition and 2026 Revision 10 are not loaded.",
]


@data_app.command("status")
def status(as_json: JsonOption = False) -> None:
    """What is loaded, from where (the user's store or the bundle), and how old it is."""
    with reporting_errors(as_json):
        rows = dataset_status()
        if as_json:
            print_json({"store": str(store.store_path()), "datasets": rows, "gaps": GAPS})
            return
        table = Table(title=f"store: {store.store_path()}", title_justify="left")
        for column in ("dataset", "revision", "official", "where", "rows", "read", "age (days)"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(
                row["dataset"],
                row["revision"],
                "yes" if row["official"] else "derived",
                str(row.get("where", "not loaded")),
                str(row.get("rows", "")),
                _read_summary(row),
                str(row.get("age_days", "")),
            )
        console.print(table)
        for gap in GAPS:
            console.print(f"[yellow]gap:[/] {gap}", highlight=False)


def _read_summary(row: dict[str, object]) -> str:
    if "rate_texts" in row:
        return f"{row['tariff_lines']} lines; rates {row['rate_texts_parsed']}/{row['rate_texts']} parsed"
    if "list_codes" in row:
        return f"{row['lists']} lists, {row['list_codes']} codes"
    return ""


@data_app.command("import")
def import_file(
    name: Annotated[str, typer.Argument(help="Dataset name (see `tradelex data status`).")],
    path: Annotated[Path, typer.Argument(help="The file, as published by the authority.")],
    as_json: JsonOption = False,
) -> None:
    """Import a file into the user's store; the previous data stays until the new one is complete."""
    with reporting_errors(as_json):
        target = find_dataset(name)
        is_usitc_json = path.suffix.lower() == ".json" and target.columns == HTS_COLUMNS
        table = schedule_from_usitc_json(path) if is_usitc_json else importer_for(name)(path)
        written = store.replace_dataset(target, table, str(path), sha256_of(path))
        summary = {"dataset": name, "rows": table.num_rows, "store": str(written)}
        print_json(summary) if as_json else console.print(f"imported {table.num_rows} rows of {name} into {written}")


@data_app.command("pull")
def pull_command(
    name: Annotated[str, typer.Argument(help="Dataset name, e.g. hts_2026_rev10.")] = "hts_2026_rev10",
    url: Annotated[str | None, typer.Option("--url", help="Download from this address instead of the default.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Download the newest release from the authority, verify it, and swap it in; a failure keeps the old data."""
    with reporting_errors(as_json):
        result = pull(name, url, progress=not as_json)
        summary = {
            "dataset": result.dataset, "url": result.url, "rows": result.rows, "previous_rows": result.previous_rows,
            "sha256": result.sha256, "store": str(result.store),
        }  # fmt: skip
        if as_json:
            print_json(summary)
        else:
            console.print(f"pulled {result.rows} rows of {result.dataset} from {result.url} into {result.store}")


@data_app.command("build-bundle")
def build(
    shared_data: Annotated[Path, typer.Argument(help="The folder of official snapshots (../shared/data).")],
) -> None:
    """Rebuild the compact Parquet build shipped in the package, with its provenance (maintainers)."""
    with reporting_errors(False):
        for entry in build_bundle(shared_data):
            console.print(f"{entry['dataset']}: {entry['rows']} rows from {entry['file']}", highlight=False)
