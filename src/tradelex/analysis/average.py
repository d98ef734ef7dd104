"""Trade-weighted average tariffs at every date the pack changes, from the rate panel and a year's bilateral trade.

The method (as PIIE's chart): each product's rate is the simple mean of the schedule lines under it (`level`: hs6 by
default, or hs8 / hs10); its weight is the chosen year's imports of that product from the exporter; the average is
the weighted mean over the products the trade data and the schedule share. Trade under codes the schedule no longer
has (nomenclature changes) is reported as unmatched, never guessed. Averages are rates, not money: they are computed
in double precision by DuckDB and printed with four decimals, rounded half-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel

from tradelex.analysis.panel import LINE_SOURCES, SPECIAL_CHAPTERS, build_panel, panel_spec
from tradelex.data.catalog import read_table
from tradelex.engine.mfn import INSTALLED_MFN, MfnSource
from tradelex.engine.timeline import change_dates
from tradelex.errors import DataError, InputError
from tradelex.rules.model import ALL_PARTNERS, Direction, Pack

LEVELS = {"hs6": 6, "hs8": 8, "hs10": 10}
# (importer, exporter, year) -> (dataset, code column, what the weights are)
WEIGHTS = {
    ("US", "CN", 2017): ("trade_us_imports_cn_hts10_2017", "hs_code", "US general imports from China, 2017 (Census)"),
    ("US", "CN", 2024): (
        "trade_us_imports_cn_hts10_2024", "hs_code", "US imports for consumption from China, 2024 (Census)"
    ),
    ("CN", "US", 2017): ("china_imports_us_hs8_2017", "hs8", "China's imports from the US, 2017 (China-reported)"),
}  # fmt: skip
# Weights whose codes are the importer's tariff lines of their own time, and the day those lines gave way to a new
# nomenclature. The 2017 US data is in HTSUS 2017 codes (HS 2017), the nomenclature of the HTSUS until the HS 2022
# edition took effect on 2022-01-01 (WCO: HS 2022 entered into force on 1 January 2022). Before that day the engine
# prices the weights' own codes (the pack's 2018-2021 product lists are code prefixes in that nomenclature), so no
# trade is lost to later code changes (8517.12, smartphones, became 8517.13 in 2022); from that day the schedule's
# lines are priced and 2017 codes that no longer exist are reported as unmatched. China's lines are its 2018 codes, the
# nomenclature of its 2017 weights, so nothing changes there.
OWN_CODES_UNTIL = {("US", 2017): date(2022, 1, 1)}
NOMENCLATURE_STEP = "nomenclature.hs2022"
FOUR_PLACES = Decimal("0.0001")


class AveragePoint(BaseModel):
    date: date
    average_percent: Decimal | None
    average_additional_percent: Decimal | None
    coverage_percent: Decimal | None
    changed_by: list[str]
    coverage_by_layer: dict[str, Decimal]
    mfn_known_percent: Decimal | None
    weights_matched_percent: Decimal | None = None


class AverageSeries(BaseModel):
    query: dict[str, Any]
    series: list[AveragePoint]
    weights: dict[str, Any]
    notes: list[str]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "series": [
                {
                    "date": p.date.isoformat(),
                    "average_percent": _text(p.average_percent),
                    "average_additional_percent": _text(p.average_additional_percent),
                    "coverage_percent": _text(p.coverage_percent),
                    "changed_by": p.changed_by,
                    "coverage_by_layer": {m: _text(v) for m, v in p.coverage_by_layer.items()},
                    "mfn_known_percent": _text(p.mfn_known_percent),
                    "weights_matched_percent": _text(p.weights_matched_percent),
                }
                for p in self.series
            ],
            "weights": self.weights,
            "notes": self.notes,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def trade_weights(importer: str, exporter: str, year: int) -> tuple[pa.Table, dict[str, Any]]:
    """The bundled (or imported) trade of `year` as weights: a table (code, value_usd) and its provenance."""
    key = (importer, exporter, year)
    if key not in WEIGHTS:
        known = ", ".join(f"{i} from {e} in {y}" for i, e, y in WEIGHTS)
        raise InputError(
            "weights_year", f"no trade weights for {importer} imports from {exporter} in {year}; known: {known}"
        )
    dataset, column, what = WEIGHTS[key]
    found = read_table(dataset)
    if found is None:
        raise DataError(dataset, "the dataset is not installed (tradelex data status)")
    table, provenance = found
    weights = pa.table(
        {"code": table.column(column).cast(pa.string()), "value_usd": table.column("value_usd").cast(pa.int64())}
    )
    return weights, {"dataset": dataset, "what": what, "year": year, "revision": provenance.get("revision"),
                     "authority": provenance.get("authority"), "where": provenance.get("where")}  # fmt: skip


def average_series(
    pack: Pack,
    importer: str,
    exporter: str,
    start: date,
    end: date,
    weights_year: int = 2017,
    level: str = "hs6",
    products: str | None = None,
    *,
    weights: pa.Table | None = None,
    panel: pa.Table | None = None,
    mfn: MfnSource | None = INSTALLED_MFN,
    lines: Callable[[str, date], Sequence[str]] | None = None,
) -> AverageSeries:
    """The trade-weighted average tariff of `importer` on goods of `exporter` at every date it changes.

    `weights` (code, value_usd) replaces the bundled trade, `panel` a panel already built, `lines` the schedule's
    lines (small hand-checked cases); `products` is a comma-separated list of code prefixes ("72,73").
    """
    if level not in LEVELS:
        raise InputError("level", f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    if end < start:
        raise InputError("end", f"the end {end} is before the start {start}")
    prefixes = _products(products)
    spec = panel_spec(pack, importer, start, end, mfn)
    partner = exporter if exporter in spec.partners else ALL_PARTNERS
    provenance: dict[str, Any] = {"dataset": "given", "what": "weights given by the caller", "year": weights_year}
    own_until: date | None = None
    if weights is None:
        weights, provenance, lines, own_until = bundled_weights(importer, exporter, weights_year, lines)
    if panel is None:
        panel = build_panel(pack, start, end, importers=[importer], partners=[partner], mfn=mfn, lines=lines)
    rows, unmatched = _aggregate(panel, weights, importer, partner, LEVELS[level], prefixes)
    series = _steps(pack, importer, partner, rows, own_until)
    query = {"importer": importer, "exporter": exporter, "from": start.isoformat(), "to": end.isoformat(),
             "weights_year": weights_year, "level": level, "products": products, "pack": pack.meta.name,
             "pack_version": pack.meta.version, "cutoff": pack.meta.cutoff.isoformat()}  # fmt: skip
    notes = [
        f"Up to {_text(_four(unmatched))}% of the weighting trade is under codes the lines priced on a date do not "
        f"have at {level} (nomenclature changes); it is left out of that date's average (weights_matched_percent).",
        "A layer whose amount needs a quantity or a content value (specific duties, duties on metal content), and "
        "measures that apply only to goods claimed as automobile or truck parts, are not in the averages.",
    ]
    if own_until is not None:
        notes.append(
            f"Before {own_until} the weights' own {weights_year} codes are priced (the nomenclature of that time); "
            f"from {own_until} the schedule's lines. MFN rates are those of the installed schedule: a "
            f"{weights_year} code it no longer has has no MFN rate and is left out of average_percent only "
            "(mfn_known_percent)."
        )
    if any(p.average_percent is None for p in series):
        notes.append("average_percent is null where the importer's own (MFN) rates are not in the data.")
    return AverageSeries(query=query, series=series, weights=provenance, notes=notes)


def bundled_weights(
    importer: str, exporter: str, year: int, lines: Callable[[str, date], Sequence[str]] | None
) -> tuple[pa.Table, dict[str, Any], Callable[[str, date], Sequence[str]] | None, date | None]:
    """The bundled weights, their provenance, the lines to price (the weights' own codes while they are the
    nomenclature in force, unless the caller gives lines) and the day those own codes end (None: not used)."""
    weights, provenance = trade_weights(importer, exporter, year)
    until = OWN_CODES_UNTIL.get((importer, year)) if lines is None else None
    return weights, provenance, (own_code_lines(weights, until) if until is not None else lines), until


def own_code_lines(weights: pa.Table, until: date) -> Callable[[str, date], Sequence[str]]:
    """Lines for the panel: the weights' own codes before `until`, the importer's schedule from then on."""
    own = tuple(sorted({c for c in weights.column("code").to_pylist() if c and c[:2] not in SPECIAL_CHAPTERS}))

    def lines(importer: str, day: date) -> Sequence[str]:
        return own if day < until else LINE_SOURCES[importer](day)

    return lines


def _products(products: str | None) -> list[str]:
    if products is None:
        return []
    prefixes = [p.strip().replace(".", "") for p in products.split(",") if p.strip()]
    bad = [p for p in prefixes if not p.isdigit()]
    if bad or not prefixes:
        raise InputError("products", f"give code prefixes separated by commas, such as 72,73 or 8471; got {products!r}")
    return prefixes


def _aggregate(
    panel: pa.Table, weights: pa.Table, importer: str, partner: str, digits: int, prefixes: list[str]
) -> tuple[list[dict[str, Any]], float]:
    """Per date: the weighted averages, MFN coverage and each layer's share of trade (percent)."""
    product_filter = " OR ".join(f"starts_with(code, '{p}')" for p in prefixes) or "true"
    with duckdb.connect() as db:
        db.register("panel_all", panel)
        db.register("weights_all", weights)
        db.execute(f"""
            CREATE TEMP TABLE panel AS SELECT * FROM panel_all
            WHERE importer = '{importer}' AND partner = '{partner}' AND ({product_filter})
        """)
        db.execute(f"""
            CREATE TEMP TABLE w AS SELECT substr(code, 1, {digits}) AS product, sum(value_usd)::DOUBLE AS value
            FROM weights_all WHERE value_usd > 0 AND ({product_filter}) GROUP BY 1
        """)
        db.execute(f"""
            CREATE TEMP TABLE products AS
            SELECT date, substr(code, 1, {digits}) AS product,
                   avg(additional_percent::DOUBLE) AS additional, avg(total_percent::DOUBLE) AS total,
                   avg(CASE WHEN additional_percent > 0 THEN 1.0 ELSE 0.0 END) AS covered
            FROM panel GROUP BY 1, 2
        """)
        (total_value,) = db.sql("SELECT coalesce(sum(value), 0) FROM w").fetchall()[0]
        averages = db.sql(f"""
            SELECT p.date,
                   sum(w.value * p.additional) / sum(w.value) AS additional,
                   sum(w.value * p.total) FILTER (WHERE p.total IS NOT NULL)
                       / sum(w.value) FILTER (WHERE p.total IS NOT NULL) AS total,
                   100 * sum(w.value) FILTER (WHERE p.total IS NOT NULL) / sum(w.value) AS mfn_known,
                   100 * sum(w.value * p.covered) / sum(w.value) AS coverage,
                   100 * sum(w.value) / {total_value or 1.0} AS matched
            FROM products p JOIN w USING (product) GROUP BY p.date ORDER BY p.date
        """).fetchall()
        # each layer's share of the trade matched on the date (as the averages: products priced on that date)
        layers = db.sql(
            """
            WITH line_layers AS (
                SELECT date, substr(code, 1, ?) AS product, unnest(measures) AS measure, code FROM panel
            ), counts AS (SELECT date, substr(code, 1, ?) AS product, count(*) AS lines FROM panel GROUP BY 1, 2),
            matched AS (SELECT p.date, sum(w.value) AS value FROM (SELECT DISTINCT date, product FROM products) p
                        JOIN w USING (product) GROUP BY 1)
            SELECT l.date, l.measure, 100 * sum(w.value * l.n / c.lines) / any_value(m.value) AS share
            FROM (SELECT date, product, measure, count(*) AS n FROM line_layers GROUP BY ALL) l
            JOIN counts c USING (date, product) JOIN w USING (product) JOIN matched m ON m.date = l.date
            GROUP BY l.date, l.measure
        """.replace("?", str(digits))
        ).fetchall()
    by_layer: dict[date, dict[str, Decimal]] = {}
    for day, measure, share in layers:
        by_layer.setdefault(day, {})[measure] = _four(share) or Decimal(0)
    rows = [
        {"date": day, "additional": additional, "total": total, "mfn_known": known, "coverage": coverage,
         "matched": matched, "layers": dict(sorted(by_layer.get(day, {}).items()))}
        for day, additional, total, known, coverage, matched in averages
    ]  # fmt: skip
    least = min((row["matched"] for row in rows), default=100.0)
    unmatched = 100 - least if total_value else 0.0
    return rows, unmatched


def _four(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def _steps(
    pack: Pack, importer: str, partner: str, rows: list[dict[str, Any]], own_until: date | None = None
) -> list[AveragePoint]:
    """The dates where an average, the coverage or a layer's share changes, each with the measures behind it (and
    `nomenclature.hs2022` on the day the weights' own codes give way to the schedule's lines)."""
    changing: dict[date, set[str]] = {}
    for measure in pack.measures.values():
        if (
            measure.direction is Direction.IMPORT
            and measure.imposed_by == importer
            and (partner in measure.partners or ALL_PARTNERS in measure.partners)
        ):
            for day in change_dates(measure):
                changing.setdefault(day, set()).add(measure.id)
    points: list[AveragePoint] = []
    previous: AveragePoint | None = None
    for row in rows:
        point = AveragePoint(
            date=row["date"], average_percent=_four(row["total"]), average_additional_percent=_four(row["additional"]),
            coverage_percent=_four(row["coverage"]), changed_by=[], coverage_by_layer=row["layers"],
            mfn_known_percent=_four(row["mfn_known"]), weights_matched_percent=_four(row["matched"]),
        )  # fmt: skip
        before = previous.coverage_by_layer if previous else {}
        moved = {
            m for m in set(before) | set(point.coverage_by_layer) if before.get(m) != point.coverage_by_layer.get(m)
        }
        candidates = changing.get(point.date, set()) & (set(before) | set(point.coverage_by_layer))
        if previous is not None and previous.average_percent != point.average_percent and not (moved | candidates):
            moved.add(f"{importer.lower()}.mfn")
        if previous is not None and own_until is not None and previous.date < own_until <= point.date:
            moved.add(NOMENCLATURE_STEP)
        point.changed_by = sorted(moved | candidates)
        if previous is None or _differs(previous, point):
            points.append(point)
        previous = point
    return points


def _differs(a: AveragePoint, b: AveragePoint) -> bool:
    keys = ("average_percent", "average_additional_percent", "coverage_percent", "coverage_by_layer",
            "weights_matched_percent")  # fmt: skip
    return any(getattr(a, k) != getattr(b, k) for k in keys)
