"""Licence-approval indicators from the licence registry (tradelex.controls.licensing), on a SQLite file of the test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tradelex.controls.licensing.registry import open_registry
from tradelex.controls.licensing.schemas import ApplicationIn, DecisionIn
from tradelex.deals import assess_compliance, load_deal
from tradelex.rules.model import Pack

CLAUSE = '  - id: c\n    title: "licences"\n'
COMMITMENT = """      - id: approve
        by: CN
        clause: c
        quote: "approve applications"
        indicator: {{series: "licensing:cn.mofcom:{field}", at_least: "{at_least}", from: "2025-06-01",
                    deadline: "2025-12-31"}}
"""


@pytest.fixture
def registry_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'licences.sqlite'}"
    monkeypatch.setenv("TRADELEX_DATABASE_URL", url)
    registry = open_registry(url)
    for day, outcome in ((date(2025, 6, 2), "approved"), (date(2025, 6, 3), "approved"), (date(2025, 6, 4), "denied")):
        application = registry.submit(
            ApplicationIn(
                exporter="Test Magnets Co.",
                item="8505.11",
                quantity=Decimal(100),
                unit="kg",
                value=Decimal(10000),
                currency="USD",
                destination="US",
                end_user="Test Motors",
                end_use="electric motors",
                submitted_on=day,
            )
        )
        registry.decide(application.id, DecisionIn(outcome=outcome, decided_on=date(2025, 6, 20)))
    return url


def test_approvals_from_the_registry(registry_url: str, write_deal: Callable[..., Path], pack: Pack) -> None:
    # Three applications decided in June 2025: two approved, one denied. Known once June is over.
    path = write_deal(CLAUSE, {"joint": COMMITMENT.format(field="approvals", at_least="4")})
    item = assess_compliance(load_deal(path), pack, date(2025, 7, 15)).commitments[0]
    assert (item.state, item.ratio) == ("partly_kept", "0.5000")  # 2 / 4
    june = assess_compliance(load_deal(path), pack, date(2025, 6, 25)).commitments[0]
    assert june.state == "unknown"  # June not over: no figure yet


def test_an_unknown_registry_field_is_unknown_with_a_note(
    registry_url: str, write_deal: Callable[..., Path], pack: Pack
) -> None:
    path = write_deal(CLAUSE, {"joint": COMMITMENT.format(field="speed", at_least="1")})
    item = assess_compliance(load_deal(path), pack, date(2025, 7, 15)).commitments[0]
    assert item.state == "unknown" and "not a licensing indicator" in item.evidence[0].text
