"""Party screening: spelling variants, transliteration, aliases, Chinese characters, listing dates, explanations."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradelex.controls import screen_parties
from tradelex.controls.names import normalise_name
from tradelex.controls.parties import ListingStatus, party_register
from tradelex.errors import BadDateError, InputError


def ids(name: str, on: str = "2025-06-01") -> list[str]:
    return [match.party_id for match in screen_parties(name, on).matches]


@pytest.mark.parametrize(
    ("name", "party"),
    [
        ("Hikvision", "us-el-hikvision"),  # an alias, inside a longer listed name
        ("Hickvision", "us-el-hikvision"),  # a misspelling
        ("HANGZHOU HIK-VISION DIGITAL TECHNOLOGY CO LTD", "us-el-hikvision"),  # case, hyphen, company form
        ("Huawei Technologies Company Limited", "us-el-huawei"),
        ("Hua Wei", "us-el-huawei"),
        ("华为", "us-el-huawei"),  # Chinese characters, short form of 华为技术有限公司
        ("Dá-Jiāng Innovations", "us-el-dji"),  # diacritics of pinyin tone marks
        ("Semiconductor Manufacturing Intl Corp", "us-el-smic"),
        ("Peking Zhipu Huazhang Technology", "us-el-zhipu"),  # postal romanisation of Beijing
        ("Lockheed Martin Missiles & Fire Control", "cn-uel-lockheed-mfc"),
    ],
)
def test_listed_party_found_under_spelling_variants(name: str, party: str) -> None:
    assert party in ids(name)


def test_each_match_explains_why() -> None:
    match = screen_parties("Hickvision", "2025-06-01").matches[0]
    assert any("spelling variant" in reason and "hikvision" in reason for reason in match.why)
    alias = screen_parties("Hikvision", "2025-06-01").matches[0]
    assert any(reason.startswith("alias:") for reason in alias.why)
    peking = screen_parties("Peking Zhipu Huazhang", "2025-06-01").matches[0]
    assert any("transliteration" in reason and "beijing" in reason for reason in peking.why)
    accents = screen_parties("Dá-Jiāng Innovations", "2025-06-01").matches[0]
    assert any("diacritics" in reason for reason in accents.why)
    overlap = screen_parties("Fudan Shanghai Microelectronics", "2025-10-01").matches[0]
    assert any(reason.startswith("token overlap: fudan") for reason in overlap.why)


def test_generic_words_alone_do_not_match() -> None:
    assert screen_parties("Technology International Co., Ltd.", "2025-06-01").matches == []
    assert screen_parties("Acme Widgets", "2025-06-01").matches == []


def test_listing_dates_are_honoured() -> None:
    before = screen_parties("Huawei", "2019-05-15")
    assert before.matches == []
    assert before.inactive[0].status is ListingStatus.NOT_YET_LISTED
    assert screen_parties("Huawei", "2019-05-16").matches[0].status is ListingStatus.LISTED


def test_suspended_and_lifted_listings() -> None:
    skydio = screen_parties("Skydio", "2025-12-01").matches[0]
    assert skydio.status is ListingStatus.SUSPENDED and skydio.status_until == date(2026, 11, 10)
    assert screen_parties("Skydio", "2025-06-01").matches[0].status is ListingStatus.LISTED
    lifted = screen_parties("Huntington Ingalls Industries", "2025-12-01")
    assert lifted.matches == [] and lifted.inactive[0].status is ListingStatus.LIFTED
    assert screen_parties("Huntington Ingalls", "2025-06-01").matches[0].status is ListingStatus.LISTED


def test_json_shape() -> None:
    document = screen_parties("Hikvision", "2025-06-01").to_json_dict()
    assert document["query"] == {"name": "Hikvision", "date": "2025-06-01"}
    row = document["matches"][0]
    assert {"party", "list", "score", "why", "listed_on", "status", "source", "url"} <= set(row)
    assert row["list"] == "us.entity-list" and row["listed_on"] == "2019-10-09"


def test_bad_input_names_the_field() -> None:
    with pytest.raises(BadDateError) as bad_date:
        screen_parties("Huawei", "2025/06/01")
    assert bad_date.value.field == "date"
    with pytest.raises(InputError) as empty:
        screen_parties("  ,. ")
    assert empty.value.field == "name"


def test_every_party_has_a_source_and_a_listing_date() -> None:
    for party in party_register().parties:
        assert party.events[0].source and party.listed_on
        assert party.confidence.value in ("confirmed", "unconfirmed", "low")


@settings(max_examples=60, deadline=None)
@given(
    party=st.sampled_from([p for p in party_register().parties if p.name.isascii()]),
    upper=st.booleans(),
    suffix=st.sampled_from(["", " Co., Ltd.", " Inc", " LIMITED", " Corporation"]),
)
def test_case_and_company_forms_never_hide_a_listed_name(party: object, upper: bool, suffix: str) -> None:
    from tradelex.controls.parties import Party

    assert isinstance(party, Party)
    name = party.name.upper() if upper else party.name.lower()
    on = party.listed_on.isoformat()
    found = screen_parties(name + suffix, on)
    assert party.id in [m.party_id for m in [*found.matches, *found.inactive]]


@given(st.text(min_size=1, max_size=30))
def test_normalising_is_idempotent_on_its_own_output(text: str) -> None:
    once = normalise_name(text)
    twice = normalise_name(" ".join(once.words))
    assert twice.compact == once.compact or not once.words
