"""What every command shares: the pack option, JSON output, and one way to report errors."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from tradelex.errors import DataError, InputError, PackError, PackErrors, TradelexError, UnknownCodeError
from tradelex.rules.loader import load_bundled_pack, load_pack
from tradelex.rules.model import Pack

PACK_ENV = "TRADELEX_PACK"
console = Console()
errors = Console(stderr=True)

PackOption = Annotated[
    Path | None,
    typer.Option(
        "--pack",
        help=f"Rule pack folder (default: ${PACK_ENV}, else the bundled demo pack).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the JSON contract instead of tables.")]


def open_pack(path: Path | None) -> Pack:
    chosen = path or (Path(os.environ[PACK_ENV]) if os.environ.get(PACK_ENV) else None)
    return load_pack(chosen) if chosen else load_bundled_pack()


def print_json(document: Any) -> None:
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


def error_document(error: TradelexError) -> dict[str, Any]:
    """One error envelope for every command: the type, the field and the message."""
    detail: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, InputError):
        detail |= {"field": error.field, "message": error.message}
    if isinstance(error, UnknownCodeError):
        detail["suggestions"] = error.suggestions
    if isinstance(error, PackErrors):
        detail["errors"] = [
            {"file": e.file, "measure": e.measure, "field": e.field, "message": e.message} for e in error.errors
        ]
    elif isinstance(error, PackError):
        detail |= {
            "file": error.file,
            "measure": error.measure,
            "field": error.field,
            "message": error.message,
        }
    if isinstance(error, DataError):
        detail |= {"file": error.file, "row": error.row, "field": error.field, "message": error.message}
    return {"error": detail}


@contextmanager
def reporting_errors(as_json: bool) -> Iterator[None]:
    """Turn tradelex errors into a clear message (or the JSON envelope) and exit status 1."""
    try:
        yield
    except TradelexError as error:
        if as_json:
            print_json(error_document(error))
        else:
            errors.print(f"[bold red]error:[/] {error}", highlight=False, markup=True, soft_wrap=True)
        raise typer.Exit(1) from None


def command_with_errors(as_json: bool, run: Callable[[], None]) -> None:
    with reporting_errors(as_json):
        run()
