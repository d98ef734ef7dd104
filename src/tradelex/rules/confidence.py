"""How much of a pack rests on primary texts: sourced records counted by confidence."""

from __future__ import annotations

from pydantic import BaseModel

from tradelex.rules.model import Confidence, Pack


class ConfidenceCount(BaseModel):
    values: int
    values_confirmed: int
    records: int  # values, scope clauses with their own source, transit rules, suspensions, struck-down records
    records_confirmed: int

    @property
    def values_confirmed_percent(self) -> float:
        return 100.0 * self.values_confirmed / self.values if self.values else 0.0


def count_confidence(pack: Pack) -> ConfidenceCount:
    values = [value.confidence for m in pack.measures.values() for value in m.values.values()]
    others: list[Confidence] = []
    for measure in pack.measures.values():
        others += [clause.confidence for clause in measure.scope if clause.confidence is not None]
        others += [record.confidence for record in [*measure.transit, *measure.suspensions]]
        others += [measure.struck_down.confidence] if measure.struck_down else []
    confirmed = [c for c in values if c is Confidence.CONFIRMED]
    confirmed_others = [c for c in others if c is Confidence.CONFIRMED]
    return ConfidenceCount(
        values=len(values),
        values_confirmed=len(confirmed),
        records=len(values) + len(others),
        records_confirmed=len(confirmed) + len(confirmed_others),
    )
