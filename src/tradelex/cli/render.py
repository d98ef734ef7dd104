"""Rich renderings of assessments, histories and measures: the step table a broker reads."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tradelex.engine.assessment import Assessment
from tradelex.engine.history import History
from tradelex.money import format_decimal, format_money
from tradelex.nomenclature.codes import format_code
from tradelex.nomenclature.hs import hierarchy
from tradelex.rules.confidence import count_confidence
from tradelex.rules.model import Kind, Measure, Pack

TARIFF_KINDS = {kind.value for kind in Kind if kind.is_tariff}


def render_assessment(console: Console, assessment: Assessment) -> None:
    query = assessment.query
    value = f" · customs value {format_money(query.value)}" if query.value is not None else ""
    console.print(
        f"[bold]{format_code(query.code)}[/] · origin {query.origin} → importer {query.importer} · entered {query.date}"
        f"{value} · as known on {query.as_known_on}",
        highlight=False,
    )
    for entry in hierarchy(query.code):
        console.print(f"  [dim]{format_code(entry.code):<8} {entry.description}[/]", highlight=False)
    schedule = assessment.schedule
    if schedule is not None:
        pointers = (
            f" · footnotes point to {', '.join(schedule.footnote_headings)}" if schedule.footnote_headings else ""
        )
        unit = f" · unit {schedule.unit}" if schedule.unit else ""
        console.print(f"  [dim]HTSUS {schedule.revision}: {schedule.line or 'several lines'} "
                      f"{schedule.description or ''}{unit}{pointers}[/]", highlight=False)  # fmt: skip
    table = Table(title="applied", title_justify="left", expand=False)
    for column, justify in (
        ("measure", "left"),
        ("heading", "left"),
        ("rate", "right"),
        ("on", "left"),
        ("amount", "right"),
        ("confidence", "left"),
    ):
        table.add_column(column, justify=justify, overflow="fold", no_wrap=column == "measure")  # type: ignore[arg-type]
    for layer in assessment.layers:
        is_tariff = layer.kind in TARIFF_KINDS
        amount = format_money(layer.amount) if layer.amount is not None else ("unknown" if is_tariff else "—")
        confidence = Text(layer.confidence, style="green" if layer.confidence == "confirmed" else "yellow")
        table.add_row(
            layer.measure,
            layer.heading or "",
            layer.rate_text or ("unknown" if is_tariff else layer.kind.replace("_", " ")),
            layer.base.replace("_", " "),
            amount,
            confidence,
        )
    console.print(table)
    for layer in assessment.layers:
        calculation = f" · {layer.calculation}" if layer.calculation else ""
        console.print(
            f"  [dim]{layer.measure}:[/] {layer.source} · value of {layer.value_date}{calculation}"
            + (f" · {layer.note}" if layer.note else ""),
            highlight=False,
        )
    if assessment.excluded:
        console.print("[bold]considered, not applied[/]")
        for excluded in assessment.excluded:
            console.print(f"  {excluded.measure:<28} [dim]{excluded.code.value}:[/] {excluded.reason}", highlight=False)
    total = format_money(assessment.total_amount) if assessment.total_amount is not None else "unknown"
    percent = (
        f"{format_decimal(assessment.total_ad_valorem_percent)}%"
        if assessment.total_ad_valorem_percent is not None
        else "unknown"
    )
    console.print(
        f"[bold]total duty[/] {total} ({percent} ad valorem) · rounding: {assessment.rounding}",
        highlight=False,
    )
    for warning in assessment.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)


def render_history(console: Console, result: History) -> None:
    query = result.query
    known = f"as known on {query.as_known_on}" if query.as_known_on else "each date as the law stood then"
    console.print(
        f"[bold]{format_code(query.code)}[/] · origin {query.origin} → {query.importer} · "
        f"{query.start} to {query.end} · {known}",
        highlight=False,
    )
    table = Table(show_lines=False)
    table.add_column("date")
    table.add_column("total ad valorem", justify="right")
    table.add_column("what changed", overflow="fold")
    for step in result.steps:
        total = (
            f"{format_decimal(step.total_ad_valorem_percent)}%" if step.total_ad_valorem_percent is not None else "—"
        )
        changes = (
            "\n".join(
                f"{change.measure}: {change.from_ or '—'} → {change.to or '—'}"
                + (f" ({change.reason})" if change.reason else (f" · {change.source}" if change.source else ""))
                for change in step.changes
            )
            or "(start)"
        )
        table.add_row(str(step.date), total, changes)
    console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)


def render_measures(console: Console, pack: Pack) -> None:
    table = Table(title=f"{pack.meta.name} {pack.meta.version} · cut-off {pack.meta.cutoff}", title_justify="left")
    for column in ("measure", "by", "direction", "partners", "kind", "authority", "values"):
        table.add_column(column, overflow="fold")
    for measure in pack.measures.values():
        values = ", ".join(f"{key}: {_value_text(measure, key)}" for key in measure.values)
        table.add_row(
            measure.id,
            measure.imposed_by,
            measure.direction.value,
            ",".join(measure.partners),
            measure.kind.value,
            measure.authority,
            values,
        )
    console.print(table)


def measures_markdown(pack: Pack) -> str:
    """The pack's measures as a Markdown table, for the README (kept equal to the pack by a test)."""
    counted = count_confidence(pack)
    areas: dict[str, list[int]] = {}
    for measure in pack.measures.values():
        area = areas.setdefault(".".join(measure.id.split(".")[:2]), [0, 0])
        area[0] += sum(1 for value in measure.values.values() if value.confidence.value == "confirmed")
        area[1] += len(measure.values)
    by_area = ", ".join(f"`{name}` {confirmed}/{total}" for name, (confirmed, total) in sorted(areas.items()))
    lines = [
        f"Pack `{pack.meta.name}` {pack.meta.version}, cut-off {pack.meta.cutoff}: {len(pack.measures)} measures. "
        f"{counted.values_confirmed} of {counted.values} dated values ({counted.values_confirmed_percent:.1f}%) are "
        f"confirmed in their primary text; by area: {by_area}.",
        "",
        "| measure | by → on | kind | values (from: rate) | confirmed |",
        "|---|---|---|---|---|",
    ]
    for measure in pack.measures.values():
        values = ", ".join(f"{key}: {_value_text(measure, key)}" for key in measure.values)
        values += "".join(
            f"; {s.rate.text if s.rate else 'all'} suspended {s.from_} to {s.until or 'open'}"
            for s in measure.suspensions
        )
        confirmed = sum(1 for value in measure.values.values() if value.confidence.value == "confirmed")
        arrow = "→" if measure.direction.value == "import" else "exports to"
        lines.append(
            f"| `{measure.id}` | {measure.imposed_by} {arrow} {', '.join(measure.partners)} | {measure.kind.value} | "
            f"{values} | {confirmed}/{len(measure.values)} |"
        )
    return "\n".join(lines)


def _value_text(measure: Measure, key: object) -> str:
    value = measure.values[key]  # type: ignore[index]
    if value.rates_by_code is not None:
        return f"{len(value.rates_by_code)} rates by code"
    if value.applies is not None:
        return "applies" if value.applies else "ends"
    return value.rate.text if value.rate is not None else "ends"
