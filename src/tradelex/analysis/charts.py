"""Charts of average series: step lines per direction, annotated with the measures that moved them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from tradelex.analysis.average import AverageSeries
from tradelex.errors import InputError


def _label(series: AverageSeries) -> str:
    q = series.query
    return f"{q['importer']} on goods of {q['exporter']}"


def average_figure(series: list[AverageSeries]) -> go.Figure:
    """One step line per direction (total and additional), each step annotated with the measures behind it."""
    figure = go.Figure()
    for one in series:
        days = [p.date for p in one.series]
        totals = [float(p.average_percent) if p.average_percent is not None else None for p in one.series]
        extra = [float(p.average_additional_percent or 0) for p in one.series]
        hover = ["<br>".join(p.changed_by) or "start" for p in one.series]
        figure.add_trace(go.Scatter(x=days, y=totals, mode="lines", line_shape="hv", name=f"{_label(one)}: total",
                                    text=hover, hovertemplate="%{x}: %{y:.2f}%<br>%{text}"))  # fmt: skip
        figure.add_trace(go.Scatter(x=days, y=extra, mode="lines", line_shape="hv", line_dash="dot",
                                    name=f"{_label(one)}: additional", text=hover,
                                    hovertemplate="%{x}: %{y:.2f}%<br>%{text}"))  # fmt: skip
        for point, value in zip(one.series, extra, strict=True):
            if point.changed_by and len(point.changed_by) <= 2:
                figure.add_annotation(x=point.date, y=value, text=", ".join(point.changed_by), showarrow=True,
                                      arrowhead=1, font={"size": 9}, textangle=-30)  # fmt: skip
    figure.update_layout(title="Trade-weighted average tariff", yaxis_title="percent", xaxis_title="date",
                         template="plotly_white", legend={"orientation": "h"})  # fmt: skip
    return figure


def write_chart(series: list[AverageSeries], path: Path) -> None:
    """PNG through matplotlib, or self-contained interactive HTML through plotly (its JS embedded, no CDN)."""
    suffix = path.suffix.lower()
    if suffix == ".html":
        average_figure(series).write_html(path, include_plotlyjs=True, full_html=True)
        return
    if suffix != ".png":
        raise InputError("chart", f"a chart is .png or .html, got {path.name}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 6))
    for one in series:
        days: Any = [p.date for p in one.series]  # matplotlib takes dates; its stubs say arrays
        totals = [float(p.average_percent) if p.average_percent is not None else float("nan") for p in one.series]
        extra = [float(p.average_additional_percent or 0) for p in one.series]
        ax.step(days, totals, where="post", label=f"{_label(one)}: total")
        ax.step(days, extra, where="post", linestyle=":", label=f"{_label(one)}: additional")
        for point, value in zip(one.series, extra, strict=True):
            if point.changed_by and len(point.changed_by) <= 2:
                ax.annotate(", ".join(point.changed_by), (point.date, value), fontsize=6, rotation=30)
    ax.set_ylabel("percent")
    ax.set_title("Trade-weighted average tariff")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
