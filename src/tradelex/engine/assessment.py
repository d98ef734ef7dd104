"""What an assessment says: the layers that apply, the measures considered and excluded, and the totals.

This is the JSON contract of `tradelex rate --json` (documented in the README): amounts and rates are decimal
strings, an unknown value is null, never a guess. The CLI, the Python API and the HTTP API return this shape.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer

from tradelex.money import format_decimal, format_money
from tradelex.rules.model import Pack

# Amounts and rates leave as decimal strings: money always with two places, rates as written (25, 7.5).
Money = Annotated[Decimal, PlainSerializer(format_money, return_type=str)]
Number = Annotated[Decimal, PlainSerializer(format_decimal, return_type=str)]


class Reason(StrEnum):
    OUT_OF_SCOPE = "out_of_scope"
    SCOPE_EXCLUSION = "scope_exclusion"
    EXEMPTED = "exempted"
    STACKING = "stacking"
    NOT_YET_IN_FORCE = "not_yet_in_force"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    STRUCK_DOWN = "struck_down"
    IN_TRANSIT = "in_transit"
    NOT_CLAIMED = "not_claimed"  # the measure applies only to goods declared to be of a kind (a condition)


class _Contract(BaseModel):
    model_config = ConfigDict(frozen=True)


class Query(_Contract):
    importer: str
    origin: str
    code: str
    date: dt.date
    value: Money | None = None
    loaded: dt.date | None = None
    quantity: Number | None = None
    unit: str | None = None
    content: dict[str, Money] = {}
    as_known_on: dt.date


class PackRef(_Contract):
    name: str
    version: str
    cutoff: dt.date

    @classmethod
    def of(cls, pack: Pack) -> PackRef:
        return cls(name=pack.meta.name, version=pack.meta.version, cutoff=pack.meta.cutoff)


class ScheduleRef(_Contract):
    """The schedule line a US code falls under, and the Chapter 99 headings its footnotes point to."""

    revision: str
    line: str | None
    description: str | None
    unit: str | None
    footnote_headings: list[str]


class Layer(_Contract):
    """One duty or requirement that applies, with the value it applied and where that value comes from."""

    measure: str
    title: str
    authority: str
    heading: str | None
    kind: str
    rate_percent: Number | None
    rate_text: str | None
    base: str
    amount: Money | None
    source: str
    url: str | None
    confidence: str
    value_date: dt.date
    calculation: str | None = None
    note: str | None = None
    ad_valorem_equivalent_percent: Number | None = None


class Excluded(_Contract):
    """A measure for this partner that was considered and does not apply, with the reason."""

    measure: str
    reason: str
    code: Reason
    source: str | None = None


class Assessment(_Contract):
    query: Query
    pack: PackRef
    layers: list[Layer]
    excluded: list[Excluded]
    total_ad_valorem_percent: Number | None
    total_amount: Money | None
    rounding: str
    warnings: list[str]
    schedule: ScheduleRef | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def layer(self, measure_id: str) -> Layer | None:
        return next((layer for layer in self.layers if layer.measure == measure_id), None)
