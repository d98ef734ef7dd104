"""The DuckDB engine: the reference evaluator's semantics as set operations over a table of lines.

The plan: expand each line's code into its prefixes; equi-join the compiled rate table on prefix, importer and
partner, keeping rows valid on the entry date; keep the longest prefix per line and measure (an exclusion wins a
tie); apply transit rules, exemptions and, stage by stage in stacking order, `not_with` and the remainder of the
value; then compute each layer's amount.

Money is exact integer arithmetic: values, quantities, percentages and specific amounts are held in millionths
(HUGEINT), a layer's exact amount in units of 1e-14 dollars, rounded half-up to the cent once per layer, as the
reference does with Decimal. (DuckDB divides DECIMALs in floating point, so no division is ever used.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import duckdb
import pyarrow as pa

from tradelex.engine.compile import CompiledPack
from tradelex.engine.line import Line
from tradelex.errors import BadAmountError

MICRO = 10**6
LINE_SCHEMA = pa.schema([
    ("line_id", pa.int64()), ("importer", pa.string()), ("origin", pa.string()), ("code", pa.string()),
    ("date", pa.date32()), ("loaded", pa.date32()), ("value_micro", pa.int64()), ("quantity_micro", pa.int64()),
    ("unit", pa.string()), ("claims", pa.list_(pa.string())),
])  # fmt: skip
CONTENT_SCHEMA = pa.schema([("line_id", pa.int64()), ("name", pa.string()), ("amount_micro", pa.int64())])
TARIFF_KINDS = ("ad_valorem", "specific", "compound")


def micro(amount: Decimal | None, field: str) -> int | None:
    """An amount in millionths, exactly; more than six decimal places cannot be held and is refused."""
    if amount is None:
        return None
    scaled = amount * MICRO
    if scaled != scaled.to_integral_value():
        raise BadAmountError(field, f"{amount} has more than six decimal places")
    return int(scaled)


def lines_to_arrow(lines: Sequence[Line]) -> tuple[pa.Table, pa.Table]:
    """Validated lines as the engine's two input tables: the lines, and their content values (long form)."""
    rows = [
        {
            "line_id": index,
            "importer": line.importer,
            "origin": line.origin,
            "code": line.code,
            "date": line.date,
            "loaded": line.loaded,
            "value_micro": micro(line.value, "value"),
            "quantity_micro": micro(line.quantity, "quantity"),
            "unit": line.unit,
            "claims": sorted(line.claims),
        }
        for index, line in enumerate(lines)
    ]
    contents = [
        {"line_id": index, "name": name, "amount_micro": micro(amount, f"content.{name}")}
        for index, line in enumerate(lines)
        for name, amount in line.content.items()
    ]
    return pa.Table.from_pylist(rows, schema=LINE_SCHEMA), pa.Table.from_pylist(contents, schema=CONTENT_SCHEMA)


def evaluate_lines(compiled: CompiledPack, lines: pa.Table, contents: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The layers (line_id, measure, kind, base, rate_text, amount_cents) and the totals (line_id, total_cents)."""
    with duckdb.connect() as db:
        _register(db, compiled, lines, contents)
        _candidates(db, compiled.as_known_on)
        for stage in _stages(compiled):
            _apply_stage(db, stage)
        layers = db.sql(
            "SELECT line_id, measure, kind, base, rate_text, amount_cents FROM applied ORDER BY line_id, position"
        ).to_arrow_table()
        totals = db.sql("""
            SELECT l.line_id,
                   CASE WHEN bool_or(a.kind IN ('ad_valorem', 'specific', 'compound') AND a.amount_cents IS NULL)
                        THEN NULL ELSE coalesce(sum(a.amount_cents) FILTER (WHERE a.kind IN
                        ('ad_valorem', 'specific', 'compound')), 0) END AS total_cents
            FROM lines l LEFT JOIN applied a USING (line_id) GROUP BY l.line_id ORDER BY l.line_id
        """).to_arrow_table()
    return layers, totals


def _register(db: duckdb.DuckDBPyConnection, compiled: CompiledPack, lines: pa.Table, contents: pa.Table) -> None:
    db.register("lines", lines)
    db.register("contents", contents)
    db.register("rates_source", compiled.rates)
    db.register("transit_source", compiled.transit)
    db.register("code_rates_source", compiled.code_rates)
    db.register("measures", compiled.measures)
    pairs: dict[str, tuple[list[str], list[tuple[object, ...]]]] = {
        "excluded_partners": (
            ["measure", "partner"],
            [(m, p) for m, ps in compiled.excluded_partners.items() for p in ps],
        ),
        "exempt_pairs": (["exemption", "target"], [(e, t) for e, ts in compiled.exempts.items() for t in ts]),
        "conflicts": (["a", "b"], sorted(compiled.conflicts)),
        "remainder_pairs": (["measure", "target"], [(m, t) for m, ts in compiled.remainder_of.items() for t in ts]),
        "positions": (["measure", "position"], [(m, i) for i, m in enumerate(compiled.order)]),
    }
    for name, (columns, rows) in pairs.items():
        data = {column: [row[i] for row in rows] for i, column in enumerate(columns)}
        types = [pa.int64() if column == "position" else pa.string() for column in columns]
        db.register(name, pa.table(data, schema=pa.schema(list(zip(columns, types, strict=True)))))
    micro_columns = "CAST(percent * 1000000 AS HUGEINT) AS pct, CAST(specific_amount * 1000000 AS HUGEINT) AS spec"
    db.execute(f"CREATE TEMP TABLE rates AS SELECT *, CAST(suspended_points * 1000000 AS HUGEINT) AS susp, "
               f"{micro_columns} FROM rates_source")  # fmt: skip
    db.execute(f"CREATE TEMP TABLE transit AS SELECT *, {micro_columns} FROM transit_source")
    db.execute(f"CREATE TEMP TABLE code_rates AS SELECT *, {micro_columns} FROM code_rates_source")


def _candidates(db: duckdb.DuckDBPyConnection, as_known_on: date | None) -> None:
    known_on = f"DATE '{as_known_on.isoformat()}'" if as_known_on else "l.date"
    db.execute("""
        CREATE TEMP TABLE prefixes AS
        SELECT line_id, unnest(list_distinct(['', substr(code, 1, 2), substr(code, 1, 4), substr(code, 1, 6),
                                              substr(code, 1, 8), substr(code, 1, 10)])) AS prefix
        FROM lines
    """)
    db.execute("""
        CREATE TEMP TABLE candidates AS
        SELECT * EXCLUDE (rn) FROM (
            SELECT p.line_id, r.*, m.kind,
                   row_number() OVER (PARTITION BY p.line_id, r.measure
                                      ORDER BY length(r.prefix) DESC, r.included ASC) AS rn
            FROM prefixes p
            JOIN lines l ON l.line_id = p.line_id
            JOIN rates r ON r.prefix = p.prefix AND l.date >= r.valid_from AND l.date < r.valid_to
            JOIN measures m ON m.measure = r.measure AND m.importer = l.importer
                            AND (m.partner = l.origin OR m.partner = '*')
            WHERE NOT EXISTS (SELECT 1 FROM excluded_partners x WHERE x.measure = r.measure AND x.partner = l.origin)
              AND (r.claim IS NULL OR list_contains(l.claims, r.claim))
        ) WHERE rn = 1 AND included
    """)
    # Per-code rates: the longest prefix of the line's code with an entry gives the rate; a null entry excludes.
    db.execute("""
        CREATE TEMP TABLE by_code AS
        SELECT * EXCLUDE (rn) FROM (
            SELECT c.line_id, c.measure, k.pct, k.spec, k.specific_unit, k.rate_text,
                   row_number() OVER (PARTITION BY c.line_id, c.measure ORDER BY length(k.prefix) DESC) AS rn
            FROM candidates c JOIN lines l ON l.line_id = c.line_id JOIN prefixes p ON p.line_id = c.line_id
            JOIN code_rates k ON k.measure = c.measure AND k.prefix = p.prefix
                             AND l.date >= k.valid_from AND l.date < k.valid_to
            WHERE c.by_code
        ) WHERE rn = 1
    """)
    db.execute("""
        DELETE FROM candidates c WHERE c.by_code AND NOT EXISTS (
            SELECT 1 FROM by_code b WHERE b.line_id = c.line_id AND b.measure = c.measure AND b.rate_text IS NOT NULL)
    """)
    db.execute("""
        UPDATE candidates c SET pct = b.pct, spec = b.spec, specific_unit = b.specific_unit, rate_text = b.rate_text
        FROM by_code b WHERE b.line_id = c.line_id AND b.measure = c.measure
    """)
    db.execute(f"""
        CREATE TEMP TABLE effective AS
        WITH hits AS (
            SELECT * EXCLUDE (rn) FROM (
                SELECT c.line_id, c.measure, t.exempt, t.pct, t.spec, t.specific_unit, t.rate_text,
                       row_number() OVER (PARTITION BY c.line_id, c.measure ORDER BY t.rule_index) AS rn
                FROM candidates c JOIN lines l ON l.line_id = c.line_id JOIN transit t ON t.measure = c.measure
                WHERE l.loaded IS NOT NULL AND l.loaded < t.loaded_before AND t.loaded_before <= l.date
                  AND l.date < t.entered_before AND t.known_from <= {known_on}
            ) WHERE rn = 1
        )
        SELECT c.line_id, c.measure, c.kind, c.base,
               CASE WHEN h.line_id IS NULL THEN c.rate_text ELSE h.rate_text END AS rate_text,
               CASE WHEN (CASE WHEN h.line_id IS NULL THEN c.pct ELSE h.pct END) IS NULL THEN NULL
                    ELSE greatest((CASE WHEN h.line_id IS NULL THEN c.pct ELSE h.pct END) - c.susp, 0) END AS pct,
               CASE WHEN h.line_id IS NULL THEN c.spec ELSE h.spec END AS spec,
               CASE WHEN h.line_id IS NULL THEN c.specific_unit ELSE h.specific_unit END AS spec_unit
        FROM candidates c LEFT JOIN hits h ON h.line_id = c.line_id AND h.measure = c.measure
        WHERE h.line_id IS NULL OR NOT h.exempt
    """)
    db.execute("""
        DELETE FROM effective e WHERE EXISTS (
            SELECT 1 FROM effective x JOIN exempt_pairs p ON p.exemption = x.measure AND p.target = e.measure
            WHERE x.line_id = e.line_id AND x.kind = 'exemption')
    """)
    db.execute("DELETE FROM effective WHERE kind = 'exemption'")
    db.execute("""
        CREATE TEMP TABLE applied (line_id BIGINT, measure VARCHAR, kind VARCHAR, base VARCHAR, rate_text VARCHAR,
                                   base_micro HUGEINT, amount_cents HUGEINT, position BIGINT)
    """)


def _stages(compiled: CompiledPack) -> list[list[str]]:
    """Measures in stacking order, cut into stages whose members neither conflict nor depend on one another."""
    stages: list[list[str]] = []
    for measure in compiled.order:
        depends = set(compiled.remainder_of.get(measure, ())) | {b for a, b in compiled.conflicts if a == measure}
        if stages and not depends.intersection(stages[-1]):
            stages[-1].append(measure)
        else:
            stages.append([measure])
    return stages


def _apply_stage(db: duckdb.DuckDBPyConnection, stage: list[str]) -> None:
    members = ", ".join(f"'{measure}'" for measure in stage)  # measure ids are [a-z0-9_.-] (validated)
    db.execute(f"""
        INSERT INTO applied
        WITH taken_parts AS (  -- each part of the value once, however many measures are on it
            SELECT DISTINCT e.line_id, e.measure, a.base, a.base_micro
            FROM effective e JOIN remainder_pairs rp ON rp.measure = e.measure
            JOIN applied a ON a.line_id = e.line_id AND a.measure = rp.target
            WHERE e.measure IN ({members})
        ),
        remainders AS (
            SELECT line_id, measure, bool_or(base = 'customs_value') AS covering,
                   sum(base_micro) AS taken, bool_or(base_micro IS NULL) AS unknown
            FROM taken_parts GROUP BY line_id, measure
        ),
        based AS (
            SELECT e.*, r.line_id IS NOT NULL AS is_remainder, coalesce(r.covering, false) AS covering,
                   CASE WHEN r.line_id IS NOT NULL THEN
                            CASE WHEN r.unknown OR l.value_micro IS NULL THEN NULL ELSE l.value_micro - r.taken END
                        WHEN e.base = 'customs_value' THEN l.value_micro
                        ELSE c.amount_micro END AS base_micro,
                   l.quantity_micro, l.unit
            FROM effective e JOIN lines l ON l.line_id = e.line_id
            LEFT JOIN remainders r ON r.line_id = e.line_id AND r.measure = e.measure
            LEFT JOIN contents c ON c.line_id = e.line_id AND c.name = replace(e.base, '_content', '')
            WHERE e.measure IN ({members})
              AND NOT EXISTS (SELECT 1 FROM applied a JOIN conflicts k ON k.a = e.measure AND k.b = a.measure
                              WHERE a.line_id = e.line_id)
        ),
        priced AS (
            SELECT *,
                   CASE WHEN pct IS NULL THEN 0 WHEN base_micro IS NULL THEN NULL
                        ELSE CAST(base_micro AS HUGEINT) * pct END AS pct_part,
                   CASE WHEN spec IS NULL THEN 0 WHEN quantity_micro IS NULL OR unit IS DISTINCT FROM spec_unit
                        THEN NULL ELSE CAST(quantity_micro AS HUGEINT) * spec * 100 END AS spec_part
            FROM based WHERE NOT covering
        )
        SELECT p.line_id, p.measure, p.kind,
               CASE WHEN p.is_remainder THEN 'remainder' ELSE p.base END, p.rate_text, p.base_micro,
               CASE WHEN p.kind NOT IN ('ad_valorem', 'specific', 'compound') THEN NULL
                    ELSE sign(p.pct_part + p.spec_part)
                         * ((abs(p.pct_part + p.spec_part) + 500000000000) // 1000000000000) END,
               o.position
        FROM priced p JOIN positions o ON o.measure = p.measure
    """)


def cents_to_decimal(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)
