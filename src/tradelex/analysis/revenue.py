"""Revenue and trade: monthly imports and duties, static (no behaviour change) and with import-demand elasticities.

Per product p (HS6 by default) and month m: base imports B_p = the weights year's imports / 12 (no seasonality);
the product's rate t_pm is the day-weighted mean over the month of the panel's total rate (MFN + additional; the
additional rate alone where MFN is not in the data), the mean of the schedule lines under the product.
    static:  imports = B_p,                                  duties = imports x t_pm / 100
    elastic: imports = B_p x ((1 + t_pm/100) / (1 + t_p0/100)) ^ (-e_p),  duties = imports x t_pm / 100
t_p0 is the rate on the start date (the weights year's tariffs when the start is before the first measure) and e_p
the elasticity of the product's HS section (elasticities.yaml). Money is Decimal: each product-month amount is rounded
half-up to the cent, sums are exact; rates come from DuckDB in double precision rounded to six decimals.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from importlib.resources import files
from typing import Any

import duckdb
import pyarrow as pa
import yaml
from pydantic import BaseModel

from tradelex.analysis.average import LEVELS, bundled_weights
from tradelex.analysis.panel import build_panel, panel_spec
from tradelex.engine.mfn import INSTALLED_MFN, MfnSource
from tradelex.errors import InputError
from tradelex.money import CENT
from tradelex.rules.model import ALL_PARTNERS, Pack

SIX = Decimal("0.000001")


class MonthFigures(BaseModel):
    month: str
    average_rate_percent: Decimal
    imports_static: Decimal
    duties_static: Decimal
    imports_elastic: Decimal
    duties_elastic: Decimal


class RevenueProjection(BaseModel):
    query: dict[str, Any]
    months: list[MonthFigures]
    totals: dict[str, Decimal]
    elasticities: dict[str, Any]
    notes: list[str]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "months": [
                {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in m.model_dump().items()}
                for m in self.months
            ],
            "totals": {k: format(v, "f") for k, v in self.totals.items()},
            "elasticities": self.elasticities,
            "notes": self.notes,
        }


def default_elasticities() -> dict[str, Any]:
    text = (files("tradelex.analysis") / "elasticities.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def _section_of(chapter: int, sections: dict[str, Any]) -> str | None:
    for name, entry in sections.items():
        first, last = (int(x) for x in str(entry["chapters"]).split("-"))
        if first <= chapter <= last:
            return name
    return None


def project_revenue(
    pack: Pack,
    importer: str,
    exporter: str,
    start: date,
    end: date,
    elasticities: dict[str, Any] | None = None,
    weights_year: int = 2017,
    level: str = "hs6",
    *,
    weights: pa.Table | None = None,
    panel: pa.Table | None = None,
    mfn: MfnSource | None = INSTALLED_MFN,
    lines: Callable[[str, date], Sequence[str]] | None = None,
) -> RevenueProjection:
    """Monthly imports and duties from `start` to `end` (whole months), static and with elasticities."""
    if end < start:
        raise InputError("end", f"the end {end} is before the start {start}")
    if level not in LEVELS:
        raise InputError("level", f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    config = elasticities or default_elasticities()
    default = Decimal(str(config["default"]["value"]))
    sections = config.get("sections", {}) or {}
    spec = panel_spec(pack, importer, start, end, mfn)
    partner = exporter if exporter in spec.partners else ALL_PARTNERS
    if weights is None:
        weights, _, lines, _ = bundled_weights(importer, exporter, weights_year, lines)
    if panel is None:
        panel = build_panel(pack, start, end, importers=[importer], partners=[partner], mfn=mfn, lines=lines)
    digits = LEVELS[level]
    months = _months(start, end)
    rates = _product_month_rates(panel, weights, importer, partner, digits, months, start)
    by_month: dict[str, dict[str, Decimal]] = {m: dict.fromkeys(
        ("weighted", "base", "imports_static", "duties_static", "imports_elastic", "duties_elastic"), Decimal(0))
        for m, _, _ in months}  # fmt: skip
    for product, value_usd, month, rate, base_rate in rates:
        epsilon = default
        section = _section_of(int(product[:2]), sections)
        if section is not None:
            epsilon = Decimal(str(sections[section]["value"]))
        base = (Decimal(value_usd) / 12).quantize(CENT, ROUND_HALF_UP)
        t = Decimal(repr(rate)).quantize(SIX)
        t0 = Decimal(repr(base_rate)).quantize(SIX)
        factor = Decimal(repr(float((1 + t / 100) / (1 + t0 / 100)) ** float(-epsilon)))
        elastic = (base * factor).quantize(CENT, ROUND_HALF_UP)
        figures = by_month[month]
        figures["base"] += base
        figures["weighted"] += base * t
        figures["imports_static"] += base
        figures["duties_static"] += (base * t / 100).quantize(CENT, ROUND_HALF_UP)
        figures["imports_elastic"] += elastic
        figures["duties_elastic"] += (elastic * t / 100).quantize(CENT, ROUND_HALF_UP)
    rows = [
        MonthFigures(
            month=m, average_rate_percent=(f["weighted"] / f["base"]).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            if f["base"] else Decimal(0),
            **{k: f[k] for k in ("imports_static", "duties_static", "imports_elastic", "duties_elastic")},
        )
        for m, f in by_month.items()
    ]  # fmt: skip
    totals = {k: sum((getattr(r, k) for r in rows), Decimal(0)) for k in
              ("imports_static", "duties_static", "imports_elastic", "duties_elastic")}  # fmt: skip
    query = {"importer": importer, "exporter": exporter, "from": start.isoformat(), "to": end.isoformat(),
             "weights_year": weights_year, "level": level}  # fmt: skip
    notes = [
        "Base imports are the weights year's trade / 12 for every month (no seasonality, no growth).",
        "Duties are rounded half-up to the cent per product and month; totals are exact sums of those amounts.",
        "Elastic imports respond to the change of (1 + tariff) since the start date with the elasticity of the "
        "product's HS section; trade diversion and exchange rates are not modelled.",
    ]
    return RevenueProjection(query=query, months=rows, totals=totals, elasticities=config, notes=notes)


def _months(start: date, end: date) -> list[tuple[str, date, date]]:
    """(YYYY-MM, first day, day after the last) for every month that meets [start, end]."""
    months = []
    day = start.replace(day=1)
    while day <= end:
        last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        months.append((f"{day:%Y-%m}", day, last + timedelta(days=1)))
        day = last + timedelta(days=1)
    return months


def _product_month_rates(
    panel: pa.Table,
    weights: pa.Table,
    importer: str,
    partner: str,
    digits: int,
    months: list[tuple[str, date, date]],
    start: date,
) -> list[tuple[str, int, str, float, float]]:
    """(product, weight in USD, month, day-weighted rate in the month, rate on the start date)."""
    with duckdb.connect() as db:
        db.register("panel_all", panel)
        db.register("weights_all", weights)
        db.register("months", pa.table({"month": [m for m, _, _ in months], "m_from": [a for _, a, _ in months],
                                         "m_to": [b for _, _, b in months]}))  # fmt: skip
        db.execute(f"""
            CREATE TEMP TABLE products AS
            SELECT date, substr(code, 1, {digits}) AS product,
                   avg(coalesce(total_percent, additional_percent)::DOUBLE) AS rate
            FROM panel_all WHERE importer = '{importer}' AND partner = '{partner}' GROUP BY 1, 2
        """)
        db.execute("""
            CREATE TEMP TABLE spans AS
            SELECT product, date AS s_from,
                   coalesce(lead(date) OVER (PARTITION BY product ORDER BY date), DATE '9999-12-31') AS s_to, rate
            FROM products
        """)
        rows: list[tuple[str, int, str, float, float]] = db.sql(f"""
            WITH w AS (SELECT substr(code, 1, {digits}) AS product, sum(value_usd) AS value FROM weights_all
                       WHERE value_usd > 0 GROUP BY 1),
            monthly AS (
                SELECT s.product, m.month,
                       sum(s.rate * date_diff('day', greatest(s.s_from, m.m_from), least(s.s_to, m.m_to)))
                           / sum(date_diff('day', greatest(s.s_from, m.m_from), least(s.s_to, m.m_to))) AS rate
                FROM spans s JOIN months m ON s.s_from < m.m_to AND s.s_to > m.m_from GROUP BY 1, 2
            ),
            base AS (SELECT product, rate FROM spans WHERE s_from <= DATE '{start}' AND s_to > DATE '{start}')
            SELECT w.product, w.value, x.month, x.rate, b.rate
            FROM w JOIN monthly x USING (product) JOIN base b USING (product) ORDER BY x.month, w.product
        """).fetchall()
    return rows
