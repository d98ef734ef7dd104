"""The MFN layer as a table priced in SQL: one row of terms per (importer, schedule revision, column, code).

`mfn.MfnSource.mfn(line)` answers one line in Python. A schedule's answer depends only on the revision in force on the
entry date (the US: the HTSUS revision; China: the date of the compilation's rates), the column the origin pays
(column 2 for Cuba, North Korea, Russia and Belarus) and the code; so it is looked up once per such key, cached for
the life of the table (per revision), and joined to the lines in DuckDB. The rate becomes exact integer terms:
  * `linear`: the ad valorem parts on the whole value (millionths of a percent) plus at most one specific part
    (millionths of a dollar per unit, with its `over` threshold), priced per line as
        cents = (value·pct·den + max(quantity·num - over·den, 0)·spec·100 + den·5·10^11) ÷ (den·10^12)
    where num/den converts the line's unit into the rate's (kg→t, dozens→items, ...): the exact amount rounded
    half-up to the cent, as `round_cents(mfn_amount(...))` gives it (all terms are non-negative);
  * `unknown`: the schedule gives no amount (ambiguous line, rate by reference, a base the line does not give);
  * `python`: forms the terms cannot hold (minimum/maximum, the sugar and watch formulas, chapter 99 additions,
    33 1/3%, two specific parts): those lines, rare, are priced by `mfn.mfn_amount` itself.
A source other than the installed one (a test's fake) is keyed by (importer, origin, code, date) instead: nothing is
assumed about how it varies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tradelex.data import schedule_rates
from tradelex.data.schedule_rates import RateKind, ScheduleRate, schedule_unit
from tradelex.engine.line import Line
from tradelex.engine.mfn import COLUMN2_COUNTRIES, InstalledMfn, MfnRate, MfnSource, mfn_amount
from tradelex.money import round_cents
from tradelex.nomenclature.cn import rate_date_on
from tradelex.nomenclature.hts import schedule_on

MFN_SCHEMA = pa.schema([("line_id", pa.int64()), ("measure", pa.string()), ("amount_cents", pa.int64())])
TERMS_SCHEMA = pa.schema([
    ("importer", pa.string()), ("period", pa.string()), ("column_key", pa.string()), ("code", pa.string()),
    ("measure", pa.string()), ("mode", pa.string()), ("pct", pa.decimal128(38, 0)), ("spec", pa.decimal128(38, 0)),
    ("spec_unit", pa.string()), ("over", pa.decimal128(38, 0)),
])  # fmt: skip
MICRO = 10**6


@dataclass(frozen=True)
class Terms:
    measure: str
    mode: str  # linear, unknown or python
    pct: int | None = None  # millionths of a percent, on the whole value
    spec: int | None = None  # millionths of a dollar per spec_unit
    spec_unit: str | None = None
    over: int | None = None  # millionths of a unit not charged


def _millionths(value: Fraction | Decimal) -> int | None:
    scaled = Fraction(value) * MICRO
    return int(scaled) if scaled.denominator == 1 else None


def terms_of(rate: MfnRate | None) -> Terms | None:
    """The SQL terms of an MFN answer; None when there is no MFN layer at all."""
    if rate is None or (rate.rate_text is None and rate.reference is None):
        return None
    schedule = rate.rate
    if schedule is None or schedule.kind in (RateKind.NO_CHANGE, RateKind.OTHER):
        return Terms(rate.measure, "unknown")
    if schedule.kind is RateKind.FREE:
        return Terms(rate.measure, "linear")
    if not _plain(schedule):
        return Terms(rate.measure, "python")
    if any(not part.on_whole_value for part in schedule.ad_valorem):
        return Terms(rate.measure, "unknown")  # needs the value of a part the line does not give
    pct = _millionths(sum((part.exact for part in schedule.ad_valorem), Fraction(0))) if schedule.ad_valorem else None
    part = schedule.specific[0] if schedule.specific else None
    spec = _millionths(part.amount) if part else None
    over = _millionths(part.over) if part and part.over is not None else 0
    if (schedule.ad_valorem and pct is None) or (part and (spec is None or over is None)):
        return Terms(rate.measure, "python")
    return Terms(rate.measure, "linear", pct, spec, part.unit if part else None, over)


def _plain(rate: ScheduleRate) -> bool:
    return (
        rate.kind in (RateKind.AD_VALOREM, RateKind.SPECIFIC, RateKind.COMPOUND)
        and rate.minimum is None
        and rate.maximum is None
        and rate.degree_scale is None
        and rate.cap_note is None
        and len(rate.specific) <= 1
    )


class MfnTable:
    """The MFN terms of every key met so far, and the per-batch SQL that prices them."""

    def __init__(self, source: MfnSource) -> None:
        self.source = source
        self.installed = isinstance(source, InstalledMfn)
        self.terms: dict[tuple[str, str, str, str], Terms | None] = {}
        self.periods: dict[tuple[str, date], str] = {}
        self.units: dict[str, str] = {}
        self.conversions: dict[tuple[str, str], Fraction | None] = {}

    def _period(self, importer: str, day: date) -> str:
        if not self.installed:
            return day.isoformat()
        key = (importer, day)
        if key not in self.periods:
            if importer == "US":
                schedule, _ = schedule_on(day)
                self.periods[key] = schedule.revision if schedule else "none"
            elif importer == "CN":
                self.periods[key] = str(rate_date_on(day))
            else:
                self.periods[key] = "none"
        return self.periods[key]

    def _column_key(self, importer: str, origin: str) -> str:
        if not self.installed:
            return origin
        return "column2" if importer == "US" and origin in COLUMN2_COUNTRIES else "general"

    def amounts(self, lines: pa.Table) -> pa.Table:
        """(line_id, measure, amount_cents) of every line with an MFN layer; amount null when unknown."""
        with duckdb.connect() as db:
            db.register("lines", lines)
            db.register("periods", self._small_table(db, "date", self._period, pa.date32(), "period"))
            db.register("columns", self._small_table(db, "origin", self._column_key, pa.string(), "column_key"))
            # materialised first: left to itself the optimizer joins the small tables to the terms before the lines
            db.execute(f"CREATE TEMP TABLE keyed AS {_KEYED}")
            db.register("terms", self._terms_table(db))
            db.register("units", self._unit_table(db))
            priced = db.sql(_PRICE_SQL).to_arrow_table()
        python = priced.filter(pc.equal(priced.column("mode"), "python"))
        result = priced.select(["line_id", "measure", "amount_cents"]).cast(MFN_SCHEMA)
        if python.num_rows:
            result = self._python_amounts(result, python, lines)
        return result

    @staticmethod
    def _small_table(
        db: duckdb.DuckDBPyConnection, column: str, key: Callable[[str, Any], str], kind: pa.DataType, name: str
    ) -> pa.Table:
        """A key for each distinct (importer, date) or (importer, origin) of the batch: a few thousand at most."""
        pairs = db.sql(f"SELECT DISTINCT importer, {column} FROM lines").fetchall()
        return pa.table(
            {
                "importer": pa.array([importer for importer, _ in pairs], pa.string()),
                column: pa.array([value for _, value in pairs], kind),
                name: pa.array([key(importer, value) for importer, value in pairs], pa.string()),
            }
        )

    def _terms_table(self, db: duckdb.DuckDBPyConnection) -> pa.Table:
        """The terms of each distinct key of the batch, looked up in the schedule the first time it is met."""
        keys = db.sql("""
            SELECT importer, period, column_key, code, any_value(origin), any_value(date) FROM keyed
            GROUP BY ALL
        """).fetchall()
        rows = []
        for importer, period, column_key, code, origin, day in keys:
            key = (importer, period, column_key, code)
            if key not in self.terms:
                probe = Line.model_construct(importer=importer, origin=origin, code=code, date=day)
                self.terms[key] = terms_of(self.source.mfn(probe))
            found = self.terms[key]
            if found is not None:
                rows.append({"importer": importer, "period": period, "column_key": column_key, "code": code,
                             "measure": found.measure, "mode": found.mode, "pct": found.pct, "spec": found.spec,
                             "spec_unit": found.spec_unit, "over": found.over})  # fmt: skip
        return pa.Table.from_pylist(rows, schema=TERMS_SCHEMA)

    def _unit_table(self, db: duckdb.DuckDBPyConnection) -> pa.Table:
        """Each (line unit, rate unit) pair met: how many rate units one line unit is (num/den), when they convert."""
        pairs = db.sql("""
            SELECT DISTINCT l.unit, t.spec_unit FROM keyed l JOIN terms t USING (importer, period, column_key, code)
            WHERE l.unit IS NOT NULL AND t.spec_unit IS NOT NULL
        """).fetchall()
        rows = []
        for unit, spec_unit in pairs:
            if (unit, spec_unit) not in self.conversions:
                # the schedule's own unit arithmetic (schedule_rates), so that both paths convert alike
                self.conversions[(unit, spec_unit)] = schedule_rates.unit_conversion(schedule_unit(unit), spec_unit)
            factor = self.conversions[(unit, spec_unit)]
            if factor is not None:
                rows.append({"unit": unit, "spec_unit": spec_unit, "num": factor.numerator, "den": factor.denominator})
        return pa.Table.from_pylist(rows, schema=_UNIT_SCHEMA)

    def _python_amounts(self, result: pa.Table, python: pa.Table, lines: pa.Table) -> pa.Table:
        wanted = set(python.column("line_id").to_pylist())
        by_id = {row["line_id"]: row for row in lines.filter(pc.is_in(lines.column("line_id"),
                 pa.array(sorted(wanted), pa.int64()))).to_pylist()}  # fmt: skip
        amounts: dict[int, int | None] = {}
        for line_id in wanted:
            row = by_id[line_id]
            line = Line.model_construct(
                importer=row["importer"], origin=row["origin"], code=row["code"], date=row["date"],
                value=_decimal(row["value_micro"]), quantity=_decimal(row["quantity_micro"]), unit=row["unit"],
                content={}, claims=frozenset(row["claims"] or ()), loaded=row["loaded"],
            )  # fmt: skip
            answer = self.source.mfn(line)
            exact = mfn_amount(answer, line)[0] if answer is not None else None
            amounts[line_id] = None if exact is None else int(round_cents(exact).scaleb(2))
        ids = result.column("line_id").to_pylist()
        cents = result.column("amount_cents").to_pylist()
        fixed = [amounts.get(i, c) for i, c in zip(ids, cents, strict=True)]
        return result.set_column(2, "amount_cents", pa.array(fixed, pa.int64()))


def _decimal(millionths: int | None) -> Decimal | None:
    return None if millionths is None else Decimal(millionths).scaleb(-6)


# Each line with the key its MFN answer depends on.
_KEYED = """
    SELECT l.*, p.period, c.column_key FROM lines l
    JOIN periods p USING (importer, date) JOIN columns c USING (importer, origin)
"""
_UNIT_SCHEMA = pa.schema([("unit", pa.string()), ("spec_unit", pa.string()), ("num", pa.int64()), ("den", pa.int64())])

# Integer arithmetic only (HUGEINT): value and quantity in millionths, pct in millionths of a percent, spec in
# millionths of a dollar; value·pct is in 1e-14 dollars, quantity·spec·100 too. See the module's docstring.
_PRICE_SQL = """
    WITH joined AS (
        SELECT l.line_id, t.measure, t.mode,
               CAST(t.pct AS HUGEINT) AS pct, CAST(t.spec AS HUGEINT) AS spec, CAST(t.over AS HUGEINT) AS over_,
               CAST(l.value_micro AS HUGEINT) AS value_micro, CAST(l.quantity_micro AS HUGEINT) AS quantity_micro,
               CAST(u.num AS HUGEINT) AS num, CAST(coalesce(u.den, 1) AS HUGEINT) AS den, u.unit IS NOT NULL AS converts
        FROM keyed l JOIN terms t USING (importer, period, column_key, code)
        LEFT JOIN units u ON u.unit = l.unit AND u.spec_unit = t.spec_unit
    ),
    parts AS (
        SELECT *,
               CASE WHEN pct IS NULL THEN 0 WHEN value_micro IS NULL THEN NULL ELSE value_micro * pct * den END
                   AS pct_part,
               CASE WHEN spec IS NULL THEN 0 WHEN quantity_micro IS NULL OR NOT converts THEN NULL
                    ELSE greatest(quantity_micro * num - over_ * den, 0) * spec * 100 END AS spec_part
        FROM joined
    )
    SELECT line_id, measure, mode,
           CASE WHEN mode = 'linear' THEN (pct_part + spec_part + den * 500000000000) // (den * 1000000000000) END
               AS amount_cents
    FROM parts ORDER BY line_id
"""
