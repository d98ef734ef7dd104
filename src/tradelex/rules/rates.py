"""Rate texts in rule files, parsed by a grammar into a typed duty expression.

A rule file writes a rate as a string, never a YAML number (0.1 + 0.2 must stay exact):
    "25%"                  ad valorem
    "USD 0.50/kg"          specific: an amount of money per unit of quantity
    "7.5% + USD 0.50/kg"   compound: the sum of its parts
    "Free"                 nothing
The schedule's own rate texts (cents, minimums, "the duty in the applicable subheading + 25%") are the data
importers' grammar; this one is the pack's, kept small and strict.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import pycountry
from lark import Lark, Token, Transformer, UnexpectedInput
from pydantic import BaseModel, ConfigDict

from tradelex.money import format_decimal

_GRAMMAR = r"""
    start: term ("+" term)*
    ?term: percent | specific | free
    percent: NUMBER "%"
    specific: CURRENCY NUMBER "/" UNIT
    free: "Free"i
    CURRENCY: /[A-Z]{3}/
    NUMBER: /\d+(\.\d+)?/
    UNIT: /[A-Za-z][A-Za-z0-9_.]*/
    %import common.WS
    %ignore WS
"""

# Spellings of one unit of quantity that mean the same thing; the key is the name tradelex prints.
UNIT_ALIASES: dict[str, set[str]] = {
    "item": {"item", "items", "no", "no.", "pcs", "pc", "piece", "pieces", "each", "unit", "units"},
    "doz": {"doz", "doz.", "dozen"},
    "kg": {"kg", "kgs", "kilogram", "kilograms"},
    "t": {"t", "tonne", "tonnes", "mt"},
    "liter": {"l", "liter", "liters", "litre", "litres"},
    "m2": {"m2", "sqm"},
    "m3": {"m3"},
    "pair": {"pair", "pairs", "prs", "prs."},
}
_UNIT_BY_SPELLING = {spelling: name for name, spellings in UNIT_ALIASES.items() for spelling in spellings}


def normalise_unit(text: str) -> str:
    """The canonical name of a unit of quantity; an unknown unit is kept as written, lower-cased."""
    spelling = text.strip().lower()
    return _UNIT_BY_SPELLING.get(spelling, spelling.rstrip("."))


class SpecificDuty(BaseModel):
    """An amount of money per unit of quantity: USD 0.50/kg."""

    model_config = ConfigDict(frozen=True)
    amount: Decimal
    currency: str
    unit: str

    def text(self) -> str:
        return f"{self.currency} {format_decimal(self.amount)}/{self.unit}"


class DutyExpression(BaseModel):
    """A parsed rate: an ad valorem percentage, specific duties, or both (compound)."""

    model_config = ConfigDict(frozen=True)
    text: str
    percent: Decimal | None = None
    specific: tuple[SpecificDuty, ...] = ()

    @property
    def is_ad_valorem_only(self) -> bool:
        return not self.specific

    @property
    def is_specific_only(self) -> bool:
        return self.percent is None and bool(self.specific)

    @property
    def is_compound(self) -> bool:
        return self.percent is not None and bool(self.specific)


class RateSyntaxError(ValueError):
    """A rate text the grammar does not accept."""


class _ToExpression(Transformer[Token, DutyExpression]):
    def percent(self, items: list[Token]) -> Decimal:
        return Decimal(str(items[0]))

    def specific(self, items: list[Token]) -> SpecificDuty:
        currency, amount, unit = (str(item) for item in items)
        if pycountry.currencies.get(alpha_3=currency) is None:
            raise RateSyntaxError(f"{currency!r} is not an ISO 4217 currency code")
        return SpecificDuty(amount=Decimal(amount), currency=currency, unit=normalise_unit(unit))

    def free(self, _items: list[Token]) -> Decimal:
        return Decimal(0)

    def start(self, terms: list[Decimal | SpecificDuty]) -> tuple[Decimal | None, tuple[SpecificDuty, ...]]:
        percents = [term for term in terms if isinstance(term, Decimal)]
        if len(percents) > 1:
            raise RateSyntaxError("more than one ad valorem part; write their sum")
        specific = tuple(term for term in terms if isinstance(term, SpecificDuty))
        return (percents[0] if percents else None, specific)


@cache
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr")


EXPECTED_RATE = 'expected a rate such as "25%", "USD 0.50/kg", "7.5% + USD 0.50/kg" or "Free"'


@cache
def parse_rate(text: str) -> DutyExpression:
    """Parse a rate text; raise RateSyntaxError saying what was expected."""
    try:
        tree = _parser().parse(text)
        percent, specific = _ToExpression().transform(tree)
    except UnexpectedInput:
        raise RateSyntaxError(f"{EXPECTED_RATE}, got {text!r}") from None
    except Exception as error:  # lark wraps errors raised in the transformer
        cause = getattr(error, "orig_exc", error)
        if isinstance(cause, RateSyntaxError):
            raise cause from None
        raise
    return DutyExpression(text=text, percent=percent, specific=specific)
