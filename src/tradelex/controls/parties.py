"""Listed parties as data: who is on which list, from when, and what happened to the listing since.

A listing's history is a list of dated events: `listed` starts it, `suspended` pauses its measures from `on` until
`until` (exclusive), `lifted` ends its measures, `removed` takes the party off the list.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tradelex.controls.datafiles import data_path, read_model
from tradelex.dates import in_range
from tradelex.rules.model import Country, IsoDate, Text, Url

PARTIES_FILE = "parties.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PartyConfidence(StrEnum):
    CONFIRMED = "confirmed"  # read in the listing's primary text
    UNCONFIRMED = "unconfirmed"  # from secondary sources that quote or report it
    LOW = "low"  # recalled from reports, no text read here


class EventKind(StrEnum):
    LISTED = "listed"
    SUSPENDED = "suspended"
    LIFTED = "lifted"
    REMOVED = "removed"


class ListingStatus(StrEnum):
    NOT_YET_LISTED = "not_yet_listed"
    LISTED = "listed"
    SUSPENDED = "suspended"
    LIFTED = "lifted"
    REMOVED = "removed"

    @property
    def is_in_force(self) -> bool:
        """Whether the listing stands on the day (its measures may be suspended, but the party is listed)."""
        return self in (ListingStatus.LISTED, ListingStatus.SUSPENDED)


class ListingEvent(_Strict):
    on: IsoDate
    event: EventKind
    until: IsoDate | None = None
    source: Text
    url: Url | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> ListingEvent:
        if self.event is EventKind.SUSPENDED and self.until is not None and self.until <= self.on:
            raise ValueError(f"`until` {self.until} must come after `on` {self.on}")
        if self.event is not EventKind.SUSPENDED and self.until is not None:
            raise ValueError("only a suspension has `until`")
        return self


class PartyList(_Strict):
    title: Text
    authority: Text
    effect: Text


class Party(_Strict):
    id: Text
    name: Text
    aliases: list[Text] = []
    country: Country
    list_id: Text = Field(alias="list")
    review_policy: str | None = None
    events: list[ListingEvent] = Field(min_length=1)
    confidence: PartyConfidence
    note: str | None = None

    @model_validator(mode="after")
    def _starts_listed(self) -> Party:
        if self.events[0].event is not EventKind.LISTED:
            raise ValueError(f"events: {self.id}'s first event must be `listed`")
        if [e.on for e in self.events] != sorted(e.on for e in self.events):
            raise ValueError(f"events: {self.id}'s events must be in date order")
        return self

    @property
    def listed_on(self) -> date:
        return self.events[0].on

    def status_on(self, day: date) -> tuple[ListingStatus, ListingEvent | None]:
        """The listing's status on `day` and the event that decided it."""
        if day < self.listed_on:
            return ListingStatus.NOT_YET_LISTED, None
        deciding = [e for e in self.events if e.on <= day and e.event is not EventKind.SUSPENDED]
        last = deciding[-1]
        if last.event is EventKind.LISTED:
            pause = next(
                (e for e in self.events if e.event is EventKind.SUSPENDED and in_range(day, e.on, e.until)), None
            )
            if pause is not None and pause.on >= last.on:
                return ListingStatus.SUSPENDED, pause
        return ListingStatus(last.event.value), last

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class PartyRegister(_Strict):
    lists: dict[str, PartyList]
    parties: list[Party]

    @model_validator(mode="after")
    def _known_lists(self) -> PartyRegister:
        ids = [party.id for party in self.parties]
        if len(ids) != len(set(ids)):
            raise ValueError("parties: two parties share an id")
        for party in self.parties:
            if party.list_id not in self.lists:
                raise ValueError(f"parties.{party.id}.list: no list {party.list_id!r} (lists: {', '.join(self.lists)})")
        return self


@cache
def party_register() -> PartyRegister:
    return read_model(data_path(PARTIES_FILE), PartyRegister)
