"""What an exporter must do under an export-control measure: where to apply, the review period the law gives,
the review policy in force on a day, and the general licences available.

These terms sit in `controls/data/licensing.yaml`, keyed by measure id, beside the pack rather than in it: the rule
model pins the keys a measure may have, so the controls keep their own terms and a test checks every id.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tradelex.controls.datafiles import data_path, read_model
from tradelex.dates import in_range
from tradelex.rules.model import ALL_PARTNERS, Confidence, IsoDate, Partner, Text, Url

LICENSING_FILE = "licensing.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ReviewDays(StrEnum):
    WORKING = "working"  # China counts working days (public holidays are data of the licences service)
    CALENDAR = "calendar"  # the EAR counts calendar days


class Regime(_Strict):
    """A licensing authority's procedure: what to file, and how long the law gives it to decide."""

    authority: Text
    application: Text
    review_days: Annotated[int, Field(gt=0)]
    review_days_basis: ReviewDays
    source: Text
    url: Url | None = None
    confidence: Confidence
    note: str | None = None


class GeneralLicence(_Strict):
    """A general licence under a licence requirement, from `from` until `until` (exclusive), for `partners`."""

    name: Text
    from_: IsoDate = Field(alias="from")
    until: IsoDate | None = None
    partners: list[Partner] = Field(default=[ALL_PARTNERS], min_length=1)
    conditions: Text
    source: Text
    url: Url | None = None
    announced: IsoDate | None = None
    confidence: Confidence
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> GeneralLicence:
        if self.until is not None and self.until <= self.from_:
            raise ValueError(f"`until` {self.until} must come after `from` {self.from_}")
        return self

    def covers(self, destination: str, day: date) -> bool:
        listed = ALL_PARTNERS in self.partners or destination in self.partners
        return listed and in_range(day, self.from_, self.until)


class MeasureTerms(_Strict):
    regime: Text
    review_policy: str | None = None
    review_policies: dict[IsoDate, Text] = {}  # by date: each holds until the next key
    general_licences: list[GeneralLicence] = []

    def policy_on(self, day: date) -> str | None:
        dated = [policy for key, policy in sorted(self.review_policies.items()) if key <= day]
        return dated[-1] if dated else self.review_policy


class LicensingTerms(_Strict):
    regimes: dict[str, Regime]
    measures: dict[str, MeasureTerms]

    @model_validator(mode="after")
    def _known_regimes(self) -> LicensingTerms:
        for measure_id, terms in self.measures.items():
            if terms.regime not in self.regimes:
                raise ValueError(f"measures.{measure_id}.regime: no regime {terms.regime!r}")
        return self

    def regime_of(self, measure_id: str) -> Regime | None:
        terms = self.measures.get(measure_id)
        return self.regimes[terms.regime] if terms else None


@cache
def licensing_terms() -> LicensingTerms:
    return read_model(data_path(LICENSING_FILE), LicensingTerms)
