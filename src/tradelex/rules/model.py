"""The rule model: a measure with dated, sourced values and dated scope.

Names follow shared/DESIGN.md (`partners`, `kind`) rather than the UK Tariff's (`geographical_area`,
`measure_type`); the README's architecture section says so.

Two times run through the model. Every value, scope clause, suspension and transit rule takes effect on a date
and became known on a date (`announced`; when absent, the day it takes effect). A query asks for the law on an
entry date as known on a given day, so a retroactive exemption or a struck-down tariff changes answers only for
days after it was announced.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from tradelex.dates import parse_iso_date
from tradelex.errors import BadDateError, UnknownCodeError
from tradelex.nomenclature.codes import normalise_code
from tradelex.rules.rates import DutyExpression, RateSyntaxError, parse_rate


def _iso_date(value: object) -> date:
    try:
        return parse_iso_date(value)
    except BadDateError as error:
        raise ValueError(error.message) from None


def _rate(value: object) -> DutyExpression | None:
    if value is None or isinstance(value, DutyExpression):
        return value
    if not isinstance(value, str):
        raise ValueError(f'expected the rate as a quoted string such as "25%", got {value!r}')
    try:
        return parse_rate(value.strip())
    except RateSyntaxError as error:
        raise ValueError(str(error)) from None


def _code(value: object) -> str:
    try:
        return normalise_code(value, "code")  # type: ignore[arg-type]
    except UnknownCodeError as error:
        raise ValueError(error.message) from None


def _plain_pattern(pattern: str, expected: str) -> BeforeValidator:
    """A pattern check whose error says what was expected in words, not as a regular expression."""
    compiled = re.compile(pattern)

    def check(value: object) -> object:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ValueError(f"expected {expected}, got {value!r}")
        return value

    return BeforeValidator(check)


def _known_country(value: str) -> str:
    if value != ALL_PARTNERS and pycountry.countries.get(alpha_2=value) is None:
        raise ValueError(f"{value!r} is not an ISO 3166 country code")
    return value


def _boolean(value: object) -> bool:
    # pydantic's lax mode reads "no", "off" and 0 as False; a rule file must say true or false.
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
ProductCode = Annotated[str, BeforeValidator(_code)]
Boolean = Annotated[bool, BeforeValidator(_boolean)]
Rate = Annotated[
    DutyExpression | None,
    BeforeValidator(_rate),
    PlainSerializer(lambda rate: None if rate is None else rate.text, return_type=str | None),
]
Text = Annotated[str, Field(min_length=1)]
Url = Annotated[str, _plain_pattern(r"https?://\S+", "a URL that starts with http:// or https://")]
Heading = Annotated[
    str, _plain_pattern(r"\d{4}\.\d{2}\.\d{2}(\.\d{2})?", "a heading such as 9903.88.03 (dddd.dd.dd or dddd.dd.dd.dd)")
]
Country = Annotated[
    str, _plain_pattern(r"[A-Z]{2}", "a 2-letter ISO 3166 country code such as US"), AfterValidator(_known_country)
]
Partner = Annotated[
    str,
    _plain_pattern(r"[A-Z]{2}|\*", "a 2-letter ISO 3166 country code, or * for every partner"),
    AfterValidator(_known_country),
]
MEASURE_ID = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)+$")
# A measure pattern names measures by id; a trailing `*` matches any rest of the id (us.s232.*).
MeasurePattern = Annotated[
    str, _plain_pattern(r"[a-z0-9_.-]+\*?|\*", "a measure id, or a prefix of one ending in * (us.s232.*)")
]
# Content bases name a part of the value: copper_content, steel_content, non_metal_content …
Base = Annotated[
    str, _plain_pattern(r"customs_value|[a-z][a-z_]*_content", "customs_value or a content such as copper_content")
]
ALL_PARTNERS = "*"
CUSTOMS_VALUE = "customs_value"


class Confidence(StrEnum):
    CONFIRMED = "confirmed"  # read in the primary legal text
    UNCONFIRMED = "unconfirmed"  # from a secondary source, or a detail the primary text did not settle


class Kind(StrEnum):
    AD_VALOREM = "ad_valorem"
    SPECIFIC = "specific"
    COMPOUND = "compound"
    LICENCE_REQUIRED = "licence_required"
    BAN = "ban"
    EXEMPTION = "exemption"

    @property
    def is_tariff(self) -> bool:
        return self in (Kind.AD_VALOREM, Kind.SPECIFIC, Kind.COMPOUND)


class Direction(StrEnum):
    IMPORT = "import"
    EXPORT = "export"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Provenance(Strict):
    """Where a fact comes from: the instrument, its address, how sure we are, and what is still uncertain."""

    source: Text
    url: Url | None = None
    confidence: Confidence
    note: str | None = None
    announced: IsoDate | None = None


class OptionalProvenance(Strict):
    """Provenance for a part of a measure that may rely on the source of the measure's values."""

    source: Text | None = None
    url: Url | None = None
    confidence: Confidence | None = None
    note: str | None = None
    announced: IsoDate | None = None


class DatedValue(Provenance):
    """What a measure is from its date key until the next key.

    Tariffs give `rate` (null ends the measure) or, for a schedule, `rates_by_code`; licence requirements, bans
    and exemptions give `applies` (false ends them).
    """

    rate: Rate = None
    rates_by_code: dict[ProductCode, Rate] | None = None
    applies: Boolean | None = None
    heading: Heading | None = None
    base: Base | None = None

    @property
    def ends(self) -> bool:
        return self.applies is False or (self.applies is None and self.rate is None and self.rates_by_code is None)


class ScopeClause(OptionalProvenance):
    """Products covered from `from` until `until` (exclusive): code prefixes or @named lists, with exclusions.

    Clauses in force on a day add up; for a code, the longest matching prefix among them decides, and an
    exclusion wins a tie.
    """

    from_: IsoDate = Field(alias="from")
    until: IsoDate | None = None
    include: list[Text] = []
    exclude: list[Text] = []

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            _check_code_pattern(pattern)
        return patterns

    @model_validator(mode="after")
    def _check(self) -> ScopeClause:
        if not self.include and not self.exclude:
            raise ValueError("a scope clause needs `include` or `exclude`")
        if self.until is not None and self.until <= self.from_:
            raise ValueError(f"`until` {self.until} must come after `from` {self.from_}")
        return self


def _check_code_pattern(pattern: str) -> None:
    if pattern == "*" or pattern.startswith("@"):
        if pattern.startswith("@") and not re.fullmatch(r"@[a-z0-9_-]+(/[a-z0-9_.-]+)*", pattern):
            raise ValueError(f"{pattern!r} is not a list name such as @us/annex-ii")
        return
    _code(pattern)


class Stacking(Strict):
    """How a measure combines with others.

    `not_with`: the two do not stack; the measure earlier in precedence applies, the other is excluded.
    `precedence`: lower numbers are considered first (default 100).
    `only_on_value_not_subject_to`: the measure applies only to the part of the value not already subject to
    these measures (the reciprocal tariff on the non-metal content of a Section 232 derivative).
    """

    not_with: list[MeasurePattern] = []
    precedence: int = 100
    only_on_value_not_subject_to: list[MeasurePattern] = []


class TransitRule(Provenance):
    """Goods loaded before `loaded_before` and entered before `entered_before` keep `rate` (null: exempt)."""

    loaded_before: IsoDate
    entered_before: IsoDate
    rate: Rate = None

    @model_validator(mode="after")
    def _check(self) -> TransitRule:
        if self.entered_before <= self.loaded_before:
            raise ValueError(
                f"`entered_before` {self.entered_before} must come after `loaded_before` {self.loaded_before}"
            )
        return self


class Suspension(Provenance):
    """The measure does not apply from `from` until `until` (exclusive); with `rate`, only that part of it."""

    from_: IsoDate = Field(alias="from")
    until: IsoDate | None = None
    rate: Rate = None

    @model_validator(mode="after")
    def _check(self) -> Suspension:
        if self.until is not None and self.until <= self.from_:
            raise ValueError(f"`until` {self.until} must come after `from` {self.from_}")
        if self.rate is not None and not self.rate.is_ad_valorem_only:
            raise ValueError(f'a partial suspension suspends a percentage, such as "24%", got {self.rate.text!r}')
        return self


class Condition(Strict):
    """A measure that applies only to goods the importer declares to be of a kind a line cannot show by its code
    (automobile parts among the lines of heading 8471): the line must carry the `claim`."""

    claim: Annotated[str, _plain_pattern(r"[a-z][a-z0-9-]*", "a short claim name such as automobile-part")]
    text: Text
    source: Text
    url: Url | None = None


class StruckDown(Strict):
    """A court ruling or act that voids the measure from the start; `refund` says duties paid are refundable."""

    on: IsoDate
    by: Text
    url: Url | None = None
    refund: Boolean
    confidence: Confidence
    note: str | None = None


class Measure(Strict):
    """One legal action: who imposes it, on whom, on which products, from when, at what value, under which act."""

    id: str
    title: Text
    imposed_by: Country
    direction: Direction = Direction.IMPORT
    partners: list[Partner] = Field(min_length=1)
    partners_excluded: list[Country] = []
    authority: Text
    kind: Kind
    base: Base = CUSTOMS_VALUE
    exempts: list[MeasurePattern] = []
    values: dict[IsoDate, DatedValue] = Field(min_length=1)
    scope: list[ScopeClause] = Field(min_length=1)
    stacking: Stacking = Stacking()
    transit: list[TransitRule] = []
    suspensions: list[Suspension] = []
    struck_down: StruckDown | None = None
    condition: Condition | None = None
    checked_on: IsoDate | None = None
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not MEASURE_ID.match(value):
            raise ValueError(f"{value!r} is not a measure id such as us.s301.list3 (lowercase, dotted)")
        return value

    @field_validator("values")
    @classmethod
    def _in_date_order(cls, values: dict[date, DatedValue]) -> dict[date, DatedValue]:
        return dict(sorted(values.items()))

    @model_validator(mode="after")
    def _kind_rules(self) -> Measure:
        first_key, first = next(iter(self.values.items()))
        if first.ends:
            raise ValueError(f"values: the first value ({first_key}) ends the measure before it starts")
        for key, value in self.values.items():
            _check_value_for_kind(self.kind, key, value)
        if self.kind is Kind.EXEMPTION and not self.exempts:
            raise ValueError("exempts: an exemption must name the measures it exempts")
        if self.kind is not Kind.EXEMPTION and self.exempts:
            raise ValueError(f"exempts: only an exemption exempts; this measure is {self.kind.value}")
        if ALL_PARTNERS in self.partners and len(self.partners) > 1:
            raise ValueError("partners: '*' (every partner) stands alone")
        return self

    @property
    def value_dates(self) -> list[date]:
        return list(self.values)


def _check_value_for_kind(kind: Kind, key: date, value: DatedValue) -> None:
    where = f"values.{key}"
    if not kind.is_tariff:
        if value.rate is not None or value.rates_by_code is not None:
            raise ValueError(f"{where}: a {kind.value} measure takes `applies: true|false`, not a rate")
        if value.applies is None:
            raise ValueError(f"{where}: a {kind.value} measure needs `applies: true` or `applies: false`")
        return
    if value.applies is not None:
        raise ValueError(f"{where}: a tariff takes `rate` (null ends it), not `applies`")
    if value.rate is not None and value.rates_by_code is not None:
        raise ValueError(f"{where}: give `rate` or `rates_by_code`, not both")
    rates = [value.rate] if value.rate is not None else list((value.rates_by_code or {}).values())
    for rate in rates:
        if rate is None:
            continue
        fits = {
            Kind.AD_VALOREM: rate.is_ad_valorem_only,
            Kind.SPECIFIC: rate.is_specific_only,
            Kind.COMPOUND: True,
        }[kind]
        if not fits:
            raise ValueError(f"{where}: rate {rate.text!r} does not fit kind {kind.value}")


class NamedList(Strict):
    """A product list referenced from scope clauses as @name, with its provenance."""

    title: Text
    source: Text
    url: Url | None = None
    confidence: Confidence
    note: str | None = None
    codes: list[ProductCode] = Field(min_length=1)


class PackMeta(Strict):
    """What a pack is: its name, version, the last day its authors checked the law, and what it leaves out."""

    name: Text
    version: Text
    cutoff: IsoDate
    description: str | None = None
    known_gaps: list[Text] = []


class Pack(Strict):
    meta: PackMeta
    measures: dict[str, Measure]
    lists: dict[str, NamedList] = {}
    root: str

    def measure(self, measure_id: str) -> Measure:
        return self.measures[measure_id]
