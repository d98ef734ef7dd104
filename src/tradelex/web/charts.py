"""Chart figures as plain plotly.js JSON ({data, layout}), built from the API's documents.

Building the dictionaries here keeps plotly's Python figure classes (slow to import) off the request path; the page
hands the JSON to Plotly.newPlot.
"""

from __future__ import annotations

from typing import Any

LAYOUT = {
    "margin": {"l": 60, "r": 20, "t": 30, "b": 40},
    "font": {"family": "system-ui, sans-serif", "size": 13},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
}


def duty_stack(assessment: dict[str, Any]) -> dict[str, Any] | None:
    """One horizontal bar, the total, stacked by layer: amounts when the value is known, else ad valorem rates."""
    layers = assessment["layers"]
    use_amounts = all(layer["amount"] is not None for layer in layers) and assessment["query"]["value"] is not None
    key = "amount" if use_amounts else "ad_valorem_equivalent_percent"
    shown = [layer for layer in layers if layer.get(key) is not None]
    if not shown:
        return None
    data = [
        {"type": "bar", "orientation": "h", "name": layer["measure"], "y": ["total"], "x": [float(layer[key])],
         "hovertemplate": f"{layer['measure']}: {layer[key]}{'' if use_amounts else '%'}<extra></extra>"}
        for layer in shown
    ]  # fmt: skip
    title = "duty by layer (amount)" if use_amounts else "duty by layer (% of value)"
    legend = {"orientation": "h", "y": -0.4, "traceorder": "normal"}
    layout = LAYOUT | {"barmode": "stack", "height": 180, "title": {"text": title, "x": 0}, "legend": legend,
                       "yaxis": {"visible": False}}  # fmt: skip
    return {"data": data, "layout": layout}


def history_steps(document: dict[str, Any]) -> dict[str, Any] | None:
    """The total ad valorem rate as a step line from each change to the next, to the end of the period."""
    steps = [step for step in document["steps"] if step["total_ad_valorem_percent"] is not None]
    if not steps:
        return None
    dates = [step["date"] for step in steps] + [document["query"]["to"]]
    totals = [float(step["total_ad_valorem_percent"]) for step in steps]
    texts = ["<br>".join(f"{c['measure']}: {c['from'] or '—'} → {c['to'] or '—'}" for c in step["changes"][:6])
             for step in steps]  # fmt: skip
    data = [{"type": "scatter", "mode": "lines+markers", "line": {"shape": "hv"}, "x": dates,
             "y": [*totals, totals[-1]], "text": [*texts, ""], "name": "total",
             "hovertemplate": "%{x}: %{y}%<br>%{text}<extra></extra>"}]  # fmt: skip
    layout = LAYOUT | {"height": 360, "yaxis": {"title": {"text": "total duty, % of value"}, "rangemode": "tozero"},
                       "xaxis": {"type": "date"}}  # fmt: skip
    return {"data": data, "layout": layout}


def licence_indicators(months: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Applications filed, approved and denied by month (bars), and the approval rate (line, right axis)."""
    if not any(month["applications"] or month["approvals"] or month["denials"] for month in months):
        return None
    x = [month["month"] for month in months]
    bars = [{"type": "bar", "name": name, "x": x, "y": [month[key] for month in months]}
            for key, name in (("applications", "filed"), ("approvals", "approved"), ("denials", "denied"))]  # fmt: skip
    rate = {"type": "scatter", "mode": "lines+markers", "name": "approval rate", "yaxis": "y2", "x": x,
            "y": [None if m["approval_rate"] is None else float(m["approval_rate"]) for m in months]}  # fmt: skip
    layout = LAYOUT | {"height": 320, "barmode": "group", "yaxis": {"title": {"text": "applications"}},
                       "yaxis2": {"overlaying": "y", "side": "right", "range": [0, 1], "tickformat": ".0%",
                                  "title": {"text": "approval rate"}},
                       "legend": {"orientation": "h", "y": -0.25}}  # fmt: skip
    return {"data": [*bars, rate], "layout": layout}
