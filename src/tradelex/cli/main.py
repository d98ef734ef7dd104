"""The tradelex command line: every capability has a command, and every answer has a --json twin."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from tradelex.cli import analysis, controls, deals, licences, serve
from tradelex.cli.assess import assess_command
from tradelex.cli.common import JsonOption, PackOption, console, open_pack, print_json, reporting_errors
from tradelex.cli.consistency import report_against_schedule
from tradelex.cli.data import data_app
from tradelex.cli.refunds import refunds_command
from tradelex.cli.render import measures_markdown, render_assessment, render_history, render_measures
from tradelex.dates import parse_iso_date
from tradelex.deals import bundled_deals_path, validate_deals
from tradelex.engine.history import history
from tradelex.engine.line import Line, parse_content
from tradelex.engine.mfn import INSTALLED_MFN
from tradelex.engine.reference import evaluate_line
from tradelex.errors import InputError, PackError
from tradelex.rules.confidence import count_confidence
from tradelex.rules.loader import DEFAULT_PACK, load_pack

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__, rich_markup_mode="rich")
measures_app = typer.Typer(no_args_is_help=True, help="The measures of a rule pack.")
pack_app = typer.Typer(no_args_is_help=True, help="Rule packs: validate one.")
app.add_typer(measures_app, name="measures")
app.add_typer(pack_app, name="pack")
app.add_typer(data_app, name="data")
app.command("assess")(assess_command)
app.command("refunds")(refunds_command)
# Each capability owns its commands in its own module, which adds them to the app here.
for capability in (controls, licences, deals, analysis, serve):
    capability.register(app)

OriginOption = Annotated[str, typer.Option("--origin", help="Country of origin (ISO code or name).")]
ImporterOption = Annotated[str, typer.Option("--importer", help="Importing country.")]
KnownOnOption = Annotated[
    str | None,
    typer.Option("--as-known-on", help="Answer with what was known on this day (default: the law as it stood then)."),
]


def _optional_date(text: str | None, field: str) -> date | None:
    return None if text is None else parse_iso_date(text, field)


@app.command()
def rate(
    code: Annotated[str, typer.Argument(help="Product code, with or without dots: 6109.10.0012")],
    origin: OriginOption,
    date_: Annotated[str, typer.Option("--date", help="Entry date, YYYY-MM-DD.")],
    importer: ImporterOption = "US",
    loaded: Annotated[str | None, typer.Option("--loaded", help="Date the goods were loaded for export.")] = None,
    value: Annotated[str | None, typer.Option("--value", help="Customs value, in the importer's currency.")] = None,
    quantity: Annotated[str | None, typer.Option("--quantity", help="Quantity, for specific duties.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit of the quantity: kg, doz, item, liter …")] = None,
    content: Annotated[
        list[str] | None,
        typer.Option("--content", help="A content value, NAME=AMOUNT (copper=3000); repeatable."),
    ] = None,
    claim: Annotated[
        list[str] | None,
        typer.Option("--claim", help="Declare what the goods are where a measure asks (automobile-part); repeatable."),
    ] = None,
    as_known_on: KnownOnOption = None,
    pack: PackOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every duty layer on a product of an origin entered on a date, with its rate, instrument and source."""
    with reporting_errors(as_json):
        line = Line.parse(
            code=code,
            origin=origin,
            importer=importer,
            date=date_,
            loaded=loaded,
            value=value,
            quantity=quantity,
            unit=unit,
            content=parse_content(content or []),
            claims=claim or [],
        )
        known_on = _optional_date(as_known_on, "as_known_on")
        assessment = evaluate_line(open_pack(pack), line, as_known_on=known_on, mfn=INSTALLED_MFN)
        if as_json:
            print_json(assessment.to_json_dict())
        else:
            render_assessment(console, assessment)


@app.command("history")
def history_command(
    code: Annotated[str, typer.Argument(help="Product code.")],
    origin: OriginOption,
    importer: ImporterOption = "US",
    start: Annotated[str, typer.Option("--from", help="First date, YYYY-MM-DD.")] = "2018-01-01",
    end: Annotated[str | None, typer.Option("--to", help="Last date (default: today).")] = None,
    as_known_on: KnownOnOption = None,
    pack: PackOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every date on which the total duty changes, and which measures changed it."""
    with reporting_errors(as_json):
        first = parse_iso_date(start, "from")
        last = parse_iso_date(end, "to") if end else date.today()
        line = Line.parse(code=code, origin=origin, importer=importer, date=first)
        known_on = _optional_date(as_known_on, "as_known_on")
        result = history(open_pack(pack), line, first, last, known_on, mfn=INSTALLED_MFN)
        if as_json:
            print_json(result.to_json_dict())
        else:
            render_history(console, result)


@measures_app.command("list")
def measures_list(
    pack: PackOption = None,
    as_json: JsonOption = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print a Markdown table (as in the README).")] = False,
) -> None:
    """The measures of the pack, with their values by date."""
    with reporting_errors(as_json):
        loaded_pack = open_pack(pack)
        if markdown:
            typer.echo(measures_markdown(loaded_pack))
            return
        if as_json:
            print_json(
                {
                    "pack": loaded_pack.meta.model_dump(mode="json"),
                    "measures": [
                        {
                            "id": m.id,
                            "title": m.title,
                            "imposed_by": m.imposed_by,
                            "direction": m.direction.value,
                            "partners": m.partners,
                            "kind": m.kind.value,
                            "authority": m.authority,
                        }
                        for m in loaded_pack.measures.values()
                    ],
                }
            )
        else:
            render_measures(console, loaded_pack)


@measures_app.command("show")
def measures_show(
    measure_id: Annotated[str, typer.Argument(help="Measure id, such as us.s301.list3.")],
    pack: PackOption = None,
    as_json: JsonOption = True,
) -> None:
    """One measure in full: values, scope, stacking, transit rules, suspensions, sources."""
    with reporting_errors(as_json):
        loaded_pack = open_pack(pack)
        if measure_id not in loaded_pack.measures:
            near = [m for m in loaded_pack.measures if measure_id.split(".")[0] in m][:5]
            raise InputError(
                "measure",
                f"no measure {measure_id!r} in the pack; measures: {', '.join(near or loaded_pack.measures)}",
            )
        print_json(loaded_pack.measures[measure_id].model_dump(mode="json", by_alias=True, exclude_defaults=True))


@pack_app.command("check")
def pack_check(
    path: Annotated[Path, typer.Argument(help="The pack folder.")],
    against_schedule: Annotated[
        bool, typer.Option("--against-schedule", help="Also compare coverage and heading rates with the schedule.")
    ] = False,
    deals: Annotated[
        Path | None,
        typer.Option(
            "--deals",
            help="Also validate the deal files of this folder against the pack "
            f"(default: the bundled deals, when the pack is the bundled {DEFAULT_PACK!r} pack).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Validate a rule pack, and the deals that refer to it: every problem, by file, measure and field."""
    with reporting_errors(as_json):
        if not path.is_dir():
            raise PackError(path, "not a folder")
        checked = load_pack(path)
        deals_folder = deals or (bundled_deals_path() if checked.meta.name == DEFAULT_PACK else None)
        if deals_folder is not None:
            validate_deals(checked, deals_folder)
        if against_schedule:
            report_against_schedule(checked, as_json)
            return
        counted = count_confidence(checked)
        summary = {
            "pack": checked.meta.model_dump(mode="json"),
            "measures": len(checked.measures),
            "lists": len(checked.lists),
            "deals": str(deals_folder) if deals_folder else None,
            "confidence": counted.model_dump()
            | {"values_confirmed_percent": round(counted.values_confirmed_percent, 1)},
            "ok": True,
        }
        if as_json:
            print_json(summary)
        else:
            deal_text = f" · the deals of {deals_folder.name}/ agree with it" if deals_folder else ""
            console.print(
                f"[green]ok[/]: {checked.meta.name} {checked.meta.version} · {len(checked.measures)} measures · "
                f"{len(checked.lists)} lists{deal_text} · cut-off {checked.meta.cutoff} · "
                f"{counted.values_confirmed} of {counted.values} values confirmed in a primary text "
                f"({counted.values_confirmed_percent:.1f}%)",
                highlight=False,
            )


@app.command()
def demo() -> None:
    """A worked example on the bundled pack: duties on a T-shirt and a copper tube from China, and a history."""
    pack = open_pack(None)
    examples = [
        (
            "A cotton T-shirt from China at the April 2025 peak, as customs applied the law then:",
            {"code": "6109.10.0012", "origin": "CN", "date": "2025-04-15", "value": "10000"},
        ),
        (
            "A seamless copper tube from China in September 2025: Section 232 on the copper content, the reciprocal "
            "tariff only on the rest:",
            {
                "code": "7411.10.1000",
                "origin": "CN",
                "date": "2025-09-01",
                "value": "10000",
                "content": {"copper": "6000"},
            },
        ),
        (
            "The same T-shirt under the Section 122 surcharge, after the Supreme Court ended the IEEPA tariffs:",
            {"code": "6109.10.0012", "origin": "CN", "date": "2026-03-02", "value": "10000"},
        ),
    ]
    for title, arguments in examples:
        console.rule(title, align="left", style="dim")
        render_assessment(console, evaluate_line(pack, Line.parse(**arguments), mfn=INSTALLED_MFN))  # type: ignore[arg-type]
    console.rule("How the T-shirt's duty moved, 2018 to the pack's cut-off:", align="left", style="dim")
    line = Line.parse(code="6109.10.0012", origin="CN", date="2018-01-01")
    render_history(console, history(pack, line, date(2018, 1, 1), pack.meta.cutoff, mfn=INSTALLED_MFN))


if __name__ == "__main__":
    app()
