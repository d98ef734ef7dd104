"""Exact money: Decimal amounts, rounded half-up to the cent once per duty layer.

Rounding per layer (not on the total) is how customs computes a duty line: each duty is
computed and rounded on its own, and the total is the sum of the rounded duties.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tradelex.errors import BadAmountError

CENT = Decimal("0.01")
ROUNDING_RULE = "per layer, ROUND_HALF_UP to the cent"


def round_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: object, field: str) -> Decimal:
    """A non-negative, finite decimal from a string or a number (never through float)."""
    if isinstance(text, float):
        text = repr(text)
    if isinstance(text, int | Decimal):
        value = Decimal(text)
    elif isinstance(text, str):
        try:
            value = Decimal(text.strip().replace(",", "").replace("_", ""))
        except InvalidOperation:
            raise BadAmountError(field, f"expected a decimal number, got {text!r}") from None
    else:
        raise BadAmountError(field, f"expected a decimal number, got {text!r}")
    if not value.is_finite():
        raise BadAmountError(field, f"expected a finite number, got {text!r}")
    if value < 0:
        raise BadAmountError(field, f"must not be negative, got {text!r}")
    return value


def format_decimal(value: Decimal) -> str:
    """A plain decimal string without exponent or trailing zeros: 25, 7.5, 0.35."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def format_money(value: Decimal) -> str:
    return format(round_cents(value), "f")
