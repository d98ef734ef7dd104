"""Compile a pack into a rate table: the one place where rule semantics become rows.

A measure's answer for an entry date D (as known on D, or on a fixed day) is constant between its change dates, so
each measure becomes one set of rows per interval [valid_from, valid_to) in which it is in force:
    measure · prefix · included · valid_from · valid_to · percent · specific · suspended points · value provenance
`prefix` is a code prefix from the scope clauses in force ('' for '*', every code of an @list expanded); `included`
is false for an exclusion, which wins a tie of equal length. Intervals where the measure is suspended, struck down,
ended or not yet in force produce no rows: those measures cannot apply. The rows are computed with the same
time-machine functions as the reference evaluator (engine/timeline.py), so the two cannot disagree on what holds.

Transit rules, exemptions and stacking are compiled into their own small tables and pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pyarrow as pa

from tradelex.engine.scope import expand
from tradelex.engine.timeline import (
    change_dates,
    is_struck_down,
    known_since,
    scope_clauses_on,
    suspensions_on,
    value_on,
)
from tradelex.errors import InputError
from tradelex.money import format_decimal
from tradelex.rules.loader import matches_measure
from tradelex.rules.model import ALL_PARTNERS, Direction, Kind, Measure, Pack
from tradelex.rules.rates import DutyExpression

FAR_FUTURE = date(9999, 12, 31)
DECIMAL = pa.decimal128(38, 6)

RATE_SCHEMA = pa.schema([
    ("measure", pa.string()), ("prefix", pa.string()), ("included", pa.bool_()),
    ("valid_from", pa.date32()), ("valid_to", pa.date32()),
    ("percent", DECIMAL), ("specific_amount", DECIMAL), ("specific_unit", pa.string()),
    ("suspended_points", DECIMAL), ("rate_text", pa.string()), ("by_code", pa.bool_()), ("claim", pa.string()),
    ("base", pa.string()),
    ("heading", pa.string()),
    ("value_date", pa.date32()), ("source", pa.string()), ("url", pa.string()), ("confidence", pa.string()),
])  # fmt: skip
# A schedule-like value gives a rate per code (rates_by_code): after the scope, the longest code prefix with an entry
# decides; an entry with no rate (null) leaves the code out, as in the reference evaluator.
CODE_RATE_SCHEMA = pa.schema([
    ("measure", pa.string()), ("valid_from", pa.date32()), ("valid_to", pa.date32()), ("prefix", pa.string()),
    ("percent", DECIMAL), ("specific_amount", DECIMAL), ("specific_unit", pa.string()), ("rate_text", pa.string()),
])  # fmt: skip
TRANSIT_SCHEMA = pa.schema([
    ("measure", pa.string()), ("rule_index", pa.int32()), ("loaded_before", pa.date32()),
    ("entered_before", pa.date32()),
    ("known_from", pa.date32()), ("exempt", pa.bool_()), ("percent", DECIMAL), ("specific_amount", DECIMAL),
    ("specific_unit", pa.string()), ("rate_text", pa.string()), ("source", pa.string()),
])  # fmt: skip
MEASURE_SCHEMA = pa.schema([
    ("measure", pa.string()), ("importer", pa.string()), ("partner", pa.string()), ("precedence", pa.int32()),
    ("kind", pa.string()), ("title", pa.string()), ("authority", pa.string()),
])  # fmt: skip


@dataclass(frozen=True)
class CompiledPack:
    rates: pa.Table
    code_rates: pa.Table
    transit: pa.Table
    measures: pa.Table  # one row per measure and partner it names ('*' for every partner)
    excluded_partners: dict[str, frozenset[str]]
    exempts: dict[str, tuple[str, ...]]  # exemption measure -> the measures it exempts
    conflicts: frozenset[tuple[str, str]]  # (a, b): a and b do not stack (both orders present)
    remainder_of: dict[str, tuple[str, ...]]  # measure -> the measures whose value it must leave out
    order: tuple[str, ...]  # tariff measures in the order the reference evaluator stacks them
    as_known_on: date | None


def compile_pack(pack: Pack, *, as_known_on: date | None = None, as_collected: bool = False) -> CompiledPack:
    """The rate table of the pack's import measures, for entries answered as known on their own date (default).

    `as_collected` keeps a struck-down measure's values until they end: what customs collected, which went on after a
    ruling until collection stopped (the IEEPA duties: ruled void on 2026-02-20, collected until 2026-02-24). The
    duty paid at entry, against which a refund is owed, is that one; the law as it stood is the default."""
    measures = [m for m in pack.measures.values() if m.direction is Direction.IMPORT]
    ids = [m.id for m in measures]
    rate_rows: list[dict[str, object]] = []
    code_rate_rows: list[dict[str, object]] = []
    for measure in measures:
        rate_rows += _rate_rows(pack, measure, as_known_on, code_rate_rows, as_collected)
    ordered = sorted(measures, key=lambda m: (m.stacking.precedence, m.id))
    return CompiledPack(
        rates=pa.Table.from_pylist(rate_rows, schema=RATE_SCHEMA),
        code_rates=pa.Table.from_pylist(code_rate_rows, schema=CODE_RATE_SCHEMA),
        transit=pa.Table.from_pylist([row for m in measures for row in _transit_rows(m)], schema=TRANSIT_SCHEMA),
        measures=pa.Table.from_pylist([row for m in measures for row in _measure_rows(m)], schema=MEASURE_SCHEMA),
        excluded_partners={m.id: frozenset(m.partners_excluded) for m in measures},
        exempts={
            m.id: tuple(i for i in _matching(m.exempts, ids) if i != m.id) for m in measures if m.kind is Kind.EXEMPTION
        },
        conflicts=frozenset(_conflicts(measures, ids)),
        remainder_of={m.id: _matching(m.stacking.only_on_value_not_subject_to, ids) for m in measures},
        order=tuple(m.id for m in ordered if m.kind is not Kind.EXEMPTION),
        as_known_on=as_known_on,
    )


def _matching(patterns: list[str], ids: list[str]) -> tuple[str, ...]:
    return tuple(i for i in ids if any(matches_measure(p, i) for p in patterns))


def _conflicts(measures: list[Measure], ids: list[str]) -> set[tuple[str, str]]:
    pairs = set()
    for measure in measures:
        for other in _matching(measure.stacking.not_with, ids):
            pairs |= {(measure.id, other), (other, measure.id)}
    return pairs


def _intervals(measure: Measure, as_known_on: date | None) -> list[tuple[date, date]]:
    """Consecutive [from, to) intervals between every date the measure's answer can change."""
    bounds = sorted({date.min, *change_dates(measure), *(r.loaded_before for r in measure.transit)})
    bounds = [b for b in bounds if b < FAR_FUTURE]
    return list(zip(bounds, [*bounds[1:], FAR_FUTURE], strict=True))


def _rate_rows(
    pack: Pack,
    measure: Measure,
    as_known_on: date | None,
    code_rate_rows: list[dict[str, object]],
    as_collected: bool = False,
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for start, end in _intervals(measure, as_known_on):
        known_on = as_known_on or start
        found = value_on(measure, start, known_on)
        if found is None or found[1].ends or (not as_collected and is_struck_down(measure, known_on)):
            continue
        key, value = found
        suspended = Decimal(0)
        whole_suspension = False
        for suspension in suspensions_on(measure, start, known_on):
            if suspension.rate is None or suspension.rate.percent is None:
                whole_suspension = True
            else:
                suspended += suspension.rate.percent
        if whole_suspension:
            continue
        columns = _rate_columns(value.rate) | {
            "by_code": value.rates_by_code is not None,
            "claim": measure.condition.claim if measure.condition else None,
        }
        for prefix, rate in (value.rates_by_code or {}).items():
            code_rate_rows.append(
                {"measure": measure.id, "valid_from": start, "valid_to": end, "prefix": prefix, **_rate_columns(rate)}
            )
        if suspended and value.rate is not None and value.rate.percent is not None:
            # as the reference evaluator shows it: the rate that remains after the suspended points
            columns["rate_text"] = f"{format_decimal(max(value.rate.percent - suspended, Decimal(0)))}%"
        common = {"measure": measure.id, "valid_from": start, "valid_to": end, **columns,
                  "suspended_points": suspended, "base": value.base or measure.base,
                  "heading": value.heading, "value_date": key,
                  "source": value.source, "url": value.url, "confidence": value.confidence.value}  # fmt: skip
        for clause in scope_clauses_on(measure, start, known_on):
            for included, patterns in ((True, clause.include), (False, clause.exclude)):
                rows += [
                    common | {"prefix": prefix, "included": included}
                    for pattern in patterns
                    for prefix in expand(pattern, pack.lists)
                ]
    return rows


def _rate_columns(rate: DutyExpression | None) -> dict[str, object]:
    if rate is None:
        return {"percent": None, "specific_amount": None, "specific_unit": None, "rate_text": None}
    if len(rate.specific) > 1:
        raise InputError("engine", f"a rate with several specific parts ({rate.text!r}) needs the reference engine")
    specific = rate.specific[0] if rate.specific else None
    return {
        "percent": rate.percent,
        "specific_amount": specific.amount if specific else None,
        "specific_unit": specific.unit if specific else None,
        "rate_text": rate.text,
    }


def _transit_rows(measure: Measure) -> list[dict[str, object]]:
    return [
        {
            "measure": measure.id,
            "rule_index": index,
            "loaded_before": rule.loaded_before,
            "entered_before": rule.entered_before,
            "known_from": known_since(rule.loaded_before, rule.announced),
            "exempt": rule.rate is None,
            **_rate_columns(rule.rate),
            "source": rule.source,
        }
        for index, rule in enumerate(measure.transit)
    ]


def _measure_rows(measure: Measure) -> list[dict[str, object]]:
    return [
        {
            "measure": measure.id,
            "importer": measure.imposed_by,
            "partner": partner,
            "precedence": measure.stacking.precedence,
            "kind": measure.kind.value,
            "title": measure.title,
            "authority": measure.authority,
        }
        for partner in measure.partners
    ]


__all__ = ["ALL_PARTNERS", "CompiledPack", "compile_pack"]
