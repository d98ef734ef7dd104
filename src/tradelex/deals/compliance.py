"""Compliance: each commitment as kept, partly kept (with the ratio to target), broken, or unknown, with evidence.

- Measures: the pack's values are read as known on the as-of day (timeline.value_on, suspensions, struck-down
  records), day by day over the committed period up to that day. The ratio is the share of days on which the
  measure showed what was committed: 1 is kept, 0 broken, anything between partly kept.
- Indicator targets: the latest (or average) figure in [from, deadline] published by the as-of day, against the
  threshold (a figure, or a percentage of a baseline). Ratio = figure / threshold.
- Purchases: the total of the series over the period, less the baseline it must exceed, against the amount.
- No data (a series with no figures yet, a period not begun, words without a measure): unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import partial
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from tradelex.deals.indicators import Point, Series, SeriesUnavailableError, average, open_series
from tradelex.deals.model import (
    Commitment,
    Deal,
    IndicatorTarget,
    MeasureTarget,
    PurchaseTarget,
    Reading,
    parse_period,
)
from tradelex.engine.timeline import change_dates, is_struck_down, suspensions_on, value_on
from tradelex.errors import PackError
from tradelex.money import format_decimal
from tradelex.rules.model import Measure, Pack

RATIO_PLACES = Decimal("0.0001")  # ratios are rounded half-up to four places


class State(StrEnum):
    KEPT = "kept"
    PARTLY_KEPT = "partly_kept"
    BROKEN = "broken"
    UNKNOWN = "unknown"


class Evidence(BaseModel):
    """One fact the state rests on, in words, with its source."""

    model_config = ConfigDict(frozen=True)
    kind: str  # measure | indicator | purchase | note
    text: str
    source: str | None = None
    url: str | None = None
    confidence: str | None = None


class CommitmentState(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    party: str
    reading: str
    clause: str
    state: State
    ratio: str | None
    evidence: list[Evidence]


class ComplianceReport(BaseModel):
    model_config = ConfigDict(frozen=True)
    deal: str
    as_of: date
    commitments: list[CommitmentState]

    def to_json_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json")


@dataclass
class _Outcome:
    state: State
    ratio: Decimal | None
    evidence: list[Evidence]


def assess_compliance(deal: Deal, pack: Pack, as_of: date) -> ComplianceReport:
    """Every commitment of every reading, judged on the pack and the indicator series as known on `as_of`."""
    folder = Path(deal.file).parent
    states = [
        _state(reading, commitment, _assess(commitment, deal, pack, folder, as_of))
        for reading, commitment in deal.commitments()
    ]
    return ComplianceReport(deal=deal.name, as_of=as_of, commitments=states)


def _state(reading: Reading, commitment: Commitment, outcome: _Outcome) -> CommitmentState:
    ratio = None if outcome.ratio is None else format(outcome.ratio.quantize(RATIO_PLACES, ROUND_HALF_UP), "f")
    return CommitmentState(
        id=commitment.id,
        party=commitment.by,
        reading=reading.party,
        clause=commitment.clause,
        state=outcome.state,
        ratio=ratio,
        evidence=outcome.evidence,
    )


def _assess(commitment: Commitment, deal: Deal, pack: Pack, folder: Path, as_of: date) -> _Outcome:
    outcomes = [_measure_outcome(target, deal, pack, as_of) for target in commitment.measures]
    if commitment.indicator:
        judge = partial(_judge_indicator, commitment.indicator, as_of)
        outcomes.append(_with_series(commitment.indicator.series, folder, judge))
    if commitment.purchase:
        judge = partial(_judge_purchase, commitment.purchase, as_of)
        outcomes.append(_with_series(commitment.purchase.series, folder, judge))
    if not outcomes:
        return _Outcome(
            State.UNKNOWN,
            None,
            [Evidence(kind="note", text="words only: the commitment names no measure, indicator or amount to check")],
        )
    return _combine(outcomes)


def _combine(outcomes: list[_Outcome]) -> _Outcome:
    """Several targets of one commitment: unknown if any is unknown, else the mean of their ratios."""
    evidence = [item for outcome in outcomes for item in outcome.evidence]
    if len(outcomes) == 1:
        return outcomes[0]
    if any(outcome.state is State.UNKNOWN or outcome.ratio is None for outcome in outcomes):
        return _Outcome(State.UNKNOWN, None, evidence)
    ratios = [min(outcome.ratio, Decimal(1)) for outcome in outcomes if outcome.ratio is not None]
    ratio = sum(ratios, Decimal(0)) / len(ratios)
    return _Outcome(_state_for(ratio), ratio, evidence)


def _state_for(ratio: Decimal) -> State:
    if ratio >= 1:
        return State.KEPT
    if ratio <= 0:
        return State.BROKEN
    return State.PARTLY_KEPT


# ---------------------------------------------------------------- measures


def _measure_outcome(target: MeasureTarget, deal: Deal, pack: Pack, as_of: date) -> _Outcome:
    if target.id not in pack.measures:
        raise PackError(deal.file, f"measure {target.id!r} is not in the pack {pack.meta.name}", field="measures.id")
    measure = pack.measures[target.id]
    if as_of < target.from_:
        note = f"{target.id}: the commitment runs from {target.from_}, after {as_of}"
        return _Outcome(State.UNKNOWN, None, [Evidence(kind="note", text=note)])
    end = min(target.until, as_of + timedelta(days=1)) if target.until else as_of + timedelta(days=1)
    cuts = sorted({target.from_, end} | {day for day in change_dates(measure) if target.from_ < day < end})
    held_days, evidence = 0, []
    for start, stop in pairwise(cuts):
        shown = _shown(measure, start, as_of)
        holds = _holds(target, shown)
        held_days += (stop - start).days if holds else 0
        verdict = "as committed" if holds else f"not as committed ({target.expectation()})"
        text = f"{target.id} from {start} to {stop - timedelta(days=1)}: {shown.text}, {verdict}; as known on {as_of}"
        source, url, confidence = shown.source
        evidence.append(Evidence(kind="measure", text=text, source=source, url=url, confidence=confidence))
    ratio = Decimal(held_days) / Decimal((end - target.from_).days)
    return _Outcome(_state_for(ratio), ratio, evidence)


_Source = tuple[str | None, str | None, str | None]


@dataclass(frozen=True)
class _Shown:
    """What the pack shows for a measure on a day: whether it applies, its ad valorem rate, and in words."""

    in_force: bool
    percent: Decimal | None
    text: str
    source: _Source


def _shown(measure: Measure, day: date, known_on: date) -> _Shown:
    """The measure on `day` as known on `known_on`: struck down, not yet imposed, ended, suspended, or its rate
    less the suspended part (as the reference evaluator reduces it)."""
    if is_struck_down(measure, known_on):
        assert measure.struck_down is not None
        struck = measure.struck_down
        text = f"not in force (struck down on {struck.on})"
        return _Shown(False, None, text, (struck.by, struck.url, struck.confidence.value))
    found = value_on(measure, day, known_on)
    if found is None:
        return _Shown(False, None, "not in force (not yet imposed)", (None, None, None))
    key, value = found
    source: _Source = (value.source, value.url, value.confidence.value)
    if value.ends:
        return _Shown(False, None, f"not in force (ended on {key})", source)
    suspended = Decimal(0)
    for suspension in suspensions_on(measure, day, known_on):
        suspension_source = (suspension.source, suspension.url, suspension.confidence.value)
        if suspension.rate is None or suspension.rate.percent is None:
            return _Shown(False, None, f"not in force (suspended from {suspension.from_})", suspension_source)
        suspended += suspension.rate.percent
        source = suspension_source
    if value.rate is None or value.rate.percent is None:
        return _Shown(True, None, "in force", source)
    remaining = max(value.rate.percent - suspended, Decimal(0))
    text = f"{format_decimal(remaining)}%"
    if suspended:
        text += f" ({value.rate.text} with {format_decimal(suspended)}% suspended)"
    return _Shown(True, remaining, text, source)


def _holds(target: MeasureTarget, shown: _Shown) -> bool:
    if target.in_force is not None:
        return shown.in_force == target.in_force
    expected = target.expected_rate
    assert expected is not None and expected.percent is not None
    if target.rate is not None:
        return shown.in_force and shown.percent == expected.percent
    # at most: a measure no longer in force charges nothing, which is within any ceiling
    return not shown.in_force or (shown.percent is not None and shown.percent <= expected.percent)


# ---------------------------------------------------------------- series


def _with_series(name: str, folder: Path, judge: Callable[[Series], _Outcome]) -> _Outcome:
    try:
        series = open_series(folder, name)
    except SeriesUnavailableError as error:
        return _Outcome(State.UNKNOWN, None, [Evidence(kind="note", text=str(error))])
    return judge(series)


def _point_evidence(kind: str, series: Series, point: Point) -> Evidence:
    text = f"{series.title}, {point.period}: {format_decimal(point.value)} {series.unit} (published {point.published})"
    return Evidence(kind=kind, text=text, source=point.source, url=point.url, confidence=point.confidence)


def _note(text: str) -> Evidence:
    return Evidence(kind="note", text=text)


def _judge_indicator(target: IndicatorTarget, as_of: date, series: Series) -> _Outcome:
    threshold, evidence = _threshold(target, as_of, series)
    if threshold is None:
        return _Outcome(State.UNKNOWN, None, evidence)
    last_day = min(target.deadline, as_of)
    points = series.within(target.from_, last_day + timedelta(days=1), as_of)
    if not points:
        note = f"{series.title}: no figure for {target.from_} to {last_day} published by {as_of}"
        return _Outcome(State.UNKNOWN, None, [*evidence, _note(note)])
    figure = points[-1].value if target.statistic == "latest" else average(points)
    evidence += [_point_evidence("indicator", series, point) for point in points]
    ratio = figure / threshold if threshold else Decimal(1)
    what = "latest figure" if target.statistic == "latest" else "average"
    evidence.append(
        _note(
            f"{what} {_plain(figure)} {series.unit} against a threshold of {_plain(threshold)} {series.unit} "
            f"(deadline {target.deadline})"
        )
    )
    if ratio < 1 and as_of < target.deadline:
        evidence.append(_note(f"the deadline {target.deadline} has not passed on {as_of}"))
    return _Outcome(_state_for(ratio), ratio, evidence)


def _threshold(target: IndicatorTarget, as_of: date, series: Series) -> tuple[Decimal | None, list[Evidence]]:
    """The level to reach: a figure, or a percentage of the baseline (a figure or the series' average)."""
    if target.at_least is not None:
        return target.at_least, []
    baseline, percent = target.baseline, target.at_least_percent
    assert baseline is not None and percent is not None
    if baseline.value is not None:
        evidence = [
            Evidence(kind="indicator", text=f"baseline {_plain(baseline.value)} {series.unit}", source=baseline.source)
        ]
        return baseline.value * percent / 100, evidence
    assert baseline.period is not None
    start, end = parse_period(baseline.period)
    points = series.within(start, end, as_of)
    if not points:
        return None, [
            _note(f"{series.title}: no figure for the baseline period {baseline.period} published by {as_of}")
        ]
    base = average(points)
    evidence = [_point_evidence("indicator", series, point) for point in points]
    evidence.append(_note(f"baseline: the average of {baseline.period}, {_plain(base)} {series.unit}"))
    return base * percent / 100, evidence


def _judge_purchase(target: PurchaseTarget, as_of: date, series: Series) -> _Outcome:
    if as_of < target.from_:
        return _Outcome(State.UNKNOWN, None, [_note(f"the period begins on {target.from_}")])
    points = series.within(target.from_, target.until, as_of)
    if not points:
        note = f"{series.title}: no figure for {target.from_} to {target.until} published by {as_of}"
        return _Outcome(State.UNKNOWN, None, [_note(note)])
    total = sum((point.value for point in points), Decimal(0))
    evidence = [_point_evidence("purchase", series, point) for point in points]
    ratio = (total - target.above) / target.amount
    text = f"total {_plain(total)} {series.unit}"
    if target.above:
        whole = target.above + target.amount
        text += (
            f", less the baseline {_plain(target.above)} ({target.above_source}), = {_plain(total - target.above)}"
            f" against {_plain(target.amount)} committed above it; {_plain(total / whole * 100)}% of the whole "
            f"{_plain(whole)}"
        )
    else:
        text += f" against {_plain(target.amount)} committed"
    evidence.append(_note(text))
    covered_until = max(point.end for point in points)
    if covered_until < target.until:
        evidence.append(_note(f"the figures cover the period only until {covered_until}"))
    return _Outcome(_state_for(ratio), ratio, evidence)


def _plain(value: Decimal) -> str:
    """A figure for a sentence: at most two decimal places, half-up."""
    return format_decimal(value.quantize(Decimal("0.01"), ROUND_HALF_UP))
