"""The open-point check: each rule of open_point_rules.yaml on a clause that has the defect and on one that has not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tradelex.deals import check_deal, load_deal

PRECISE = """
  - id: precise
    title: "A precise clause"
    text: "The United States will apply 10 percent under Executive Order 14257 from May 14, 2025."
"""
PRECISE_COMMITMENT = """
      - id: precise-rate
        by: US
        clause: precise
        quote: "10 percent from May 14, 2025"
        measures:
          - {id: us.ieepa.reciprocal, rate_at_most: "10%", from: "2025-05-14", until: "2025-08-12"}
"""


def clause_yaml(clause_id: str, text: str) -> str:
    return f'  - id: {clause_id}\n    title: "t"\n    text: "{text}"\n'


def kinds_for(path: Path, clause: str) -> list[str]:
    return [finding.kind for finding in check_deal(load_deal(path)).findings if finding.clause == clause]


def test_a_precise_clause_has_no_open_point(write_deal: Callable[..., Path]) -> None:
    path = write_deal(PRECISE, {"joint": PRECISE_COMMITMENT})
    assert kinds_for(path, "precise") == []


def test_words_only_without_an_instrument_has_no_scope_and_no_verification(write_deal: Callable[..., Path]) -> None:
    clause = '  - id: vague\n    title: "t"\n    text: "China will remove the measures taken on May 1, 2025."\n'
    commitment = '      - {id: remove, by: CN, clause: vague, quote: "remove the measures taken on May 1, 2025"}\n'
    kinds = kinds_for(write_deal(clause, {"joint": commitment}), "vague")
    assert "no_scope" in kinds and "no_verification" in kinds


def test_words_naming_an_instrument_have_a_scope_but_nothing_to_verify(write_deal: Callable[..., Path]) -> None:
    clause = '  - id: named\n    title: "t"\n    text: "China will stop Announcement No. 5 of 2025."\n'
    commitment = '      - {id: stop, by: CN, clause: named, quote: "stop Announcement No. 5 of 2025"}\n'
    kinds = kinds_for(write_deal(clause, {"joint": commitment}), "named")
    assert "no_scope" not in kinds
    assert "no_verification" in kinds


def test_a_tariff_without_a_rate(write_deal: Callable[..., Path]) -> None:
    clause = clause_yaml("cut", "The United States will lower the tariffs on Chinese imports in 2025.")
    commitment = '      - {id: cut, by: US, clause: cut, quote: "lower the tariffs"}\n'
    findings = check_deal(load_deal(write_deal(clause, {"joint": commitment}))).findings
    assert [f.kind for f in findings if f.kind == "no_rate"] == ["no_rate"]
    assert "“tariffs”" in next(f.detail for f in findings if f.kind == "no_rate")


def test_a_percentage_in_the_words_is_a_rate(write_deal: Callable[..., Path]) -> None:
    clause = clause_yaml("cut", "The United States will lower the tariffs by 10 percentage points in 2025.")
    commitment = '      - {id: cut, by: US, clause: cut, quote: "lower the tariffs by 10 percentage points"}\n'
    assert "no_rate" not in kinds_for(write_deal(clause, {"joint": commitment}), "cut")


def test_no_date_anywhere(write_deal: Callable[..., Path]) -> None:
    # "may" in lower case is a verb, not the month: the mechanism clause of the Geneva statement has no date.
    clause = clause_yaml("talk", "The discussions may be conducted alternately in China and the United States.")
    commitment = '      - {id: talk, by: US, clause: talk, quote: "discussions may be conducted"}\n'
    assert "no_date" in kinds_for(write_deal(clause, {"joint": commitment}), "talk")


def test_a_commitment_deadline_is_a_date(write_deal: Callable[..., Path]) -> None:
    clause = '  - id: talk\n    title: "t"\n    text: "The Parties will establish a mechanism."\n'
    commitment = '      - {id: talk, by: US, clause: talk, quote: "establish a mechanism", deadline: "2025-05-14"}\n'
    assert "no_date" not in kinds_for(write_deal(clause, {"joint": commitment}), "talk")


def test_vague_words_in_english_and_chinese(write_deal: Callable[..., Path]) -> None:
    clause = '  - id: v\n    title: "t"\n    text: "China will adopt all necessary measures by 2025."\n'
    commitment = (
        '      - {id: v, by: CN, clause: v, quote: "中方將相應調整反制措施", translation: "adjust accordingly"}\n'
    )
    findings = check_deal(load_deal(write_deal(clause, {"joint": commitment}))).findings
    detail = next(f.detail for f in findings if f.kind == "vague_words")
    assert "“all necessary”" in detail and "“相應”" in detail


def test_vague_words_match_whole_words_only(write_deal: Callable[..., Path]) -> None:
    clause = '  - id: v\n    title: "t"\n    text: "Uncertainty about ascertained figures in 2025."\n'
    commitment = '      - {id: v, by: CN, clause: v, quote: "ascertained"}\n'
    assert "vague_words" not in kinds_for(write_deal(clause, {"joint": commitment}), "v")


def test_undefined_term_unless_the_deal_defines_it(write_deal: Callable[..., Path]) -> None:
    text = '"China will remove the non-tariff countermeasures taken since April 2, 2025."'
    commitment = '      - {id: n, by: CN, clause: n, quote: "remove the non-tariff countermeasures"}\n'
    undefined = f'  - id: n\n    title: "t"\n    text: {text}\n'
    defined = undefined + '    defines: {"non-tariff countermeasures": "the listings of 4 and 9 April 2025"}\n'
    assert "undefined_term" in kinds_for(write_deal(undefined, {"joint": commitment}, name="a"), "n")
    assert "undefined_term" not in kinds_for(write_deal(defined, {"joint": commitment}, name="b"), "n")


def test_readings_that_differ(write_deal: Callable[..., Path]) -> None:
    clause = '  - id: soy\n    title: "soybeans"\n'
    us = '      - {id: us-soy, by: CN, clause: soy, topic: soy, quote: "12 MMT by 2025", claims: ["12 MMT"]}\n'
    cn = '      - {id: cn-soy, by: CN, clause: soy, topic: soy, quote: "expand trade, 2025", claims: ["no quantity"]}\n'
    findings = check_deal(load_deal(write_deal(clause, {"US": us, "CN": cn}))).findings
    differ = [f for f in findings if f.kind == "readings_differ"]
    assert len(differ) == 1 and "12 MMT" in differ[0].detail and "no quantity" in differ[0].detail


def test_readings_that_agree(write_deal: Callable[..., Path]) -> None:
    clause = '  - id: soy\n    title: "soybeans"\n'
    us = '      - {id: us-soy, by: CN, clause: soy, topic: soy, quote: "12 MMT by 2025", claims: ["12 MMT"]}\n'
    cn = '      - {id: cn-soy, by: CN, clause: soy, topic: soy, quote: "1200万吨 2025年", claims: ["12 MMT"]}\n'
    assert "readings_differ" not in kinds_for(write_deal(clause, {"US": us, "CN": cn}), "soy")


def test_geneva_non_tariff_clause_is_undefined_in_scope_and_verification() -> None:
    # Joint Statement of 12 May 2025: "(ii) adopt all necessary administrative measures to suspend or remove the
    # non-tariff countermeasures taken against the United States since April 2, 2025" names no measure and no list.
    findings = check_deal(load_deal("geneva-2025")).findings
    kinds = {f.kind for f in findings if f.clause == "cn-non-tariff"}
    assert {"no_scope", "no_verification", "vague_words", "undefined_term"} <= kinds
    # the tariff clauses name their orders, their rates and the suspension: no scope or rate is open there
    assert not [f for f in findings if f.clause in ("us-tariffs", "cn-tariffs") and f.kind in ("no_scope", "no_rate")]
