"""The rate panel: the rate of every schedule line for each partner at every date the pack changes.

One row per (importer, partner, line, date): the importer's own (MFN) rate, the additional rate of the pack's
measures, their sum, and the measures that applied. The averages, the revenue projections and the dashboard read this
table; it is built by the DuckDB engine (`evaluate_lines`) over all the lines at once, in batches of dates, never
line by line in Python.

How a rate is read from the engine: each line is priced at a customs value of USD 1,000,000 (10^8 cents), so a
layer's amount in cents is exactly 10^6 x its percentage for any rate with at most six decimal places (the engine
rounds half-up to the cent per layer; at this value no rounding occurs). A layer whose amount the engine cannot know
(a specific duty without a quantity, a duty on a metal content the line does not give) is listed in
`unknown_measures` and left out of `additional_percent`.

Partners: each partner a measure names (CN, HK, MO for the US; US for China), and `*`, any other partner, which
meets only the measures that apply to every partner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from tradelex.engine.compile import CompiledPack, compile_pack
from tradelex.engine.duck import LINE_SCHEMA, evaluate_lines
from tradelex.engine.line import Line
from tradelex.engine.mfn import COLUMN2_COUNTRIES, INSTALLED_MFN, MfnSource, mfn_amount
from tradelex.engine.timeline import change_dates
from tradelex.errors import InputError
from tradelex.nomenclature.cn import china_lines, rate_date_on
from tradelex.nomenclature.hts import schedule_on
from tradelex.rules.model import ALL_PARTNERS, Direction, Kind, Pack

PRICED_VALUE_MICRO = 10**12  # USD 1,000,000 in millionths: a layer's cents = 10^6 x its percent
BATCH_ROWS = 300_000  # lines per engine call: bounds the memory of one DuckDB plan
PERCENT = pa.decimal128(18, 6)
SPECIAL_CHAPTERS = ("98", "99")

PANEL_SCHEMA = pa.schema([
    ("importer", pa.string()), ("partner", pa.string()), ("code", pa.string()), ("date", pa.date32()),
    ("mfn_percent", PERCENT), ("additional_percent", PERCENT), ("total_percent", PERCENT),
    ("measures", pa.list_(pa.string())), ("unknown_measures", pa.list_(pa.string())),
])  # fmt: skip

# Which schedule lines each importer has: the leaf lines that carry or inherit a rate.
LineSource = Callable[[date], Sequence[str]]


@dataclass(frozen=True)
class PanelSpec:
    """What a panel covers: the importer, its partners, the dates, and where its lines come from."""

    importer: str
    partners: tuple[str, ...]
    dates: dict[str, list[date]]  # partner -> the dates on which its rates may change


def _us_lines(day: date) -> Sequence[str]:
    schedule, _ = schedule_on(day)
    if schedule is None:
        return ()
    if schedule.revision not in _LEAF_LINES:
        _LEAF_LINES[schedule.revision] = _leaf_lines(list(schedule.lines))
    return _LEAF_LINES[schedule.revision]


_LEAF_LINES: dict[str, tuple[str, ...]] = {}


def _leaf_lines(digits: list[str]) -> tuple[str, ...]:
    """The HTSUS statistical lines (10 digits), and the 8-digit lines that have none. Chapters 98 and 99 are left out:
    their lines are special provisions (US goods returned, the additional duties themselves), not goods with a rate."""
    parents = {code[:8] for code in digits if len(code) == 10}
    return tuple(sorted(c for c in digits if c[:2] not in SPECIAL_CHAPTERS and (len(c) == 10 or c not in parents)))


def _china_lines(day: date) -> Sequence[str]:
    return tuple(sorted(china_lines()))


LINE_SOURCES: dict[str, LineSource] = {"US": _us_lines, "CN": _china_lines}


def _mfn_period(importer: str, day: date) -> object:
    """A key that stays the same while the importer's own rates cannot change (the schedule in force)."""
    if importer == "US":
        schedule, _ = schedule_on(day)
        return schedule.revision if schedule is not None else None
    if importer == "CN":
        return rate_date_on(day)
    return day


def panel_spec(pack: Pack, importer: str, start: date, end: date, mfn: MfnSource | None) -> PanelSpec:
    """The partners the pack's import measures name for this importer, plus `*`, with their change dates."""
    measures = [m for m in pack.measures.values() if m.direction is Direction.IMPORT and m.imposed_by == importer]
    partners = [*sorted({p for m in measures for p in m.partners if p != ALL_PARTNERS}), ALL_PARTNERS]
    own = set(mfn.change_dates(importer)) if mfn is not None else set()
    dates: dict[str, list[date]] = {}
    for partner in partners:
        days = set(own)
        for measure in measures:
            if partner in measure.partners or ALL_PARTNERS in measure.partners:
                days |= change_dates(measure) | {r.loaded_before for r in measure.transit}
        dates[partner] = sorted({start} | {d for d in days if start < d <= end})
    return PanelSpec(importer, tuple(partners), dates)


def importers_of(pack: Pack) -> list[str]:
    found = {m.imposed_by for m in pack.measures.values() if m.direction is Direction.IMPORT}
    return sorted(i for i in found if i in LINE_SOURCES)


def build_panel(
    pack: Pack,
    start: date,
    end: date,
    out: Path | None = None,
    *,
    importers: Iterable[str] | None = None,
    partners: Iterable[str] | None = None,
    mfn: MfnSource | None = INSTALLED_MFN,
    lines: Callable[[str, date], Sequence[str]] | None = None,
    compiled: CompiledPack | None = None,
) -> pa.Table:
    """The panel for every importer of the pack (or those given), written as Parquet to `out` when given.

    `lines(importer, day)` overrides the schedule's lines (small test panels); `partners` limits the partners.
    """
    if end < start:
        raise InputError("end", f"the end {end} is before the start {start}")
    # Averages measure what customs collected: a struck-down duty counts until its collection stopped.
    compiled = compiled or compile_pack(pack, as_collected=True)
    chosen = list(importers) if importers is not None else importers_of(pack)
    wanted = set(partners) if partners is not None else None
    tables: list[pa.Table] = []
    mfn_cache: MfnCache = {}
    for importer in chosen:
        if lines is None and importer not in LINE_SOURCES:
            raise InputError("importer", f"no schedule lines are known for {importer}; known: {sorted(LINE_SOURCES)}")
        line_source = partial(lines, importer) if lines is not None else LINE_SOURCES[importer]
        spec = panel_spec(pack, importer, start, end, mfn)
        for partner in spec.partners:
            if wanted is None or partner in wanted:
                tables += _partner_panel(compiled, importer, partner, spec.dates[partner], line_source, mfn, mfn_cache)
    table = pa.concat_tables(tables) if tables else PANEL_SCHEMA.empty_table()
    if out is not None:
        _write_atomically(table, out)
    return table


def _partner_panel(
    compiled: CompiledPack,
    importer: str,
    partner: str,
    dates: list[date],
    line_source: LineSource,
    mfn: MfnSource | None,
    mfn_cache: MfnCache,
) -> list[pa.Table]:
    """Group the lines that must get the same answer on a date, evaluate one line per group with the engine, and
    give every line its group's answer (see `_line_groups`)."""
    codes_by_day = [(day, line_source(day)) for day in dates]
    with duckdb.connect() as db:
        _register_line_dates(db, importer, codes_by_day)
        _line_groups(db, compiled, importer, partner)
        representatives = db.sql("SELECT date, min(code) AS code FROM groups GROUP BY date, key").fetchall()
        db.register("answers", _evaluate(compiled, importer, partner, [(day, code) for day, code in representatives]))
        db.register("own", _mfn_table(importer, partner, codes_by_day, mfn, mfn_cache))
        return [
            db.sql(f"""
            WITH keyed AS (SELECT g.date, g.key, a.* EXCLUDE (date, code)
                           FROM groups g JOIN answers a ON a.code = g.code AND a.date = g.date)
            SELECT '{importer}' AS importer, '{partner}' AS partner, g.code, g.date, o.mfn_percent,
                   k.additional_percent, o.mfn_percent + k.additional_percent AS total_percent,
                   k.measures, k.unknown_measures
            FROM groups g JOIN line_dates l ON l.code = g.code AND l.date = g.date
            JOIN keyed k ON k.date = g.date AND k.key = g.key
            LEFT JOIN own o ON o.code = g.code AND o.period = l.period
            ORDER BY g.code, g.date
            """)
            .to_arrow_table()
            .cast(PANEL_SCHEMA)
        ]


def _register_line_dates(
    db: duckdb.DuckDBPyConnection, importer: str, codes_by_day: list[tuple[date, Sequence[str]]]
) -> None:
    """`line_dates` (code, date, period): the schedule's lines on each date, and the importer's rate period."""
    sets: dict[int, tuple[int, Sequence[str]]] = {}
    for _, codes in codes_by_day:
        sets.setdefault(id(codes), (len(sets), codes))
    db.register("line_sets", pa.table({
        "set_id": pa.array([n for n, codes in sets.values() for _ in codes], pa.int32()),
        "code": pa.array([code for _, codes in sets.values() for code in codes], pa.string()),
    }))  # fmt: skip
    db.register("day_sets", pa.table({
        "date": pa.array([day for day, _ in codes_by_day], pa.date32()),
        "set_id": pa.array([sets[id(codes)][0] for _, codes in codes_by_day], pa.int32()),
        "period": pa.array([str(_mfn_period(importer, day)) for day, _ in codes_by_day], pa.string()),
    }))  # fmt: skip
    db.execute(
        "CREATE TEMP TABLE line_dates AS "
        "SELECT s.code, d.date, d.period FROM day_sets d JOIN line_sets s USING (set_id)"
    )


def _line_groups(db: duckdb.DuckDBPyConnection, compiled: CompiledPack, importer: str, partner: str) -> None:
    """A table `groups` (code, date, key): lines with the same key get the same answer from the engine on that date.

    The key stands for the set of rate-table rows that decide the line on the date: for each measure that can reach
    it, the row of the longest matching prefix (an exclusion wins a tie) and, for rates by code, the deciding code
    prefix. The engine's answer for a line without value-specific inputs depends on nothing else, so one line per key
    is evaluated. Why by hand: the engine prices lines, and pricing the 20,000 lines of the schedule on each of ~80
    dates for each partner costs minutes; grouping them first leaves a few thousand lines to price. The key is a sum
    of 64-bit hashes with the row count: two different sets colliding is a chance of about 1 in 10^9 per panel.
    """
    db.register("rates", compiled.rates.select(["measure", "prefix", "included", "valid_from", "valid_to", "claim"]))
    db.register("code_rates", compiled.code_rates.select(["measure", "prefix", "valid_from", "valid_to"]))
    db.register("measures", compiled.measures)
    excluded = [m for m, partners in compiled.excluded_partners.items() if partner in partners]
    db.register("excluded", pa.table({"measure": pa.array(excluded, pa.string())}))
    db.execute(f"""
        CREATE TEMP TABLE reach AS
        SELECT DISTINCT r.* EXCLUDE (claim) FROM rates r JOIN measures m ON m.measure = r.measure
        WHERE m.importer = '{importer}' AND (m.partner = '{partner}' OR m.partner = '*') AND r.claim IS NULL
          AND r.measure NOT IN (SELECT measure FROM excluded)
    """)
    db.execute("""
        CREATE TEMP TABLE codes AS
        SELECT code, unnest(list_distinct(['', substr(code, 1, 2), substr(code, 1, 4), substr(code, 1, 6),
                                           substr(code, 1, 8), substr(code, 1, 10)])) AS prefix
        FROM (SELECT DISTINCT code FROM line_dates)
    """)
    db.execute("""
        CREATE TEMP TABLE deciding AS
        SELECT code, measure, valid_from, valid_to FROM (
            SELECT c.code, r.*, row_number() OVER (PARTITION BY c.code, r.measure, r.valid_from
                                                   ORDER BY length(r.prefix) DESC, r.included ASC) AS rn
            FROM codes c JOIN reach r ON r.prefix = c.prefix
        ) WHERE rn = 1 AND included
    """)
    db.execute("""
        CREATE TEMP TABLE by_code AS
        SELECT code, measure, valid_from, prefix FROM (
            SELECT c.code, k.*, row_number() OVER (PARTITION BY c.code, k.measure, k.valid_from
                                                   ORDER BY length(k.prefix) DESC) AS rn
            FROM codes c JOIN code_rates k ON k.prefix = c.prefix
        ) WHERE rn = 1
    """)
    db.execute("""
        CREATE TEMP TABLE row_hash AS
        SELECT d.code, d.valid_from, d.valid_to,
               hash(d.measure || '@' || d.valid_from || coalesce('/' || b.prefix, '')) AS h
        FROM deciding d
        LEFT JOIN by_code b ON b.code = d.code AND b.measure = d.measure AND b.valid_from = d.valid_from
    """)
    db.execute("CREATE TEMP TABLE panel_dates AS SELECT DISTINCT date FROM line_dates")
    # Each deciding row on each panel date it covers (then an equi-join: a range join per line is slow).
    db.execute("""
        CREATE TEMP TABLE keys AS
        SELECT r.code, p.date, sum(r.h)::VARCHAR || ':' || count(*)::VARCHAR AS key
        FROM row_hash r JOIN panel_dates p ON p.date >= r.valid_from AND p.date < r.valid_to
        GROUP BY r.code, p.date
    """)
    db.execute("""
        CREATE TEMP TABLE groups AS
        SELECT l.code, l.date, coalesce(k.key, '') AS key
        FROM line_dates l LEFT JOIN keys k ON k.code = l.code AND k.date = l.date
    """)


def _evaluate(compiled: CompiledPack, importer: str, partner: str, lines: list[tuple[date, str]]) -> pa.Table:
    """The engine's answer for each (date, code): additional percent and the measures behind it."""
    tables = [
        _evaluate_batch(compiled, importer, partner, lines[i : i + BATCH_ROWS])
        for i in range(0, max(len(lines), 1), BATCH_ROWS)
    ]
    return pa.concat_tables(tables)


def _evaluate_batch(compiled: CompiledPack, importer: str, partner: str, batch: list[tuple[date, str]]) -> pa.Table:
    count = len(batch)
    lines = pa.table(
        {
            "line_id": pa.array(range(count), pa.int64()),
            "importer": pa.array([importer] * count, pa.string()),
            "origin": pa.array([partner] * count, pa.string()),
            "code": pa.array([code for _, code in batch], pa.string()),
            "date": pa.array([day for day, _ in batch], pa.date32()),
            "loaded": pa.nulls(count, pa.date32()),
            "value_micro": pa.array([PRICED_VALUE_MICRO] * count, pa.int64()),
            "quantity_micro": pa.nulls(count, pa.int64()),
            "unit": pa.nulls(count, pa.string()),
            "claims": pa.array([[]] * count, pa.list_(pa.string())),
        },
        schema=LINE_SCHEMA,
    )
    no_contents = pa.table({"line_id": pa.array([], pa.int64()), "name": pa.array([], pa.string()),
                            "amount_micro": pa.array([], pa.int64())})  # fmt: skip
    layers, _ = evaluate_lines(compiled, lines, no_contents)
    tariff_kinds = ", ".join(f"'{k.value}'" for k in Kind if k.is_tariff)
    with duckdb.connect() as db:
        db.register("lines", lines)
        db.register("layers", layers)
        return db.sql(f"""
            WITH summed AS (
                SELECT line_id, sum(amount_cents) AS cents,
                       list(measure ORDER BY measure) FILTER (WHERE amount_cents IS NOT NULL AND amount_cents <> 0)
                           AS measures,
                       list(measure ORDER BY measure) FILTER (WHERE amount_cents IS NULL) AS unknown
                FROM layers WHERE kind IN ({tariff_kinds}) GROUP BY line_id
            )
            SELECT l.code, l.date,
                   CAST(CAST(coalesce(s.cents, 0) AS DECIMAL(24, 0)) * 0.000001 AS DECIMAL(18, 6))
                       AS additional_percent,
                   coalesce(s.measures, []) AS measures, coalesce(s.unknown, []) AS unknown_measures
            FROM lines l LEFT JOIN summed s USING (line_id)
        """).to_arrow_table()


MfnCache = dict[tuple[str, str, str, str], Decimal | None]


def _mfn_table(
    importer: str,
    partner: str,
    codes_by_day: list[tuple[date, Sequence[str]]],
    mfn: MfnSource | None,
    cache: MfnCache,
) -> pa.Table:
    """The importer's own ad valorem rate per line and rate period, looked up once per line and schedule in force
    (and per column: only Cuba, North Korea, Russia and Belarus pay column 2 rates)."""
    column = partner if partner in COLUMN2_COUNTRIES else "general"
    # every code any day of the period prices (the lines may change within a period: weights' own codes, then the
    # schedule's), each looked up on the period's first day
    by_period: dict[str, tuple[date, dict[str, None]]] = {}
    for day, codes in codes_by_day:
        _, seen = by_period.setdefault(str(_mfn_period(importer, day)), (day, {}))
        seen.update(dict.fromkeys(codes))
    periods: list[str] = []
    codes_out: list[str] = []
    percents: list[Decimal | None] = []
    for period, (day, period_codes) in by_period.items():
        for code in period_codes:
            key = (importer, period, column, code)
            if key not in cache:
                cache[key] = _mfn_percent(importer, partner, code, day, mfn)
            periods.append(period)
            codes_out.append(code)
            percents.append(cache[key])
    return pa.table({"period": pa.array(periods, pa.string()), "code": pa.array(codes_out, pa.string()),
                     "mfn_percent": pa.array(percents, PERCENT)})  # fmt: skip


def _mfn_percent(importer: str, partner: str, code: str, day: date, mfn: MfnSource | None) -> Decimal | None:
    if mfn is None:
        return Decimal(0)
    # model_construct: the schedule's own codes need no validation against HS 2022 (and 2017-era lines would fail).
    line = Line.model_construct(
        importer=importer, origin=partner if partner != ALL_PARTNERS else "ZZ", code=code, date=day, loaded=None,
        value=None, quantity=None, unit=None, content={}, claims=frozenset(),
    )  # fmt: skip
    rate = mfn.mfn(line)
    if rate is None or rate.rate is None:
        return None
    _, equivalent, _ = mfn_amount(rate, line)
    return None if equivalent is None else equivalent.quantize(Decimal("0.000001"))


def _write_atomically(table: pa.Table, out: Path) -> None:
    """Written beside the target and moved into place, so a failure never leaves half a file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        pq.write_table(table, partial, compression="zstd")
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
