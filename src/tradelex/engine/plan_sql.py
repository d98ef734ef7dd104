"""The stacking stage of the plan, written once for DuckDB (engine/duck.py) and Spark SQL (engine/spark.py).

A stage is a set of measures that neither conflict nor depend on one another (duck._stages). For each of them,
on each line: `not_with` drops it if a measure it does not stack with already applied; `only_on_value_not_subject_to`
makes its base what is left of the value once the parts taken by the measures it names are set aside.

The parts of the value are sets, so that each part is taken once whatever it is called. The value is made of the
content values a pack names (copper, steel, ...: one bit each in `content_bits`) and the rest. A layer's part is
either Include(S), the contents in S, or Exclude(S), the value less the contents in S:
  customs_value = Exclude(∅), copper_content = Include({copper}),
  the remainder after targets T = the complement of their union (written +), where
  Include(A) + Include(B) = Include(A | B), Exclude(A) + Exclude(B) = Exclude(A & B),
  Include(A) + Exclude(B) = Exclude(B & ~A), and the complement of Include(S) is Exclude(S) and back.
So "the value not subject to X (on the value less copper) and Y (on the copper)" is nothing, and "not subject to X
and Z, both on the value less copper" is the copper: the answers of the reference evaluator (reference._part).
Its amount: the sum of the contents in S (Include) or the value less it (Exclude); unknown when the line lacks one
of those contents (or the value). A measure whose targets include a layer on the whole customs value is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

TARIFF_KINDS = ("ad_valorem", "specific", "compound")
CUSTOMS_VALUE = "customs_value"


@dataclass(frozen=True)
class Dialect:
    table: Callable[[str], str]  # how a query names one of the plan's tables
    money: str  # the exact integer type: HUGEINT, DECIMAL(38, 0)
    anti_join: str  # ANTI JOIN, LEFT ANTI JOIN
    half_up_to_cents: Callable[[str], str]  # 1e-14 dollars to cents, half away from zero


def duckdb_half_up(exact: str) -> str:
    return f"sign({exact}) * ((abs({exact}) + 500000000000) // 1000000000000)"


DUCKDB = Dialect(table=lambda name: name, money="HUGEINT", anti_join="ANTI JOIN", half_up_to_cents=duckdb_half_up)


def stage_sql(members: list[str], dialect: Dialect) -> str:
    """The rows the stage adds to `applied`: line_id, measure, kind, base, rate_text, base_micro, amount_cents,
    position, part_excl, part_mask. `members` are measure ids, [a-z0-9_.-] (checked by the callers)."""
    t, money = dialect.table, dialect.money
    listed = ", ".join(f"'{measure}'" for measure in members)
    tariffs = ", ".join(f"'{kind}'" for kind in TARIFF_KINDS)
    return f"""
        WITH targets AS (  -- the layers already applied whose part each remainder leaves out
            SELECT e.line_id, e.measure, a.base, a.part_excl, a.part_mask
            FROM {t("effective")} e JOIN {t("remainder_pairs")} rp ON rp.measure = e.measure
            JOIN {t("applied")} a ON a.line_id = e.line_id AND a.measure = rp.target
            WHERE e.measure IN ({listed})
        ),
        unions AS (  -- their union: Include(inc) when none of them excludes, else Exclude(ex & ~inc)
            SELECT line_id, measure, bool_or(base = '{CUSTOMS_VALUE}') AS covering,
                   sum(CASE WHEN part_excl THEN 1 ELSE 0 END) AS excluding,
                   bit_or(CASE WHEN part_excl THEN CAST(0 AS BIGINT) ELSE part_mask END) AS inc,
                   bit_and(CASE WHEN part_excl THEN part_mask ELSE CAST(-1 AS BIGINT) END) AS ex
            FROM targets GROUP BY line_id, measure
        ),
        remainders AS (  -- what is left: the complement of the union
            SELECT line_id, measure, covering, excluding = 0 AS part_excl,
                   CAST(CASE WHEN excluding = 0 THEN inc ELSE ex & ~inc END AS BIGINT) AS part_mask
            FROM unions
        ),
        based AS (
            SELECT e.*, r.line_id IS NOT NULL AS is_remainder, coalesce(r.covering, false) AS covering,
                   CASE WHEN r.line_id IS NOT NULL THEN r.part_excl ELSE e.base = '{CUSTOMS_VALUE}' END AS part_excl,
                   CAST(CASE WHEN r.line_id IS NOT NULL THEN r.part_mask ELSE coalesce(b.bit, 0) END AS BIGINT)
                       AS part_mask,
                   CAST(l.value_micro AS {money}) AS value_micro, CAST(l.quantity_micro AS {money}) AS quantity_micro,
                   l.unit
            FROM {t("effective")} e JOIN {t("lines")} l ON l.line_id = e.line_id
            LEFT JOIN remainders r ON r.line_id = e.line_id AND r.measure = e.measure
            LEFT JOIN {t("base_bits")} b ON b.base = e.base
            {dialect.anti_join} (SELECT a.line_id, k.a AS measure FROM {t("applied")} a
                                 JOIN {t("conflicts")} k ON k.b = a.measure) x
              ON x.line_id = e.line_id AND x.measure = e.measure
            WHERE e.measure IN ({listed})
        ),
        part_contents AS (  -- the contents in each part: their sum, and how many of them the line gives
            SELECT p.line_id, p.measure, CAST(sum(c.amount_micro) AS {money}) AS content_micro,
                   count(c.amount_micro) AS found
            FROM based p JOIN {t("content_bits")} cb ON (p.part_mask & cb.bit) <> 0
            LEFT JOIN {t("contents")} c ON c.line_id = p.line_id AND c.name = cb.name
            GROUP BY p.line_id, p.measure
        ),
        sized AS (
            SELECT p.*,
                   CAST(CASE WHEN bit_count(p.part_mask) > coalesce(pc.found, 0) THEN NULL
                             WHEN p.part_excl THEN p.value_micro - coalesce(pc.content_micro, CAST(0 AS {money}))
                             ELSE coalesce(pc.content_micro, CAST(0 AS {money})) END AS {money}) AS base_micro
            FROM based p LEFT JOIN part_contents pc ON pc.line_id = p.line_id AND pc.measure = p.measure
        ),
        priced AS (
            SELECT *,
                   CAST(CASE WHEN pct IS NULL THEN 0 WHEN base_micro IS NULL THEN NULL
                             ELSE base_micro * pct END AS {money}) AS pct_part,
                   CAST(CASE WHEN spec IS NULL THEN 0
                             WHEN quantity_micro IS NULL OR unit IS DISTINCT FROM spec_unit THEN NULL
                             ELSE quantity_micro * spec * CAST(100 AS {money}) END AS {money}) AS spec_part
            FROM sized WHERE NOT covering
        ),
        exact AS (  -- the exact amount in 1e-14 dollars
            SELECT *, CAST(pct_part + spec_part AS {money}) AS n FROM priced
        )
        SELECT p.line_id, p.measure, p.kind,
               CASE WHEN p.is_remainder THEN 'remainder' ELSE p.base END AS base, p.rate_text, p.base_micro,
               CASE WHEN p.kind NOT IN ({tariffs}) THEN NULL
                    ELSE CAST({dialect.half_up_to_cents("p.n")} AS {money}) END AS amount_cents,
               o.position, p.part_excl, p.part_mask
        FROM exact p JOIN {t("positions")} o ON o.measure = p.measure
    """
