"""What goes into the licence registry and what comes out: pydantic models, with errors that name the field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Self, get_args

import pycountry
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from tradelex.dates import parse_iso_date
from tradelex.errors import BadAmountError, InputError
from tradelex.money import parse_amount
from tradelex.nomenclature.countries import normalise_country

from .regimes import find_regime

Outcome = Literal["approved", "denied", "returned", "resubmitted"]
Status = Literal["pending", "returned", "approved", "denied"]
ClockState = Literal["running", "stopped", "decided"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
STATUSES: tuple[str, ...] = get_args(Status)
TEXT_FIELDS = ("exporter", "item", "unit", "end_user", "end_use")


def input_error_from(error: ValidationError) -> InputError:
    """The first problem pydantic found, as an InputError naming the field ('quantity', 'decisions.0.outcome')."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "input"
    message = "is required" if first["type"] == "missing" else first["msg"]
    return InputError(field, message)


class JsonModel(BaseModel):
    model_config = ConfigDict(frozen=True)

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON the CLI prints and the HTTP API returns: dates ISO, decimals as strings."""
        return self.model_dump(mode="json")


class InputModel(JsonModel):
    """A model filled from loose input (CLI options, JSON bodies)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Self:
        """Build from loose input: every problem becomes an InputError naming the field."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as error:
            raise input_error_from(error) from None


class ApplicationIn(InputModel):
    """A licence application as the exporter files it. `submitted_on` is the day the authority accepted it."""

    regime: str = "cn.mofcom"
    exporter: str
    item: str  # an HS code or a control-list number (China's export-control code, an ECCN)
    quantity: Decimal
    unit: str
    value: Decimal
    currency: str
    destination: str
    end_user: str
    end_use: str
    submitted_on: date

    @field_validator("regime", mode="before")
    @classmethod
    def _known_regime(cls, text: object) -> str:
        return find_regime(_required_text(text, "regime")).id

    @field_validator(*TEXT_FIELDS, mode="before")
    @classmethod
    def _non_blank(cls, text: object, info: Any) -> str:
        return _required_text(text, str(info.field_name))

    @field_validator("quantity", mode="before")
    @classmethod
    def _positive_quantity(cls, text: object) -> Decimal:
        quantity = parse_amount(text, "quantity")
        if quantity == 0:
            raise BadAmountError("quantity", "must be greater than zero")
        return quantity

    @field_validator("value", mode="before")
    @classmethod
    def _exact_value(cls, text: object) -> Decimal:
        return parse_amount(text, "value")

    @field_validator("currency", mode="before")
    @classmethod
    def _iso_currency(cls, text: object) -> str:
        code = _required_text(text, "currency").upper()
        if pycountry.currencies.get(alpha_3=code) is None:
            raise InputError("currency", f"{text!r} is not an ISO 4217 currency code such as USD or CNY")
        return code

    @field_validator("destination", mode="before")
    @classmethod
    def _country(cls, text: object) -> str:
        if not isinstance(text, str):
            raise InputError("destination", f"expected a country code such as US, got {text!r}")
        return normalise_country(text, "destination")

    @field_validator("submitted_on", mode="before")
    @classmethod
    def _iso_date(cls, text: object) -> date:
        return parse_iso_date(text, "submitted_on")


class DecisionIn(InputModel):
    """An entry in an application's history: the authority's decision, or the applicant's resubmission."""

    outcome: Outcome
    decided_on: date
    note: str | None = None

    @field_validator("outcome", mode="before")
    @classmethod
    def _known_outcome(cls, text: object) -> str:
        if text not in OUTCOMES:
            raise InputError("outcome", f"expected one of {', '.join(OUTCOMES)}, got {text!r}")
        return str(text)

    @field_validator("decided_on", mode="before")
    @classmethod
    def _iso_date(cls, text: object) -> date:
        return parse_iso_date(text, "decided_on")


class DecisionOut(JsonModel):
    sequence: int
    outcome: Outcome
    decided_on: date
    note: str | None
    recorded_at: datetime


class ApplicationOut(JsonModel):
    id: int
    regime: str
    exporter: str
    item: str
    quantity: Decimal
    unit: str
    value: Decimal
    currency: str
    destination: str
    end_user: str
    end_use: str
    submitted_on: date
    status: Status
    decisions: list[DecisionOut]


class Basis(JsonModel):
    """Where a figure comes from."""

    source: str
    url: str
    confidence: str
    note: str | None = None


class ReviewClock(JsonModel):
    """The statutory review clock of one application as of a day; null where the data cannot say."""

    application_id: int
    regime: str
    as_of: date
    status: Status
    state: ClockState
    accepted_on: date
    working_days_allowed: int | None
    due_date: date | None
    working_days_elapsed: int | None
    working_days_remaining: int | None
    overdue: bool | None
    stopped_on: date | None
    decided_on: date | None
    rule: str
    basis: Basis | None
    calendar: list[Basis]
    warnings: list[str]


class MonthlyIndicator(JsonModel):
    """One month of a regime's licensing: what was filed and what was decided in that month."""

    regime: str
    month: str
    month_start: date
    applications: int
    approvals: int
    denials: int
    returns: int
    approval_rate: Decimal | None
    median_working_days_to_decision: Decimal | None
    median_calendar_days_to_decision: Decimal | None


def _required_text(text: object, field: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InputError(field, f"is required and must be non-empty text, got {text!r}")
    return text.strip()
