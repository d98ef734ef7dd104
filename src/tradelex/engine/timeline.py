"""The time machine: which records of a measure hold on a day, as known on another day.

Every record takes effect on a date and is known from its `announced` date (when absent, from the day it takes
effect). This module is the one place that applies that rule, as the UK Tariff's TimeMachine does.
"""

from __future__ import annotations

from datetime import date

from tradelex.dates import in_range
from tradelex.rules.model import DatedValue, Measure, ScopeClause, Suspension, TransitRule


def known_since(effective: date, announced: date | None) -> date:
    return announced if announced is not None else effective


def value_on(measure: Measure, day: date, known_on: date) -> tuple[date, DatedValue] | None:
    """The value in force on `day` (its date key and the value), or None before the first known value."""
    current: tuple[date, DatedValue] | None = None
    for key, value in measure.values.items():
        if key <= day and known_since(key, value.announced) <= known_on:
            current = (key, value)
    return current


def first_value(measure: Measure, known_on: date) -> tuple[date, DatedValue] | None:
    return next(
        ((key, value) for key, value in measure.values.items() if known_since(key, value.announced) <= known_on),
        None,
    )


def scope_clauses_on(measure: Measure, day: date, known_on: date) -> list[ScopeClause]:
    return [
        clause
        for clause in measure.scope
        if in_range(day, clause.from_, clause.until) and known_since(clause.from_, clause.announced) <= known_on
    ]


def suspensions_on(measure: Measure, day: date, known_on: date) -> list[Suspension]:
    return [
        suspension
        for suspension in measure.suspensions
        if in_range(day, suspension.from_, suspension.until)
        and known_since(suspension.from_, suspension.announced) <= known_on
    ]


def transit_rule_for(measure: Measure, day: date, loaded: date | None, known_on: date) -> TransitRule | None:
    """The transit rule that keeps an earlier rate for goods already loaded when the change took effect."""
    if loaded is None:
        return None
    return next(
        (
            rule
            for rule in measure.transit
            if loaded < rule.loaded_before <= day < rule.entered_before
            and known_since(rule.loaded_before, rule.announced) <= known_on
        ),
        None,
    )


def transit_windows_open(measure: Measure, day: date, known_on: date) -> list[TransitRule]:
    """Transit rules that could apply to an entry on `day` if the goods were loaded early enough."""
    return [
        rule
        for rule in measure.transit
        if rule.loaded_before <= day < rule.entered_before
        and known_since(rule.loaded_before, rule.announced) <= known_on
    ]


def is_struck_down(measure: Measure, known_on: date) -> bool:
    return measure.struck_down is not None and measure.struck_down.on <= known_on


def change_dates(measure: Measure) -> set[date]:
    """Every date on which the answer for this measure may change, in either of the two times."""
    dates: set[date] = set()
    for key, value in measure.values.items():
        dates |= {key, known_since(key, value.announced)}
    periods = [(r.from_, r.until, r.announced) for r in measure.scope] + [
        (r.from_, r.until, r.announced) for r in measure.suspensions
    ]
    for start, until, announced in periods:
        dates |= {start, known_since(start, announced)}
        if until is not None:
            dates.add(until)
    if measure.struck_down is not None:
        dates.add(measure.struck_down.on)
    return dates
