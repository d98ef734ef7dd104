"""What an assessment says: the layers that apply, the measures considered and excluded, and the totals.

This is the JSON contract of `tradelex rate --json` (documented in the README): amounts and rates are decimal
strings, an unknown value is null, never a guess. The CLI, the Python API and the HTTP API return this shape.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, field_serializer

from tradelex.money import format_decimal, format_money


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


class _Contract(BaseModel):
    model_config = ConfigDict(frozen=True)


class Query(_Contract):
    importer: str
    origin: str
    code: str
    date: dt.date
    value: Decimal | None = None
    loaded: dt.date | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    content: dict[str, Decimal] = {}
    as_known_on: dt.date

    @field_serializer("value")
    def _money(self, value: Decimal | None) -> str | None:
        return None if value is None else format_money(value)

    @field_serializer("quantity")
    def _quantity(self, value: Decimal | None) -> str | None:
        return None if value is None else format_decimal(value)

    @field_serializer("content")
    def _contents(self, content: dict[str, Decimal]) -> dict[str, str]:
        return {name: format_money(amount) for name, amount in content.items()}


class PackRef(_Contract):
    name: str
    version: str
    cutoff: dt.date


class Layer(_Contract):
    """One duty or requirement that applies, with the value it applied and where that value comes from."""

    measure: str
    title: str
    authority: str
    heading: str | None
    kind: str
    rate_percent: Decimal | None
    rate_text: str | None
    base: str
    amount: Decimal | None
    source: str
    url: str | None
    confidence: str
    value_date: dt.date
    calculation: str | None = None
    note: str | None = None
    ad_valorem_equivalent_percent: Decimal | None = None

    @field_serializer("rate_percent", "ad_valorem_equivalent_percent")
    def _percent(self, value: Decimal | None) -> str | None:
        return None if value is None else format_decimal(value)

    @field_serializer("amount")
    def _amount(self, value: Decimal | None) -> str | None:
        return None if value is None else format_money(value)


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
    total_ad_valorem_percent: Decimal | None
    total_amount: Decimal | None
    rounding: str
    warnings: list[str]

    @field_serializer("total_ad_valorem_percent")
    def _percent(self, value: Decimal | None) -> str | None:
        return None if value is None else format_decimal(value)

    @field_serializer("total_amount")
    def _amount(self, value: Decimal | None) -> str | None:
        return None if value is None else format_money(value)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def layer(self, measure_id: str) -> Layer | None:
        return next((layer for layer in self.layers if layer.measure == measure_id), None)
