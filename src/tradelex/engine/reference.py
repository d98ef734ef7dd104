"""The reference evaluator: one line, one pack, plain Python, obviously correct.

The steps, in order:
  1. candidates: import measures of the importer that name the origin as a partner;
  2. for each, on the entry date as known on `known_on`: the value in force, the product scope, suspensions,
     transit rules and a struck-down record decide whether it can apply, and at what rate;
  3. exemptions in force exempt the measures they name;
  4. in order of stacking precedence: `not_with` excludes a measure that does not stack with one already
     applied; `only_on_value_not_subject_to` computes it on what is left of the value;
  5. each layer's amount is computed on its base and rounded half-up to the cent; the total is their sum.
Vectorised engines must give the same answers; property tests hold them to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from tradelex.engine.assessment import Assessment, Excluded, Layer, PackRef, Query, Reason, ScheduleRef
from tradelex.engine.line import Line
from tradelex.engine.mfn import MfnRate, MfnSource, layer_kind, mfn_amount
from tradelex.engine.scope import match_scope, rate_by_code
from tradelex.engine.timeline import (
    first_value,
    is_struck_down,
    scope_clauses_on,
    suspensions_on,
    transit_rule_for,
    transit_windows_open,
    value_on,
)
from tradelex.money import ROUNDING_RULE, format_decimal, format_money, round_cents
from tradelex.nomenclature.codes import format_code
from tradelex.rules.loader import matches_measure
from tradelex.rules.model import ALL_PARTNERS, CUSTOMS_VALUE, DatedValue, Direction, Kind, Measure, Pack
from tradelex.rules.rates import DutyExpression

_PERCENT_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Candidate:
    """A measure that can apply to the line, with the value and the rate it would apply."""

    measure: Measure
    value_date: date
    value: DatedValue
    rate: DutyExpression | None
    note: str | None = None


@dataclass
class _Evaluation:
    layers: list[Layer] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    applied: dict[str, Measure] = field(default_factory=dict)
    base_amounts: dict[str, Decimal | None] = field(default_factory=dict)
    bases: dict[str, str] = field(default_factory=dict)
    parts: dict[str, _Part] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def evaluate_line(
    pack: Pack,
    line: Line,
    *,
    as_known_on: date | None = None,
    today: date | None = None,
    mfn: MfnSource | None = None,
) -> Assessment:
    """Assess a line under a pack: the law on the entry date as known on `as_known_on` (default: that date).

    With an `mfn` source, the importer's own rate for the line comes first (us.mfn, cn.mfn). When the answer known
    today differs (a retroactive exemption, a tariff struck down), a warning says so.
    """
    known_on = as_known_on or line.date
    own_rate = mfn.mfn(line) if mfn is not None else None
    evaluation = _evaluate(pack, line, known_on, own_rate)
    warnings = [*_cutoff_warnings(pack, line), *evaluation.warnings]
    today = today or date.today()
    if as_known_on is None and today > known_on:
        warnings += _later_knowledge(evaluation, _evaluate(pack, line, today, own_rate), today)
    return _assessment(pack, line, known_on, evaluation, warnings, own_rate.reference if own_rate else None)


def partner_applies(measure: Measure, origin: str) -> bool:
    listed = ALL_PARTNERS in measure.partners or origin in measure.partners
    return listed and origin not in measure.partners_excluded


def import_candidates(pack: Pack, importer: str, origin: str) -> list[Measure]:
    """The importer's import measures that name this origin, in stacking order."""
    measures = [
        measure
        for measure in pack.measures.values()
        if measure.direction is Direction.IMPORT and measure.imposed_by == importer and partner_applies(measure, origin)
    ]
    return sorted(measures, key=lambda measure: (measure.stacking.precedence, measure.id))


def _evaluate(pack: Pack, line: Line, known_on: date, mfn: MfnRate | None = None) -> _Evaluation:
    evaluation = _Evaluation()
    if mfn is not None:
        evaluation.warnings += mfn.warnings
        if mfn.rate_text is not None or mfn.reference is not None:
            evaluation.layers.append(_mfn_layer(mfn, line, evaluation.warnings))
    candidates: list[Candidate] = []
    for measure in import_candidates(pack, line.importer, line.origin):
        outcome = consider(pack, measure, line, known_on)
        if isinstance(outcome, Excluded):
            evaluation.excluded.append(outcome)
        elif outcome is not None:
            candidates.append(outcome)
            evaluation.warnings += _transit_hints(measure, line, known_on)
    exemptions = [candidate for candidate in candidates if candidate.measure.kind is Kind.EXEMPTION]
    for candidate in candidates:
        if candidate.measure.kind is not Kind.EXEMPTION:
            _stack(candidate, exemptions, line, evaluation)
    return evaluation


def consider(pack: Pack, measure: Measure, line: Line, known_on: date) -> Candidate | Excluded | None:
    """Whether a measure can apply to the line on its date, and at what rate; None if it does not concern it."""
    day = line.date
    found = value_on(measure, day, known_on)
    if found is None:
        first = first_value(measure, known_on)
        if first is None or not _in_scope(pack, measure, line.code, first[0], known_on):
            return None
        return _excluded(
            measure, Reason.NOT_YET_IN_FORCE, f"not yet in force: applies from {first[0]}", first[1].source
        )
    key, value = found
    if value.ends:
        if not _in_scope(pack, measure, line.code, key - timedelta(days=1), known_on):
            return None
        return _excluded(measure, Reason.EXPIRED, f"ended on {key}", value.source)
    return _within_force(pack, measure, line, known_on, key, value)


def _within_force(
    pack: Pack, measure: Measure, line: Line, known_on: date, key: date, value: DatedValue
) -> Candidate | Excluded:
    scope = match_scope(line.code, scope_clauses_on(measure, line.date, known_on), pack.lists)
    if scope is None:
        return _excluded(measure, Reason.OUT_OF_SCOPE, f"{format_code(line.code)} is not in its product scope")
    if not scope.included:
        clause_source = scope.clause.source if scope.clause and scope.clause.source else value.source
        what = "all products" if scope.pattern == "*" else scope.pattern
        return _excluded(
            measure, Reason.SCOPE_EXCLUSION, f"excluded from scope: {what} ({clause_source})", clause_source
        )
    condition = measure.condition
    if condition is not None and condition.claim not in line.claims:
        detail = f"applies only if claimed: {condition.text} (declare the claim {condition.claim})"
        return _excluded(measure, Reason.NOT_CLAIMED, detail, condition.source)
    rate = value.rate
    if value.rates_by_code is not None:
        scheduled = rate_by_code(line.code, value.rates_by_code)
        if scheduled is None or scheduled[1] is None:
            return _excluded(measure, Reason.OUT_OF_SCOPE, f"no rate for {format_code(line.code)} in {value.source}")
        rate = scheduled[1]
    return _adjust_for_time(measure, line, known_on, key, value, rate)


def _adjust_for_time(
    measure: Measure, line: Line, known_on: date, key: date, value: DatedValue, rate: DutyExpression | None
) -> Candidate | Excluded:
    """Transit rules, suspensions and a struck-down record, in that order."""
    note = None
    rule = transit_rule_for(measure, line.date, line.loaded, known_on)
    if rule is not None:
        if rule.rate is None:
            detail = f"in transit: loaded before {rule.loaded_before} and entered before {rule.entered_before}"
            return _excluded(measure, Reason.IN_TRANSIT, detail, rule.source)
        rate, note = rule.rate, f"transit rule: loaded before {rule.loaded_before} ({rule.source})"
    for suspension in suspensions_on(measure, line.date, known_on):
        until = f" until {suspension.until}" if suspension.until else ""
        if suspension.rate is None or suspension.rate.percent is None:
            return _excluded(measure, Reason.SUSPENDED, f"suspended from {suspension.from_}{until}", suspension.source)
        rate = _reduce(rate, suspension.rate.percent)
        note = f"{suspension.rate.text} suspended from {suspension.from_}{until} ({suspension.source})"
    if is_struck_down(measure, known_on):
        assert measure.struck_down is not None
        refund = "duties paid are refundable" if measure.struck_down.refund else "no refund"
        detail = f"struck down on {measure.struck_down.on} by {measure.struck_down.by}; {refund}"
        return _excluded(measure, Reason.STRUCK_DOWN, detail, measure.struck_down.by)
    return Candidate(measure, key, value, rate, note)


def _reduce(rate: DutyExpression | None, suspended_percent: Decimal) -> DutyExpression | None:
    if rate is None or rate.percent is None:
        return rate
    remaining = max(rate.percent - suspended_percent, Decimal(0))
    return rate.model_copy(update={"percent": remaining, "text": f"{format_decimal(remaining)}%"})


def _in_scope(pack: Pack, measure: Measure, code: str, day: date, known_on: date) -> bool:
    scope = match_scope(code, scope_clauses_on(measure, day, known_on), pack.lists)
    return scope is not None and scope.included


def _excluded(measure: Measure, reason: Reason, detail: str, source: str | None = None) -> Excluded:
    return Excluded(measure=measure.id, reason=detail, code=reason, source=source)


def _stack(candidate: Candidate, exemptions: list[Candidate], line: Line, evaluation: _Evaluation) -> None:
    measure = candidate.measure
    exemption = next((e for e in exemptions if any(matches_measure(p, measure.id) for p in e.measure.exempts)), None)
    if exemption is not None:
        detail = f"exempted by {exemption.measure.id}: {exemption.measure.title}"
        evaluation.excluded.append(_excluded(measure, Reason.EXEMPTED, detail, exemption.value.source))
        return
    conflict = next((other.id for other in evaluation.applied.values() if _do_not_stack(measure, other)), None)
    if conflict is not None:
        detail = f"does not stack with {conflict}, which applies"
        evaluation.excluded.append(_excluded(measure, Reason.STACKING, detail))
        return
    base, base_amount, covering = _base(candidate, line, evaluation)
    if covering is not None:
        detail = f"applies only to the value not subject to {covering}, which covers the whole value"
        evaluation.excluded.append(_excluded(measure, Reason.STACKING, detail))
        return
    evaluation.layers.append(_layer(candidate, line, base, base_amount, evaluation))
    evaluation.applied[measure.id] = measure
    evaluation.base_amounts[measure.id] = base_amount
    evaluation.bases[measure.id] = base


def _do_not_stack(measure: Measure, other: Measure) -> bool:
    """`not_with` works both ways: either measure may name the other."""
    return any(matches_measure(pattern, other.id) for pattern in measure.stacking.not_with) or any(
        matches_measure(pattern, measure.id) for pattern in other.stacking.not_with
    )


def _base(candidate: Candidate, line: Line, evaluation: _Evaluation) -> tuple[str, Decimal | None, str | None]:
    """The base name and amount of a layer, and the layer that leaves no remainder for it, if any."""
    measure = candidate.measure
    base = candidate.value.base or measure.base
    targets = [
        other
        for other in evaluation.base_amounts
        if any(matches_measure(pattern, other) for pattern in measure.stacking.only_on_value_not_subject_to)
    ]
    if not targets:
        evaluation.parts[measure.id] = _part_of(base)
        return base, line.base_amount(base), None
    covering = next((other for other in targets if evaluation.bases[other] == CUSTOMS_VALUE), None)
    if covering is not None:
        return base, None, covering
    # Each part of the value is taken once, whatever it is called: the remainder is what the targets' parts,
    # as sets, leave of the value (see _Part).
    part = _remainder([evaluation.parts[other] for other in targets])
    evaluation.parts[measure.id] = part
    label = f"{base} less {', '.join(evaluation.bases[other] for other in targets)}"
    return label, part.amount(line), None


@dataclass(frozen=True)
class _Part:
    """A part of the value: the contents named (`excluding` false), or the value less them (`excluding` true).

    The customs value is the value less nothing; copper_content is the copper. Two measures on "the value less the
    copper" take the same part; a measure on the copper and one on the value less the copper take it all.
    """

    excluding: bool
    contents: frozenset[str]

    def amount(self, line: Line) -> Decimal | None:
        amounts = [line.content.get(name) for name in self.contents]
        if any(amount is None for amount in amounts) or (self.excluding and line.value is None):
            return None
        named = sum((amount for amount in amounts if amount is not None), Decimal(0))
        return (line.value or Decimal(0)) - named if self.excluding else named


def _part_of(base: str) -> _Part:
    if base == CUSTOMS_VALUE:
        return _Part(True, frozenset())
    return _Part(False, frozenset({base.removesuffix("_content")}))


def _remainder(parts: list[_Part]) -> _Part:
    """The value less the union of the parts: the contents they include, and what those that exclude all leave."""
    included = frozenset().union(*(part.contents for part in parts if not part.excluding))
    excluded = [part.contents for part in parts if part.excluding]
    if not excluded:
        return _Part(True, included)  # their union is the contents: what is left is the value less them
    left_out = frozenset.intersection(*excluded) - included  # their union is the value less these
    return _Part(False, left_out)


def _layer(candidate: Candidate, line: Line, base: str, base_amount: Decimal | None, evaluation: _Evaluation) -> Layer:
    measure, value, rate = candidate.measure, candidate.value, candidate.rate
    amount, calculation, ave = (None, None, None)
    if measure.kind.is_tariff and rate is not None:
        amount, calculation, ave = _price(rate, base, base_amount, line, evaluation.warnings, measure.id)
    return Layer(
        measure=measure.id,
        title=measure.title,
        authority=measure.authority,
        heading=value.heading,
        kind=measure.kind.value,
        rate_percent=rate.percent if rate is not None else None,
        rate_text=rate.text if rate is not None else None,
        base=base,
        amount=amount,
        source=value.source,
        url=value.url,
        confidence=value.confidence.value,
        value_date=candidate.value_date,
        calculation=calculation,
        note=candidate.note,
        ad_valorem_equivalent_percent=ave,
    )


def _price(
    rate: DutyExpression,
    base: str,
    base_amount: Decimal | None,
    line: Line,
    warnings: list[str],
    measure_id: str,
) -> tuple[Decimal | None, str | None, Decimal | None]:
    """The rounded amount, the arithmetic as text, and the ad valorem equivalent on the customs value."""
    parts: list[str] = []
    exact = Decimal(0)
    missing: list[str] = []
    if rate.percent is not None:
        if base_amount is None:
            missing.append("the customs value" if base == CUSTOMS_VALUE else f"the {base.replace('_', ' ')}")
        else:
            exact += base_amount * rate.percent / 100
            parts.append(f"{format_decimal(rate.percent)}% × {format_money(base_amount)}")
    for specific in rate.specific:
        if line.quantity is None:
            missing.append(f"a quantity in {specific.unit}")
        elif line.unit != specific.unit:
            missing.append(f"a quantity in {specific.unit} (the line gives {line.unit})")
        else:
            exact += line.quantity * specific.amount
            parts.append(f"{format_decimal(line.quantity)} {specific.unit} × {specific.text()}")
    pure_percent_on_value = rate.is_ad_valorem_only and base == CUSTOMS_VALUE
    if missing:
        warnings.append(f"{measure_id}: amount unknown without {' and '.join(missing)}")
        return None, None, rate.percent if pure_percent_on_value else None
    amount = round_cents(exact)
    calculation = f"{' + '.join(parts)} = {format_money(amount)}"
    if pure_percent_on_value:
        ave = rate.percent
    elif line.value:
        ave = (exact / line.value * 100).quantize(_PERCENT_PLACES)
    else:
        ave = None
    return amount, calculation, ave


def _mfn_layer(mfn: MfnRate, line: Line, warnings: list[str]) -> Layer:
    """The schedule's own duty, first of the layers; amount unknown when the rate is ambiguous or not computed."""
    rate = mfn.rate
    exact, ave, reason = mfn_amount(mfn, line)
    amount = round_cents(exact) if exact is not None else None
    if reason and rate is not None:
        warnings.append(f"{mfn.measure}: amount unknown: {reason}")
    calculation = (
        f"{rate.text} on {_inputs_text(line)} = {format_money(amount)}" if amount is not None and rate else None
    )
    return Layer(
        measure=mfn.measure,
        title=mfn.title,
        authority="MFN",
        heading=None,
        kind=layer_kind(rate),
        rate_percent=rate.percent if rate is not None else None,
        rate_text=mfn.rate_text,
        base=CUSTOMS_VALUE,
        amount=amount,
        source=mfn.source,
        url=mfn.url,
        confidence=mfn.confidence,
        value_date=mfn.effective or line.date,
        calculation=calculation,
        ad_valorem_equivalent_percent=ave.quantize(_PERCENT_PLACES) if ave is not None else None,
    )


def _inputs_text(line: Line) -> str:
    parts = [f"value {format_money(line.value)}"] if line.value is not None else []
    if line.quantity is not None:
        parts.append(f"{format_decimal(line.quantity)} {line.unit}")
    return ", ".join(parts) or "nothing"


def _transit_hints(measure: Measure, line: Line, known_on: date) -> list[str]:
    if line.loaded is not None:
        return []
    return [
        f"{measure.id}: goods loaded before {rule.loaded_before} and entered before {rule.entered_before} are "
        f"treated differently ({rule.source}); give the loading date to apply it"
        for rule in transit_windows_open(measure, line.date, known_on)
    ]


def _cutoff_warnings(pack: Pack, line: Line) -> list[str]:
    if line.date <= pack.meta.cutoff:
        return []
    return [
        f"{line.date} is after the pack's cut-off ({pack.meta.cutoff}): measures taken since then are not in "
        f"pack {pack.meta.name} {pack.meta.version}"
    ]


def _later_knowledge(then: _Evaluation, now: _Evaluation, today: date) -> list[str]:
    """What changed for this line in what is known today: retroactive acts, rulings."""
    rates_then = {layer.measure: layer for layer in then.layers}
    rates_now = {layer.measure: layer for layer in now.layers}
    reasons_now = {excluded.measure: excluded for excluded in now.excluded}
    warnings = []
    for measure_id, layer in rates_then.items():
        if measure_id in reasons_now:
            paid = f" ({format_money(layer.amount)} on this line)" if layer.amount is not None else ""
            warnings.append(f"as known on {today}, {measure_id} does not apply: {reasons_now[measure_id].reason}{paid}")
        elif measure_id in rates_now and rates_now[measure_id].rate_text != layer.rate_text:
            warnings.append(f"as known on {today}, {measure_id} applies at {rates_now[measure_id].rate_text}")
    warnings += [
        f"as known on {today}, {measure_id} also applies, at {layer.rate_text}"
        for measure_id, layer in rates_now.items()
        if measure_id not in rates_then
    ]
    return warnings


def _assessment(
    pack: Pack, line: Line, known_on: date, evaluation: _Evaluation, warnings: list[str], schedule: ScheduleRef | None
) -> Assessment:
    tariffs = [layer for layer in evaluation.layers if layer.kind in {k.value for k in Kind if k.is_tariff}]
    amounts = [layer.amount for layer in tariffs]
    percents = [layer.ad_valorem_equivalent_percent for layer in tariffs]
    total_amount = None if any(a is None for a in amounts) else sum((a for a in amounts if a is not None), Decimal(0))
    total_percent = None if any(p is None for p in percents) else sum((p for p in percents if p), Decimal(0))
    for layer in evaluation.layers:
        if layer.kind in (Kind.BAN.value, Kind.LICENCE_REQUIRED.value):
            warnings.append(f"{layer.measure}: {layer.kind.replace('_', ' ')} ({layer.source})")
    return Assessment(
        query=Query(
            importer=line.importer,
            origin=line.origin,
            code=line.code,
            date=line.date,
            value=line.value,
            loaded=line.loaded,
            quantity=line.quantity,
            unit=line.unit,
            content=line.content,
            as_known_on=known_on,
        ),
        pack=PackRef.of(pack),
        layers=evaluation.layers,
        excluded=evaluation.excluded,
        total_ad_valorem_percent=total_percent,
        total_amount=total_amount,
        rounding=ROUNDING_RULE,
        warnings=list(dict.fromkeys(warnings)),
        schedule=schedule,
    )
