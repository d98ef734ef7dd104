"""The deal model: clauses quoted from their texts, and each party's reading of them as commitments.

A deal file (packs/deals/<name>.yaml) holds:
    title, parties, signed, in_force, expires       what and when
    source, url, confidence, note                    where the record comes from
    clauses                                          the text, clause by clause, quoted
    readings                                         per reader (a party, or `joint` for a text both issued):
                                                     its source and its commitments

A commitment names who commits (`by`), the clause it reads, the words of that reading (`quote`), and what it
does: `measures` (values the rule pack must show), an `indicator` target (a series, a baseline, a threshold and
a deadline) or a `purchase` (an amount over a period). A commitment with none of them is words only: it can be
neither checked nor measured, and the open-point check says so.

Indicator series (packs/deals/indicators/<name>.yaml) are published figures, each with its source and the day
it became known (`published`), so that compliance can be asked as known on a day.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from tradelex.rules.model import (
    MEASURE_ID,
    Boolean,
    Confidence,
    Country,
    IsoDate,
    Rate,
    Strict,
    Text,
    Url,
)
from tradelex.rules.rates import DutyExpression

JOINT = "joint"  # a reading both parties issued (a joint statement)
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


def _slug(value: object) -> str:
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise ValueError(f"expected a short name of lowercase letters, digits and hyphens, got {value!r}")
    return value


def _figure(value: object) -> Decimal:
    """A published figure, written as a quoted decimal string (YAML numbers would pass through float)."""
    if not isinstance(value, str):
        raise ValueError(f'expected a figure as a quoted decimal string such as "46.4", got {value!r}')
    try:
        figure = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"expected a decimal number, got {value!r}") from None
    if not figure.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return figure


def _reader(value: object) -> str:
    if value == JOINT:
        return JOINT
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(f"expected a party (a 2-letter country code such as US) or {JOINT!r}, got {value!r}")
    return value


def _measure_id(value: object) -> str:
    if not isinstance(value, str) or not MEASURE_ID.match(value):
        raise ValueError(f"{value!r} is not a measure id such as us.ieepa.reciprocal")
    return value


# A series: a file under indicators/ (a short name), or a licence-registry series `licensing:<regime>:<field>`
# (licensing:cn.mofcom:approvals), read from tradelex.controls.licensing.
_REGISTRY_SERIES = re.compile(r"licensing:[a-z0-9][a-z0-9._-]*:[a-z_]+")


def _series_name(value: object) -> str:
    if isinstance(value, str) and _REGISTRY_SERIES.fullmatch(value):
        return value
    try:
        return _slug(value)
    except ValueError:
        raise ValueError(
            f"expected a series name (lowercase letters, digits, hyphens) or licensing:<regime>:<field>, got {value!r}"
        ) from None


Slug = Annotated[str, BeforeValidator(_slug)]
SeriesName = Annotated[str, BeforeValidator(_series_name)]
Figure = Annotated[Decimal, BeforeValidator(_figure)]
Reader = Annotated[str, BeforeValidator(_reader)]
MeasureId = Annotated[str, BeforeValidator(_measure_id)]


# ---------------------------------------------------------------- indicator series


_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"\d{4}")


def _month_start(text: str, field: str) -> date:
    match = _MONTH.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{field}: expected a month as YYYY-MM, got {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def parse_period(text: object) -> tuple[date, date]:
    """A period key as a half-open range [start, end): `2025-05` (a month), `2021` (a year), `2020-01/2021-12`
    (from the first month to the last, both included)."""
    if not isinstance(text, str):
        raise ValueError(f"expected a period such as 2025-05, 2021 or 2020-01/2021-12, got {text!r}")
    if _YEAR.fullmatch(text):
        return date(int(text), 1, 1), date(int(text) + 1, 1, 1)
    if "/" in text:
        first, _, last = text.partition("/")
        start, end = _month_start(first, "period"), _next_month(_month_start(last, "period"))
        if end <= start:
            raise ValueError(f"the period {text!r} ends before it starts")
        return start, end
    start = _month_start(text, "period")
    return start, _next_month(start)


class Observation(Strict):
    """One published figure of a series for one period, and where it was published."""

    value: Figure
    source: Text
    url: Url | None = None
    published: IsoDate
    confidence: Confidence
    note: str | None = None


class Indicator(Strict):
    """A time series of published figures (monthly exports, annual purchases), each with its source."""

    title: Text
    unit: Text
    description: str | None = None
    observations: dict[str, Observation] = Field(min_length=1)

    @field_validator("observations")
    @classmethod
    def _periods(cls, observations: dict[str, Observation]) -> dict[str, Observation]:
        for key in observations:
            try:
                parse_period(key)
            except ValueError as error:
                raise ValueError(f"observations.{key}: {error}") from None
        return dict(sorted(observations.items(), key=lambda item: parse_period(item[0])))


# ---------------------------------------------------------------- commitments


class MeasureTarget(Strict):
    """What a measure of the pack must show from `from` until `until` (exclusive): a rate it may not exceed,
    an exact rate, or whether it is in force at all (`in_force: false`: ended, suspended in full or struck down)."""

    id: MeasureId
    rate_at_most: Rate = None
    rate: Rate = None
    in_force: Boolean | None = None
    from_: IsoDate = Field(alias="from")
    until: IsoDate | None = None

    @model_validator(mode="after")
    def _one_expectation(self) -> MeasureTarget:
        given = [self.rate_at_most is not None, self.rate is not None, self.in_force is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of `rate_at_most`, `rate` or `in_force`")
        for rate in (self.rate, self.rate_at_most):
            if rate is not None and not rate.is_ad_valorem_only:
                raise ValueError(f'a commitment on a rate names a percentage such as "10%", got {rate.text!r}')
        if self.until is not None and self.until <= self.from_:
            raise ValueError(f"`until` {self.until} must come after `from` {self.from_}")
        return self

    def expectation(self) -> str:
        if self.in_force is not None:
            return "in force" if self.in_force else "not in force"
        if self.rate is not None:
            return f"exactly {self.rate.text}"
        assert self.rate_at_most is not None
        return f"at most {self.rate_at_most.text}"

    @property
    def expected_rate(self) -> DutyExpression | None:
        return self.rate if self.rate is not None else self.rate_at_most


class Baseline(Strict):
    """The level a target is measured against: a published figure, or the average of the series over a period."""

    value: Figure | None = None
    period: str | None = None
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Baseline:
        if (self.value is None) == (self.period is None):
            raise ValueError("give the baseline as `value` (with its `source`) or as a `period` of the series")
        if self.value is not None and not self.source:
            raise ValueError("source: a baseline given as a value needs its source")
        if self.period is not None:
            parse_period(self.period)
        return self


class IndicatorTarget(Strict):
    """A level a series must reach by a deadline: `at_least`, or `at_least_percent` of a baseline.

    `statistic` says which figure is compared: the latest one in [from, deadline] (default) or their average.
    """

    series: SeriesName
    baseline: Baseline | None = None
    at_least: Figure | None = None
    at_least_percent: Figure | None = None
    statistic: Literal["latest", "average"] = "latest"
    from_: IsoDate = Field(alias="from")
    deadline: IsoDate

    @model_validator(mode="after")
    def _threshold(self) -> IndicatorTarget:
        if (self.at_least is None) == (self.at_least_percent is None):
            raise ValueError("give exactly one threshold: `at_least` or `at_least_percent` (of the baseline)")
        if self.at_least_percent is not None and self.baseline is None:
            raise ValueError("baseline: `at_least_percent` needs a baseline")
        if self.deadline < self.from_:
            raise ValueError(f"`deadline` {self.deadline} comes before `from` {self.from_}")
        return self


class PurchaseTarget(Strict):
    """An amount bought over [from, until): the total of the series over the period must exceed `above`
    (a baseline, 0 by default) by at least `amount`."""

    series: SeriesName
    amount: Figure
    above: Figure = Decimal(0)
    above_source: str | None = None
    from_: IsoDate = Field(alias="from")
    until: IsoDate

    @model_validator(mode="after")
    def _check(self) -> PurchaseTarget:
        if self.until <= self.from_:
            raise ValueError(f"`until` {self.until} must come after `from` {self.from_}")
        if self.amount <= 0:
            raise ValueError("amount: a purchase commitment names a positive amount")
        if self.above and not self.above_source:
            raise ValueError("above_source: a baseline to exceed needs its source")
        return self


class Commitment(Strict):
    """One thing one party commits to, as one reader reads one clause."""

    id: Slug
    by: Country
    clause: Slug
    quote: Text
    translation: str | None = None  # our English rendering of a quote in another language
    topic: Slug | None = None  # matches commitments on one subject across readings (soybeans, general-licences)
    claims: list[Text] = Field(default_factory=list)  # what the reading says in substance, for words-only ones
    measures: list[MeasureTarget] = Field(default_factory=list)
    indicator: IndicatorTarget | None = None
    purchase: PurchaseTarget | None = None
    deadline: IsoDate | None = None
    note: str | None = None

    @property
    def is_words_only(self) -> bool:
        return not self.measures and self.indicator is None and self.purchase is None

    @property
    def match_key(self) -> str:
        """What a commitment is about, to pair it with the other side's reading of the same thing."""
        if self.topic:
            return self.topic
        if self.measures:
            return "measure:" + ",".join(sorted({target.id for target in self.measures}))
        if self.indicator:
            return "series:" + self.indicator.series
        if self.purchase:
            return "series:" + self.purchase.series
        return "commitment:" + self.id

    def target_summary(self) -> str:
        """The commitment's measurable content in words, to compare readings."""
        parts = [
            f"{t.id} {t.expectation()} from {t.from_}" + (f" until {t.until}" if t.until else "") for t in self.measures
        ]
        if self.indicator:
            target = self.indicator
            threshold = (
                f"at least {target.at_least}"
                if target.at_least is not None
                else f"at least {target.at_least_percent}% of the baseline"
            )
            parts.append(f"{target.series} {threshold} by {target.deadline}")
        if self.purchase:
            buy = self.purchase
            above = f" above {buy.above}" if buy.above else ""
            parts.append(f"{buy.series}: {buy.amount}{above} from {buy.from_} until {buy.until}")
        parts += self.claims
        return "; ".join(parts) if parts else "words only (no measure, indicator or amount)"


class Reading(Strict):
    """One reader's account of the deal (a party's fact sheet or statement, or the joint text)."""

    party: Reader
    source: Text
    url: Url | None = None
    published: IsoDate
    confidence: Confidence
    note: str | None = None
    commitments: list[Commitment] = Field(min_length=1)


class Clause(Strict):
    """A clause of the deal: its words as published (`text`), or, where no joint text was published, a title
    for the subject that each reading quotes in its own words."""

    id: Slug
    title: Text
    text: str | None = None
    source: str | None = None
    url: Url | None = None
    defines: dict[str, Text] = Field(default_factory=dict)
    undefined_terms: list[Text] = Field(default_factory=list)  # terms the author found used without definition
    note: str | None = None


class Deal(Strict):
    name: Slug
    title: Text
    parties: list[Country] = Field(min_length=2)
    signed: IsoDate
    in_force: IsoDate | None = None
    expires: IsoDate | None = None
    source: Text
    url: Url | None = None
    confidence: Literal["confirmed", "unconfirmed", "low"]
    note: str | None = None
    clauses: list[Clause] = Field(min_length=1)
    readings: list[Reading] = Field(min_length=1)
    file: str = ""  # where the deal was read from, for errors

    @model_validator(mode="after")
    def _references(self) -> Deal:
        clause_ids = [clause.id for clause in self.clauses]
        if len(set(clause_ids)) != len(clause_ids):
            raise ValueError("clauses: two clauses share an id")
        seen: set[str] = set()
        for r_index, reading in enumerate(self.readings):
            if reading.party != JOINT and reading.party not in self.parties:
                raise ValueError(f"readings.{r_index}.party: {reading.party} is not a party to the deal")
            for c_index, commitment in enumerate(reading.commitments):
                where = f"readings.{r_index}.commitments.{c_index}"
                if commitment.clause not in clause_ids:
                    raise ValueError(f"{where}.clause: no clause {commitment.clause!r} (clauses: {clause_ids})")
                if commitment.by not in self.parties:
                    raise ValueError(f"{where}.by: {commitment.by} is not a party to the deal")
                if commitment.id in seen:
                    raise ValueError(f"{where}.id: the commitment id {commitment.id!r} is used twice")
                seen.add(commitment.id)
        return self

    def clause(self, clause_id: str) -> Clause:
        return next(clause for clause in self.clauses if clause.id == clause_id)

    def commitments(self) -> list[tuple[Reading, Commitment]]:
        return [(reading, commitment) for reading in self.readings for commitment in reading.commitments]

    def series_names(self) -> set[str]:
        names: set[str] = set()
        for _, commitment in self.commitments():
            if commitment.indicator:
                names.add(commitment.indicator.series)
            if commitment.purchase:
                names.add(commitment.purchase.series)
        return names


class DealSummary(Strict):
    name: str
    title: str
    parties: list[str]
    signed: date
    confidence: str
    readings: list[str]
    commitments: int

    def to_json_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json")
