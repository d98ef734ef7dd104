"""Two writers deciding one application at once never lose a decision, on SQLite and on PostgreSQL.

The first test forces the race: both writers read the application (version 1, pending) before either writes. One
commits; the other's write fails on the stale version, is retried on the fresh state, and is refused with an error
naming the decision it lost to. No decision is overwritten and the status always matches the last decision.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

import tradelex.controls.licensing.registry as registry_module
from tradelex.controls.licensing import (
    ApplicationIn,
    DecisionConflictError,
    DecisionIn,
    LicenceRegistry,
    open_registry,
)
from tradelex.controls.licensing.models import Application

FIELDS = {
    "exporter": "Exporter Co.",
    "item": "8112.92",
    "quantity": "10",
    "unit": "kg",
    "value": "5000.00",
    "currency": "USD",
    "destination": "DE",
    "end_user": "End User GmbH",
    "end_use": "semiconductor wafers",
    "submitted_on": "2025-03-03",
}


def attempt(registry: LicenceRegistry, application_id: int, decision: DecisionIn) -> str | Exception:
    try:
        return registry.decide(application_id, decision).status
    except DecisionConflictError as error:
        return error


def test_a_second_writer_waits_for_the_first_and_reads_its_decision(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = open_registry(database_url), open_registry(database_url)
    application_id = first.submit(ApplicationIn.from_mapping(FIELDS)).id
    second_started, seen = threading.Event(), {}
    check_fits: Callable[[Application, DecisionIn], None] = registry_module._check_fits

    def check_and_hold(row: Application, decision: DecisionIn) -> None:
        seen[decision.outcome] = row.status  # the status each writer read, holding the application's lock
        if decision.outcome == "approved":
            assert second_started.wait(timeout=30)
            time.sleep(0.2)  # give the second writer time to reach the lock; correctness does not depend on it
        check_fits(row, decision)

    monkeypatch.setattr(registry_module, "_check_fits", check_and_hold)

    def second_writer() -> str | Exception:
        second_started.set()
        return attempt(second, application_id, DecisionIn(outcome="denied", decided_on=date(2025, 4, 2)))

    with ThreadPoolExecutor(max_workers=2) as pool:
        approving = pool.submit(
            attempt, first, application_id, DecisionIn(outcome="approved", decided_on=date(2025, 4, 1))
        )
        while "approved" not in seen:  # the first writer holds the lock before the second starts
            time.sleep(0.01)
        denying = pool.submit(second_writer)
        results = approving.result(), denying.result()
    assert results[0] == "approved"
    assert isinstance(results[1], DecisionConflictError)
    assert "is approved (approved on 2025-04-01)" in str(results[1])
    # The second writer read the application only after the first had committed.
    assert seen == {"approved": "pending", "denied": "approved"}
    assert [d.outcome for d in first.get(application_id).decisions] == ["approved"]
    first.close()
    second.close()


def test_without_the_lock_the_version_check_still_refuses_a_stale_write(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both writers read version 1 before either writes; the optimistic lock makes the loser retry on fresh state."""
    monkeypatch.setattr(registry_module, "_lock", lambda session, application_id: None)
    monkeypatch.setattr(registry_module, "WRITE_LOCK", "no_write_lock")
    first, second = open_registry(database_url), open_registry(database_url)
    application_id = first.submit(ApplicationIn.from_mapping(FIELDS)).id
    both_have_read = threading.Barrier(2, timeout=30)
    already_waited = threading.local()
    check_fits: Callable[[Application, DecisionIn], None] = registry_module._check_fits
    checks: list[str] = []

    def check_then_wait(row: Application, decision: DecisionIn) -> None:
        checks.append(decision.outcome)
        check_fits(row, decision)
        if not getattr(already_waited, "done", False):  # only the first attempt waits; a retry goes straight on
            already_waited.done = True
            both_have_read.wait()

    monkeypatch.setattr(registry_module, "_check_fits", check_then_wait)
    approve = DecisionIn(outcome="approved", decided_on=date(2025, 4, 1))
    deny = DecisionIn(outcome="denied", decided_on=date(2025, 4, 2))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(attempt, [first, second], [application_id] * 2, [approve, deny]))
    winners = [result for result in results if isinstance(result, str)]
    losers = [result for result in results if isinstance(result, DecisionConflictError)]
    assert len(winners) == 1 and len(losers) == 1, results
    stored = first.get(application_id)
    assert [d.outcome for d in stored.decisions] == winners
    assert stored.status == winners[0]
    # Each writer checked once on the version both read, and at least one again after its write failed (on SQLite
    # the busy lock can send either writer round once more before the loser sees the winner's decision).
    assert len(checks) >= 3, checks
    assert f"is {winners[0]} ({winners[0]} on" in str(losers[0])
    first.close()
    second.close()


def test_many_writers_at_once_leave_one_consistent_history(registry: LicenceRegistry) -> None:
    application_id = registry.submit(ApplicationIn.from_mapping(FIELDS)).id
    # Approved and denied are final and exclusive: exactly one of these nine can be recorded.
    outcomes = ["approved", "denied"] * 4 + ["approved"]
    decisions = [DecisionIn(outcome=outcome, decided_on=date(2025, 4, 1)) for outcome in outcomes]  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=len(decisions)) as pool:
        results = list(pool.map(attempt, [registry] * len(decisions), [application_id] * len(decisions), decisions))
    winners = [result for result in results if isinstance(result, str)]
    assert len(winners) == 1, results
    assert all(isinstance(result, DecisionConflictError) for result in results if not isinstance(result, str))
    stored = registry.get(application_id)
    assert len(stored.decisions) == 1
    assert stored.status == winners[0] == stored.decisions[0].outcome


def test_decisions_on_different_applications_all_land(registry: LicenceRegistry) -> None:
    ids = [registry.submit(ApplicationIn.from_mapping(FIELDS)).id for _ in range(6)]
    approve = DecisionIn(outcome="approved", decided_on=date(2025, 4, 1))
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(attempt, [registry] * 6, ids, [approve] * 6))
    assert results == ["approved"] * 6
    assert [a.status for a in registry.list()] == ["approved"] * 6
