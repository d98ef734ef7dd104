"""The open-point check: per clause, what the deal leaves undefined, and what a precise version would need.

The rules are data (open_point_rules.yaml): each names one of the tests below, its words, and the sentences of
its finding. A test looks at a clause's words (its text and every reading's quote of it) and at the commitments
the readings draw from it, and returns what it found (a phrase, a commitment id), or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tradelex.deals.diff import diff_readings
from tradelex.deals.model import Clause, Commitment, Deal
from tradelex.errors import PackError
from tradelex.rules.yaml_source import read_yaml_mapping

TestName = Literal[
    "words_only", "no_verification_source", "tariff_without_rate", "no_date", "phrases", "terms", "readings_differ"
]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str
    test: TestName
    detail: str
    needs: str
    words: list[str] = []
    phrases: list[str] = []
    terms: list[str] = []


class RuleBook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rules: list[Rule] = Field(min_length=1)


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)
    clause: str
    kind: str
    detail: str
    needs: str


class DealCheck(BaseModel):
    model_config = ConfigDict(frozen=True)
    deal: str
    findings: list[Finding]

    def to_json_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json")


def rules_path() -> Path:
    return Path(str(files("tradelex") / "deals" / "open_point_rules.yaml"))


@cache
def load_rules(path: Path | None = None) -> RuleBook:
    path = path or rules_path()
    try:
        return RuleBook.model_validate(read_yaml_mapping(path))
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise PackError(path, str(first["msg"]), field=field) from None


def check_deal(deal: Deal, rules: RuleBook | None = None) -> DealCheck:
    """Every rule on every clause, in the order of the clauses and then of the rules."""
    rules = rules or load_rules()
    differing = _differing_clauses(deal)
    findings = []
    for clause in deal.clauses:
        context = _ClauseContext(deal, clause, differing.get(clause.id, []))
        for rule in rules.rules:
            for match in TESTS[rule.test](rule, context):
                findings.append(
                    Finding(
                        clause=clause.id,
                        kind=rule.kind,
                        detail=rule.detail.replace("{match}", match),
                        needs=rule.needs,
                    )
                )
    return DealCheck(deal=deal.name, findings=findings)


class _ClauseContext:
    """A clause with the commitments every reading draws from it, and its words in all of them."""

    def __init__(self, deal: Deal, clause: Clause, differences: list[str]):
        self.deal = deal
        self.clause = clause
        self.commitments: list[Commitment] = [c for _, c in deal.commitments() if c.clause == clause.id]
        quotes = [c.quote for c in self.commitments] + [c.translation or "" for c in self.commitments]
        self.words = " \n".join([clause.text or "", *quotes])
        self.defined = {term.lower() for term in clause.defines} | {
            term.lower() for other in deal.clauses for term in other.defines
        }
        self.differences = differences


# ---------------------------------------------------------------- tests: each returns what it found


def _words_only(rule: Rule, context: _ClauseContext) -> list[str]:
    """Commitments in words only whose words do not name an instrument either (an order, an announcement)."""
    return [
        f"{c.by} ({c.id})"
        for c in context.commitments
        if c.is_words_only and not any(_contains(f"{c.quote} {c.translation or ''}", word) for word in rule.words)
    ]


def _no_verification_source(rule: Rule, context: _ClauseContext) -> list[str]:
    # A measure change is verified by the pack; indicators and purchases by their series. Words only: nothing.
    return [f"{c.by} ({c.id})" for c in context.commitments if c.is_words_only]


_PERCENT = re.compile(r"\d+(\.\d+)?\s*(%|percent|percentage points?)", re.IGNORECASE)


def _tariff_without_rate(rule: Rule, context: _ClauseContext) -> list[str]:
    named = [word for word in rule.words if _contains(context.words, word)]
    if not named or _PERCENT.search(context.words):
        return []
    if any(c.measures for c in context.commitments):
        return []
    return [", ".join(f"“{word}”" for word in named)]


# Month names are matched with their capital ("may be conducted" is not a date); the rest ignores case.
_MONTH_NAME = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b")
_DATE = re.compile(r"\b(19|20)\d{2}\b|\b\d+\s*days\b|\bone year\b|\d{4}年|\d+月\d+日|一年", re.IGNORECASE)


def _no_date(rule: Rule, context: _ClauseContext) -> list[str]:
    if _MONTH_NAME.search(context.words) or _DATE.search(context.words):
        return []
    if any(_is_dated(c) for c in context.commitments):
        return []
    return [""]


def _is_dated(commitment: Commitment) -> bool:
    return bool(commitment.measures or commitment.indicator or commitment.purchase or commitment.deadline)


def _phrases(rule: Rule, context: _ClauseContext) -> list[str]:
    found = [phrase for phrase in rule.phrases if _contains(context.words, phrase)]
    return [", ".join(f"“{phrase}”" for phrase in found)] if found else []


def _terms(rule: Rule, context: _ClauseContext) -> list[str]:
    candidates = [*rule.terms, *context.clause.undefined_terms]
    found = [term for term in candidates if _contains(context.words, term) and term.lower() not in context.defined]
    # a term inside a longer one found too is reported once (the longer one)
    longest = [term for term in found if not any(term != other and term in other for other in found)]
    return [f"“{term}”" for term in dict.fromkeys(longest)]


def _readings_differ(rule: Rule, context: _ClauseContext) -> list[str]:
    return context.differences


def _contains(text: str, phrase: str) -> bool:
    """Whole words for Latin script, anywhere for Chinese (which has no spaces between words)."""
    if phrase.isascii():
        return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text, re.IGNORECASE) is not None
    return phrase in text


def _differing_clauses(deal: Deal) -> dict[str, list[str]]:
    differing: dict[str, list[str]] = {}
    for clause in diff_readings(deal).clauses:
        if clause.differences:
            differing[clause.clause] = [difference.detail for difference in clause.differences]
    return differing


TESTS: dict[str, Callable[[Rule, _ClauseContext], list[str]]] = {
    "words_only": _words_only,
    "no_verification_source": _no_verification_source,
    "tariff_without_rate": _tariff_without_rate,
    "no_date": _no_date,
    "phrases": _phrases,
    "terms": _terms,
    "readings_differ": _readings_differ,
}
