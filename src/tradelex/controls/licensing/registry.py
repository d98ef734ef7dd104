"""The licence registry: submit applications, record decisions, read the review clock and the monthly indicators.

Every write is one transaction. A decision first locks its application (SELECT … FOR UPDATE on PostgreSQL, BEGIN
IMMEDIATE on SQLite), so two writers on one application take turns: the second reads the first one's decision and is
checked against it, succeeding after it or refused with an error that names it. The row's `version` is an optimistic
lock behind that: a write from a stale read fails and is retried on fresh state. So no recorded decision is ever
overwritten, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import builtins
from datetime import UTC, date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from tradelex.errors import DataError, InputError

from .clock import review_clock
from .indicators import monthly_indicators
from .models import Application, Decision
from .regimes import find_regime
from .schemas import STATUSES, ApplicationIn, ApplicationOut, DecisionIn, DecisionOut, MonthlyIndicator, ReviewClock
from .store import WRITE_LOCK, current_revision, database_url, head_revision, make_engine, shown_url, upgrade

# Which history entries may follow which status. Approved and denied are final.
ALLOWED_AFTER: dict[str, tuple[str, ...]] = {
    "pending": ("approved", "denied", "returned"),
    "returned": ("resubmitted", "denied"),
    "approved": (),
    "denied": (),
}
STATUS_AFTER = {"approved": "approved", "denied": "denied", "returned": "returned", "resubmitted": "pending"}
# How many times a decision is retried after losing a race to another writer.
DECISION_ATTEMPTS = 5


class UnknownApplicationError(InputError):
    """No application has this id."""


class DecisionConflictError(InputError):
    """The decision does not fit the application's history (it is already final, or the order is wrong)."""


class LicenceRegistry:
    """Licence applications in one database (SQLite or PostgreSQL), through SQLAlchemy."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return shown_url(self.engine.url.render_as_string(hide_password=False))

    def close(self) -> None:
        self.engine.dispose()

    def revision(self) -> str | None:
        return current_revision(self.engine)

    def submit(self, application: ApplicationIn) -> ApplicationOut:
        row = Application(
            **application.model_dump(),
            status="pending",
            created_at=datetime.now(UTC),
        )
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return _to_out(row)

    def decide(self, application_id: int, decision: DecisionIn) -> ApplicationOut:
        for _attempt in range(DECISION_ATTEMPTS):
            try:
                return self._decide_once(application_id, decision)
            except (StaleDataError, IntegrityError, OperationalError):
                # Another writer got there first (or SQLite's lock timed out): read again and re-check.
                continue
        raise DataError("database", f"could not record the decision on application {application_id}: too busy")

    def _decide_once(self, application_id: int, decision: DecisionIn) -> ApplicationOut:
        with self._sessions.begin() as session:
            session.connection(execution_options={WRITE_LOCK: True})  # SQLite: BEGIN IMMEDIATE
            _lock(session, application_id)  # PostgreSQL: the row stays locked until this transaction ends
            row = _load(session, application_id)
            _check_fits(row, decision)
            row.decisions.append(
                Decision(
                    sequence=len(row.decisions) + 1,
                    outcome=decision.outcome,
                    decided_on=decision.decided_on,
                    note=decision.note,
                    recorded_at=datetime.now(UTC),
                )
            )
            row.status = STATUS_AFTER[decision.outcome]
            session.flush()  # the UPDATE … WHERE version = read version: a stale read fails here
            return _to_out(row)

    def get(self, application_id: int) -> ApplicationOut:
        with self._sessions() as session:
            return _to_out(_load(session, application_id))

    def list(self, regime: str | None = None, status: str | None = None) -> builtins.list[ApplicationOut]:
        query = select(Application).order_by(Application.id)
        if regime is not None:
            query = query.where(Application.regime == find_regime(regime).id)
        if status is not None:
            if status not in STATUSES:
                raise InputError("status", f"expected one of {', '.join(STATUSES)}, got {status!r}")
            query = query.where(Application.status == status)
        with self._sessions() as session:
            return [_to_out(row) for row in session.scalars(query).unique()]

    def clock(self, application_id: int, as_of: date) -> ReviewClock:
        return review_clock(self.get(application_id), as_of)

    def indicators(self, regime: str, start: date, end: date) -> builtins.list[MonthlyIndicator]:
        regime_id = find_regime(regime).id
        if end < start:
            raise InputError("end", f"{end} is before the start {start}")
        return monthly_indicators(self.list(regime=regime_id), regime_id, start, end)


def open_registry(url: str | None = None) -> LicenceRegistry:
    """The registry at `url`, else $TRADELEX_DATABASE_URL, else licences.sqlite in the data directory; migrated."""
    engine = make_engine(database_url(url))
    try:
        if current_revision(engine) != head_revision():
            upgrade(engine)
    except OperationalError as error:
        engine.dispose()
        raise DataError("database", f"cannot open {shown_url(str(engine.url))}: {error.orig}") from None
    return LicenceRegistry(engine)


# Ids are SQL INTEGER on both backends: a larger number can name no application, and would overflow the driver.
LARGEST_ID = 2**31 - 1


def _valid_id(application_id: object) -> int:
    if not isinstance(application_id, int) or isinstance(application_id, bool) or not 1 <= application_id <= LARGEST_ID:
        raise UnknownApplicationError(
            "application_id", f"expected a whole number from 1 to {LARGEST_ID}, got {application_id!r}"
        )
    return application_id


def _lock(session: Session, application_id: int) -> None:
    """Lock the application's row for this transaction (FOR UPDATE renders as nothing on SQLite)."""
    session.execute(select(Application.id).where(Application.id == _valid_id(application_id)).with_for_update())


def _load(session: Session, application_id: int) -> Application:
    row = session.get(Application, _valid_id(application_id))
    if row is None:
        raise UnknownApplicationError("application_id", f"no licence application has id {application_id}")
    return row


def _check_fits(row: Application, decision: DecisionIn) -> None:
    if decision.outcome not in ALLOWED_AFTER[row.status]:
        last = row.decisions[-1] if row.decisions else None
        history = f" ({last.outcome} on {last.decided_on})" if last else ""
        allowed = ", ".join(ALLOWED_AFTER[row.status]) or "nothing: the decision is final"
        raise DecisionConflictError(
            "outcome",
            f"application {row.id} is {row.status}{history}; {decision.outcome!r} cannot follow it "
            f"(allowed: {allowed})",
        )
    earliest = row.decisions[-1].decided_on if row.decisions else row.submitted_on
    if decision.decided_on < earliest:
        raise DecisionConflictError(
            "decided_on", f"{decision.decided_on} is before the last entry of application {row.id} on {earliest}"
        )


def _to_out(row: Application) -> ApplicationOut:
    return ApplicationOut(
        id=row.id,
        regime=row.regime,
        exporter=row.exporter,
        item=row.item,
        quantity=row.quantity,
        unit=row.unit,
        value=row.value,
        currency=row.currency,
        destination=row.destination,
        end_user=row.end_user,
        end_use=row.end_use,
        submitted_on=row.submitted_on,
        status=row.status,
        decisions=[
            DecisionOut(
                sequence=entry.sequence,
                outcome=entry.outcome,
                decided_on=entry.decided_on,
                note=entry.note,
                recorded_at=_aware(entry.recorded_at),
            )
            for entry in row.decisions
        ],
    )


def _aware(moment: datetime) -> datetime:
    """SQLite hands back the stored UTC time without its zone; PostgreSQL with it. Both mean UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
