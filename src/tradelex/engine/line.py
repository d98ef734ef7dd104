"""One line to assess: who imports what from where, when, for how much."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from tradelex.dates import parse_iso_date
from tradelex.errors import BadAmountError, InputError
from tradelex.money import parse_amount
from tradelex.nomenclature.countries import normalise_country
from tradelex.nomenclature.hs import validate_code
from tradelex.rules.rates import normalise_unit


class Line(BaseModel):
    """A validated line; build it with `Line.parse` to get errors that name the field."""

    model_config = ConfigDict(frozen=True)

    importer: str
    origin: str
    code: str
    date: dt.date
    loaded: dt.date | None = None
    value: Decimal | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    content: dict[str, Decimal] = {}
    claims: frozenset[str] = frozenset()

    @classmethod
    def parse(
        cls,
        *,
        code: str,
        origin: str,
        date: str | dt.date,
        importer: str = "US",
        loaded: str | dt.date | None = None,
        value: object = None,
        quantity: object = None,
        unit: str | None = None,
        content: dict[str, object] | None = None,
        claims: Iterable[str] = (),
        validate_nomenclature: bool = True,
    ) -> Line:
        from tradelex.nomenclature.codes import normalise_code

        line = cls(
            importer=normalise_country(importer, "importer"),
            origin=normalise_country(origin, "origin"),
            code=validate_code(code) if validate_nomenclature else normalise_code(code),
            date=parse_iso_date(date, "date"),
            loaded=None if loaded is None else parse_iso_date(loaded, "loaded"),
            value=None if value is None else parse_amount(value, "value"),
            quantity=None if quantity is None else parse_amount(quantity, "quantity"),
            unit=None if unit is None else normalise_unit(unit),
            content={
                _content_name(name): parse_amount(amount, f"content.{name}") for name, amount in (content or {}).items()
            },
            claims=frozenset(_claim(claim) for claim in claims),
        )
        line._check_consistency()
        return line

    def _check_consistency(self) -> None:
        if self.loaded is not None and self.loaded > self.date:
            raise InputError(
                "loaded", f"the goods cannot be loaded ({self.loaded}) after they are entered ({self.date})"
            )
        if (self.quantity is None) != (self.unit is None):
            raise InputError("unit" if self.unit is None else "quantity", "give a quantity together with its unit")
        for name, amount in self.content.items():
            if self.value is not None and amount > self.value:
                raise BadAmountError(
                    f"content.{name}", f"{name} content {amount} exceeds the customs value {self.value}"
                )
        if self.value is not None and sum(self.content.values()) > self.value:
            # parts of one good (its steel, its copper) cannot together be worth more than the good
            raise BadAmountError("content", f"the content values add up to more than the customs value {self.value}")

    def base_amount(self, base: str) -> Decimal | None:
        """The value a layer is computed on: the customs value, or a named content value."""
        if base == "customs_value":
            return self.value
        return self.content.get(base.removesuffix("_content"))


def _claim(claim: str) -> str:
    cleaned = claim.strip().lower()
    if not cleaned.replace("-", "").isalnum():
        raise InputError("claim", f"a claim is a short name such as automobile-part, got {claim!r}")
    return cleaned


def _content_name(name: str) -> str:
    cleaned = name.strip().lower().removesuffix("_content")
    if not cleaned.replace("_", "").isalpha():
        raise InputError(f"content.{name}", "a content name is a word such as copper, steel or aluminum")
    return cleaned


def parse_content(entries: Iterable[str]) -> dict[str, object]:
    """Content values written as `NAME=AMOUNT` pairs (`copper=6000`), as --content and the API's `content` take them."""
    content: dict[str, object] = {}
    for entry in entries:
        name, separator, amount = entry.partition("=")
        if not separator or not name.strip():
            raise InputError("content", f"expected NAME=AMOUNT such as copper=3000, got {entry!r}")
        content[name.strip()] = amount
    return content
