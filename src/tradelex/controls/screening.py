"""Party screening: a name against the listed parties, on a day, each match scored and explained.

Scores come from rapidfuzz: the whole name compared with spacing and company forms set aside, and each distinctive
word of the query against the candidate's words (so that 'Hikvision' finds 'Hangzhou Hikvision Digital Technology
Co., Ltd.' and 'Hickvision' still finds it). Words shared by many parties ('technology', 'international') never
make a match on their own. A listing counts only from its date of listing and until it was lifted or removed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from rapidfuzz import fuzz

from tradelex.controls.names import Name, normalise_name
from tradelex.controls.parties import ListingStatus, Party, party_register
from tradelex.dates import parse_iso_date
from tradelex.errors import InputError

MATCH_THRESHOLD = 85.0  # below this a name is not reported as a match
_SPELLING_VARIANT = 80.0  # a word this close to a listed word counts as a spelling of it


class PartyMatch(BaseModel):
    party: str
    party_id: str
    list_id: str
    list_title: str
    score: float
    matched_name: str
    why: list[str]
    listed_on: date
    status: ListingStatus
    status_since: date | None
    status_until: date | None
    review_policy: str | None
    effect: str
    source: str
    url: str | None
    confidence: str
    note: str | None


class ScreeningReport(BaseModel):
    name: str
    date: date
    matches: list[PartyMatch]
    inactive: list[PartyMatch]

    def to_json_dict(self) -> dict[str, Any]:
        def row(match: PartyMatch) -> dict[str, Any]:
            dumped = match.model_dump(mode="json", exclude={"party_id", "list_id", "list_title"})
            return {"party": dumped.pop("party"), "id": match.party_id, "list": match.list_id, **dumped}

        return {
            "query": {"name": self.name, "date": self.date.isoformat()},
            "matches": [row(match) for match in self.matches],
            "inactive": [row(match) for match in self.inactive],
        }


def screen_parties(name: str, on: date | str | None = None, limit: int = 10) -> ScreeningReport:
    """Listed parties whose name or alias matches `name`, as listed on `on` (default today), best first.

    `matches` holds listings in force on the day (their measures may be suspended: `status` says); `inactive`
    holds parties that match but were not yet listed, or whose listing was lifted or removed, on that day.
    """
    if not isinstance(name, str) or not normalise_name(name).words:
        raise InputError("name", f"expected a party's name, got {name!r}")
    if limit < 1:
        raise InputError("limit", f"expected a positive number of matches, got {limit}")
    day = date.today() if on is None else parse_iso_date(on, "date")
    register = party_register()
    query = normalise_name(name)
    found: list[PartyMatch] = []
    for party in register.parties:
        best = _best_name(query, party)
        if best is None:
            continue
        score, matched, why = best
        found.append(_match(party, score, matched, why, day))
    found.sort(key=lambda match: (-match.score, match.party))
    active = [m for m in found if m.status.is_in_force][:limit]
    inactive = [m for m in found if not m.status.is_in_force][:limit]
    return ScreeningReport(name=name, date=day, matches=active, inactive=inactive)


def _best_name(query: Name, party: Party) -> tuple[float, str, list[str]] | None:
    scored = [(*score_names(query, normalise_name(candidate)), candidate) for candidate in party.names]
    # On a tie, the name the query spells exactly (often an alias) explains the match best.
    score, why, matched = max(scored, key=lambda entry: (entry[0], normalise_name(entry[2]).compact == query.compact))
    if score < MATCH_THRESHOLD:
        return None
    if matched != party.name:
        why = [*why, f"alias: {matched!r} is an alias of {party.name!r}"]
    return score, matched, why


def score_names(query: Name, candidate: Name) -> tuple[float, list[str]]:
    """How alike two names are (0-100) and why, in words."""
    steps = [*query.steps, *(f"listed name: {step}" for step in candidate.steps)]
    if not query.words or not candidate.words:
        return 0.0, []
    if query.compact == candidate.compact:
        return 100.0, [*steps, f"same name once case, accents and company forms are set aside: {candidate.compact!r}"]
    if query.is_chinese or candidate.is_chinese:
        return _score_characters(query, candidate, steps)
    whole = max(fuzz.ratio(query.compact, candidate.compact), fuzz.ratio(query.core, candidate.core))
    words, word_reasons = _score_words(query, candidate)
    score = round(max(whole, words), 1)
    why = [*steps, *word_reasons]
    if whole >= words:
        why.append(f"whole name {query.core!r} against {candidate.core!r}: {whole:.0f}")
    return score, why


def _score_characters(query: Name, candidate: Name, steps: list[str]) -> tuple[float, list[str]]:
    # Chinese names have no spaces: the query may be a short form contained in the full name (华为 in 华为技术).
    if not (query.is_chinese and candidate.is_chinese):
        return 0.0, []
    if len(query.compact) >= 2 and query.compact in candidate.compact:
        return 95.0, [*steps, f"Chinese characters: {query.compact!r} is contained in {candidate.compact!r}"]
    score = fuzz.ratio(query.compact, candidate.compact)
    return float(score), [*steps, f"Chinese characters: {query.compact!r} against {candidate.compact!r}: {score:.0f}"]


def _score_words(query: Name, candidate: Name) -> tuple[float, list[str]]:
    """Each distinctive query word against the candidate's words (or its run-together name): the mean of the best."""
    distinctive = query.distinctive
    if not distinctive or not candidate.distinctive:
        return 0.0, []
    targets = [*candidate.words, candidate.compact, candidate.core]
    overlap, variants, total = [], [], 0.0
    for word in distinctive:
        best_target = max(targets, key=lambda target: fuzz.ratio(word, target))
        best = fuzz.ratio(word, best_target)
        total += best
        if best == 100:
            overlap.append(word)
        elif best >= _SPELLING_VARIANT:
            variants.append(f"spelling variant: {word!r} ~ {best_target!r} ({best:.0f})")
    reasons = []
    if overlap:
        reasons.append(
            f"token overlap: {', '.join(overlap)} ({len(overlap)} of {len(distinctive)} distinctive words of the query)"
        )
    return total / len(distinctive), [*reasons, *variants]


def _match(party: Party, score: float, matched: str, why: list[str], day: date) -> PartyMatch:
    register = party_register()
    status, event = party.status_on(day)
    listing = register.lists[party.list_id]
    first = party.events[0]
    if status is ListingStatus.SUSPENDED and event is not None:
        until = f" until {event.until}" if event.until else ""
        why = [*why, f"measures suspended from {event.on}{until} ({event.source})"]
    elif status is ListingStatus.NOT_YET_LISTED:
        why = [*why, f"not yet listed on {day}: listed from {party.listed_on}"]
    elif status in (ListingStatus.LIFTED, ListingStatus.REMOVED) and event is not None:
        why = [*why, f"{status.value} on {event.on} ({event.source})"]
    return PartyMatch(
        party=party.name,
        party_id=party.id,
        list_id=party.list_id,
        list_title=listing.title,
        score=score,
        matched_name=matched,
        why=why,
        listed_on=party.listed_on,
        status=status,
        status_since=event.on if event is not None else None,
        status_until=event.until if event is not None else None,
        review_policy=party.review_policy,
        effect=listing.effect,
        source=first.source,
        url=first.url,
        confidence=party.confidence.value,
        note=party.note,
    )
