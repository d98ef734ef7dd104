"""The requirement check: which export-control measures apply to an item shipped from one country to another on a
day, and what the exporter must do.

Candidates are the export measures of the exporting country that name the destination (and measures that bind
exports from abroad, such as MOFCOM No. 61, when the goods leave from another country). For each, on the day: the
value in force, the item (by HS scope or by control-list number), a condition the exporter must declare, and
suspensions decide. A licence requirement with a general licence in force for the destination becomes
`general_licence`. The end user, when given, is screened against the party lists of the exporting country.
The verdict is the most restrictive status found: banned, licence_required, general_licence, else free.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from tradelex.controls.items import ItemQuery, parse_item
from tradelex.controls.parties import ListingStatus
from tradelex.controls.screening import PartyMatch, screen_parties
from tradelex.controls.terms import licensing_terms
from tradelex.dates import parse_iso_date
from tradelex.engine.scope import expand, match_scope
from tradelex.engine.timeline import first_value, scope_clauses_on, suspensions_on, value_on
from tradelex.nomenclature.codes import format_code
from tradelex.nomenclature.countries import normalise_country
from tradelex.rules.model import ALL_PARTNERS, DatedValue, Direction, Kind, Measure, Pack

Status = Literal["licence_required", "banned", "general_licence"]
Verdict = Literal["free", "licence_required", "general_licence", "banned"]
SEVERITY: dict[str, int] = {"free": 0, "general_licence": 1, "licence_required": 2, "banned": 3}
END_USER_THRESHOLD = 90.0  # a screening score at or above this is taken as the end user being the listed party
# What a listing means for an export from the listing country, by list.
LISTING_STATUS: dict[str, Status] = {
    "us.entity-list": "licence_required",
    "cn.export-control-list": "banned",
    "cn.uel": "banned",
}
LISTING_REGIME = {"us.entity-list": "US", "cn.export-control-list": "CN", "cn.uel": "CN"}


class Requirement(BaseModel):
    measure: str
    title: str
    status: Status
    instrument: str
    matched_items: list[str]
    source: str
    url: str | None
    confidence: str
    value_date: date | None = None
    authority: str | None = None
    application: str | None = None
    review_days: int | None = None
    review_days_basis: str | None = None
    review_policy: str | None = None
    general_licence: dict[str, Any] | None = None
    note: str | None = None


class ExcludedControl(BaseModel):
    measure: str
    reason: str
    code: str
    source: str | None = None


class ControlsQuery(BaseModel):
    item: str
    item_kind: str
    hs_codes: list[str]
    origin: str
    destination: str
    date: date
    end_user: str | None
    claims: list[str]


class ControlsReport(BaseModel):
    query: ControlsQuery
    verdict: Verdict
    requirements: list[Requirement]
    excluded: list[ExcludedControl]
    warnings: list[str]
    pack: dict[str, str]

    def to_json_dict(self) -> dict[str, Any]:
        document = self.model_dump(mode="json")
        return {key: document[key] for key in ("query", "verdict", "requirements", "excluded", "warnings", "pack")}


def check_controls(
    pack: Pack,
    item: str,
    origin: str,
    destination: str,
    on: date | str,
    end_user: str | None = None,
    claims: Sequence[str] = (),
) -> ControlsReport:
    """What an export of `item` from `origin` to `destination` on `on` needs under the pack's export controls."""
    exporter = normalise_country(origin, "origin")
    importer = normalise_country(destination, "destination")
    day = parse_iso_date(on, "date")
    query = parse_item(item, exporter)
    requirements: list[Requirement] = []
    excluded: list[ExcludedControl] = []
    warnings: list[str] = []
    for measure in export_candidates(pack, exporter, importer):
        outcome = _consider(pack, measure, query, importer, day, set(claims), warnings)
        if isinstance(outcome, Requirement):
            requirements.append(outcome)
        elif outcome is not None:
            excluded.append(outcome)
    if end_user:
        requirements += _end_user_requirements(end_user, exporter, day, requirements, excluded, warnings)
    warnings += _general_warnings(pack, query, day, requirements)
    verdict = max((r.status for r in requirements), key=SEVERITY.__getitem__, default="free")
    return ControlsReport(
        query=ControlsQuery(
            item=item.strip(),
            item_kind=query.kind,
            hs_codes=query.hs_codes,
            origin=exporter,
            destination=importer,
            date=day,
            end_user=end_user,
            claims=sorted(set(claims)),
        ),
        verdict=verdict,
        requirements=requirements,
        excluded=excluded,
        warnings=warnings,
        pack={"name": pack.meta.name, "version": pack.meta.version, "cutoff": pack.meta.cutoff.isoformat()},
    )


def binds_exports_from_abroad(measure: Measure) -> bool:
    """A measure that leaves its own country out of its partners binds exports made abroad (MOFCOM No. 61)."""
    return measure.imposed_by in measure.partners_excluded


def export_candidates(pack: Pack, exporter: str, importer: str) -> list[Measure]:
    candidates = []
    for measure in pack.measures.values():
        if measure.direction is not Direction.EXPORT or measure.kind not in (Kind.BAN, Kind.LICENCE_REQUIRED):
            continue
        abroad = binds_exports_from_abroad(measure)
        if (measure.imposed_by != exporter) != abroad:
            continue
        named = ALL_PARTNERS in measure.partners or importer in measure.partners
        if named and importer not in measure.partners_excluded:
            candidates.append(measure)
    return candidates


def matched_items(pack: Pack, measure: Measure, query: ItemQuery, day: date) -> list[str]:
    """What of the queried item the measure controls on `day`: control-list numbers or scope patterns."""
    clauses = scope_clauses_on(measure, day, day)
    if query.kind == "control_number":
        by_number = [item.number for item in query.items if measure.id in item.measures]
        if by_number:
            return [f"{number} (named by the measure)" for number in by_number]
        if _items_of(measure):
            return []  # the measure names its items by number, and not this one
        everything = match_scope("", clauses, pack.lists)
        if everything is not None and everything.included:
            return [f"{item.number} (the measure covers every item: *)" for item in query.items]
        return [
            f"{number} through its HS concordance {format_code(code)} ({scope})"
            for number, code in ((i.number, c) for i in query.items for c in i.hs)
            if (scope := _in_scope(pack, clauses, code)) is not None
        ]
    assert query.code is not None
    scope = _in_scope(pack, clauses, query.code)
    if scope is None:
        return []
    numbers = [
        item.number
        for item in _items_of(measure)
        if any(code.startswith(query.code) or query.code.startswith(code) for code in item.hs)
    ]
    return [f"{format_code(query.code)} under {scope}", *(f"control-list number {n}" for n in numbers)]


def _items_of(measure: Measure) -> list[Any]:
    from tradelex.controls.items import all_items

    return [item for item in all_items() if measure.id in item.measures]


def _in_scope(pack: Pack, clauses: list[Any], code: str) -> str | None:
    scope = match_scope(code, clauses, pack.lists)
    if scope is not None:
        if not scope.included:
            return None
        return f"{scope.pattern} ({format_code(scope.prefix)})" if scope.pattern.startswith("@") else scope.pattern
    # A code broader than the scope's lines (8112.92 for 8112.92.90.10) covers goods the measure controls.
    for clause in clauses:
        for pattern in clause.include:
            narrower = [p for p in expand(pattern, pack.lists) if p.startswith(code) and len(p) > len(code)]
            if narrower:
                lines = ", ".join(format_code(p) for p in narrower[:3])
                return f"{pattern} (part of {format_code(code)}: {lines})"
    return None


def _consider(
    pack: Pack, measure: Measure, query: ItemQuery, importer: str, day: date, claims: set[str], warnings: list[str]
) -> Requirement | ExcludedControl | None:
    found = value_on(measure, day, day)
    if found is None:
        first = first_value(measure, day + timedelta(days=36500))
        if first is None or not matched_items(pack, measure, query, first[0]):
            return None
        return ExcludedControl(
            measure=measure.id,
            reason=f"not yet in force on {day}: applies from {first[0]} ({first[1].source})",
            code="not_yet_in_force",
            source=first[1].source,
        )
    key, value = found
    if value.ends:
        if not matched_items(pack, measure, query, key - timedelta(days=1)):
            return None
        return ExcludedControl(
            measure=measure.id, reason=f"ended on {key} ({value.source})", code="expired", source=value.source
        )
    items = matched_items(pack, measure, query, day)
    if not items:
        return None
    condition = measure.condition
    if condition is not None and condition.claim not in claims:
        warnings.append(
            f"{measure.id} applies only if {condition.text}: declare the claim {condition.claim} if it does"
        )
        return ExcludedControl(
            measure=measure.id,
            reason=f"applies only if {condition.text} (claim {condition.claim} not declared)",
            code="not_claimed",
            source=condition.source,
        )
    for suspension in suspensions_on(measure, day, day):
        last_day = f" to {suspension.until - timedelta(days=1)}" if suspension.until else ""
        return ExcludedControl(
            measure=measure.id,
            reason=f"suspended from {suspension.from_}{last_day} by {suspension.source}",
            code="suspended",
            source=suspension.source,
        )
    return _requirement(measure, key, value, items, importer, day)


def _requirement(
    measure: Measure, key: date, value: DatedValue, items: list[str], importer: str, day: date
) -> Requirement:
    terms = licensing_terms()
    regime = terms.regime_of(measure.id)
    measure_terms = terms.measures.get(measure.id)
    status: Status = "banned" if measure.kind is Kind.BAN else "licence_required"
    general = None
    if status == "licence_required" and measure_terms is not None:
        general = next((g for g in measure_terms.general_licences if g.covers(importer, day)), None)
    return Requirement(
        measure=measure.id,
        title=measure.title,
        status="general_licence" if general is not None else status,
        instrument=value.source,
        matched_items=items,
        source=value.source,
        url=value.url,
        confidence=value.confidence.value,
        value_date=key,
        authority=regime.authority if regime else None,
        application=regime.application if regime else None,
        review_days=regime.review_days if regime else None,
        review_days_basis=regime.review_days_basis.value if regime else None,
        review_policy=measure_terms.policy_on(day) if measure_terms else None,
        general_licence=general.model_dump(mode="json", by_alias=True) if general is not None else None,
        note=value.note,
    )


def _end_user_requirements(
    end_user: str,
    exporter: str,
    day: date,
    found: list[Requirement],
    excluded: list[ExcludedControl],
    warnings: list[str],
) -> list[Requirement]:
    screening = screen_parties(end_user, day)
    requirements: list[Requirement] = []
    for match in screening.matches:
        if LISTING_REGIME.get(match.list_id) != exporter:
            continue
        if match.score < END_USER_THRESHOLD:
            warnings.append(f"end user {end_user!r} resembles {match.party} ({match.list_id}, score {match.score:.0f})")
            continue
        if match.status is ListingStatus.SUSPENDED:
            excluded.append(
                ExcludedControl(
                    measure=f"{match.list_id}:{match.party_id}",
                    reason=f"listing of {match.party} suspended: {match.why[-1]}",
                    code="suspended",
                    source=match.source,
                )
            )
            continue
        dual_use = any(r.measure.startswith("cn.mofcom.") for r in found)
        if match.list_id == "cn.export-control-list" and not dual_use:
            warnings.append(f"{match.party} is on China's export-control control list: dual-use items may not go to it")
            continue
        requirements.append(_listing_requirement(match))
    return requirements


def _listing_requirement(match: PartyMatch) -> Requirement:
    covered = {
        "us.entity-list": "all items subject to the EAR",
        "cn.export-control-list": "dual-use items",
        "cn.uel": "import and export activities related to China",
    }[match.list_id]
    return Requirement(
        measure=f"{match.list_id}:{match.party_id}",
        title=f"{match.party} on the {match.list_title}",
        status=LISTING_STATUS[match.list_id],
        instrument=match.source,
        matched_items=[covered],
        source=match.source,
        url=match.url,
        confidence=match.confidence,
        value_date=match.listed_on,
        review_policy=match.review_policy,
        note=f"end user matched {match.matched_name!r} (score {match.score:.0f}): {'; '.join(match.why)}",
    )


def _general_warnings(pack: Pack, query: ItemQuery, day: date, requirements: list[Requirement]) -> list[str]:
    warnings = []
    if day > pack.meta.cutoff:
        warnings.append(f"{day} is after the pack's cut-off ({pack.meta.cutoff}): later changes are not known to it")
    if query.kind == "hs" and requirements:
        warnings.append(
            "an HS code flags goods for checking: whether they are controlled turns on the item's technical "
            "parameters; check by control-list number where one is named"
        )
    if any(r.status == "general_licence" for r in requirements):
        warnings.append("a general licence covers only exporters who hold one; others apply for an individual licence")
    return warnings
