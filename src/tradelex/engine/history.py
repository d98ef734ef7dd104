"""The history of a product's duties: every date on which the total changes, and which measures changed it.

By default each date is answered as the law stood on that date (what customs applied then); with `as_known_on`,
every date is answered as known on one day (today's knowledge applied to the past: retroactive exemptions,
struck-down tariffs).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from tradelex.engine.assessment import Number, PackRef
from tradelex.engine.line import Line
from tradelex.engine.mfn import MfnSource
from tradelex.engine.reference import evaluate_line, import_candidates
from tradelex.engine.timeline import change_dates
from tradelex.errors import InputError
from tradelex.rules.model import Pack


class Change(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)
    measure: str
    from_: str | None = Field(serialization_alias="from")
    to: str | None
    reason: str | None = None
    source: str | None = None  # the instrument of the new value, or of the act that ended the old one


class Step(BaseModel):
    model_config = ConfigDict(frozen=True)
    date: date
    total_ad_valorem_percent: Number | None
    changes: list[Change]


class HistoryQuery(BaseModel):
    model_config = ConfigDict(frozen=True)
    importer: str
    origin: str
    code: str
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    as_known_on: date | None


class History(BaseModel):
    model_config = ConfigDict(frozen=True)
    query: HistoryQuery
    pack: PackRef
    steps: list[Step]
    warnings: list[str] = []

    def to_json_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json", by_alias=True)


def history(
    pack: Pack,
    line: Line,
    start: date,
    end: date,
    as_known_on: date | None = None,
    mfn: MfnSource | None = None,
) -> History:
    """Steps from `start` to `end` (inclusive) for the line's code, origin and importer."""
    if end < start:
        raise InputError("to", f"the end {end} comes before the start {start}")
    dates = {start} | {
        day
        for measure in import_candidates(pack, line.importer, line.origin)
        for day in change_dates(measure)
        if start < day <= end
    }
    dates |= {day for day in (mfn.change_dates(line.importer) if mfn else []) if start < day <= end}
    steps: list[Step] = []
    previous: dict[str, str | None] = {}
    for day in sorted(dates):
        assessment = evaluate_line(
            pack,
            line.model_copy(update={"date": day, "loaded": None}),
            as_known_on=as_known_on or day,
            mfn=mfn,
        )
        rates = {layer.measure: layer.rate_text for layer in assessment.layers}
        reasons = {excluded.measure: excluded.reason for excluded in assessment.excluded}
        sources = {e.measure: e.source for e in assessment.excluded} | {
            la.measure: la.source for la in assessment.layers
        }
        changes = [
            Change(
                measure=measure,
                from_=previous.get(measure),
                to=rates.get(measure),
                reason=None if measure in rates else reasons.get(measure),
                source=sources.get(measure),
            )
            for measure in sorted(set(previous) | set(rates), key=_order(pack))
            if previous.get(measure) != rates.get(measure)
        ]
        if changes or not steps:
            steps.append(Step(date=day, total_ad_valorem_percent=assessment.total_ad_valorem_percent, changes=changes))
        previous = rates
    query = HistoryQuery(
        importer=line.importer,
        origin=line.origin,
        code=line.code,
        start=start,
        end=end,
        as_known_on=as_known_on,
    )
    warnings = (
        [f"the period runs past the pack's cut-off ({pack.meta.cutoff}): later measures are not in the pack"]
        if end > pack.meta.cutoff
        else []
    )
    return History(
        query=query,
        pack=PackRef.of(pack),
        steps=steps,
        warnings=warnings,
    )


def _order(pack: Pack) -> Callable[[str], tuple[int, str]]:
    def key(measure_id: str) -> tuple[int, str]:
        measure = pack.measures.get(measure_id)
        return (measure.stacking.precedence if measure else 0, measure_id)

    return key
