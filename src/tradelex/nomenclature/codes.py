"""Product codes: normalised digit strings and their prefixes.

A code is written with or without dots or spaces (6109.10.0012, 6109 10 00 12, 6109100012) and is kept as digits.
Codes have 2 (chapter), 4 (heading), 6 (HS subheading), 8 (national tariff line) or 10 digits (statistical suffix).
"""

from __future__ import annotations

import re

from tradelex.errors import UnknownCodeError

CODE_LENGTHS = (2, 4, 6, 8, 10)
_SEPARATORS = re.compile(r"[.\s]")


def normalise_code(text: str, field: str = "code") -> str:
    digits = _SEPARATORS.sub("", text.strip()) if isinstance(text, str) else ""
    if not digits.isdigit() or not digits.isascii():
        raise UnknownCodeError(field, f"expected a product code of digits (dots allowed), got {text!r}")
    if len(digits) not in CODE_LENGTHS:
        raise UnknownCodeError(field, f"expected 2, 4, 6, 8 or 10 digits, got {len(digits)} in {text!r}")
    return digits


def prefixes(code: str) -> list[str]:
    """Every prefix that a scope clause may name for this code, shortest first: 61, 6109, 610910, …"""
    return [code[:length] for length in CODE_LENGTHS if length <= len(code)]


def format_code(code: str) -> str:
    """Dotted as the US schedule prints it: 6109.10.00.12."""
    parts = [code[:4]] + [code[i : i + 2] for i in range(4, len(code), 2)]
    return ".".join(part for part in parts if part)
