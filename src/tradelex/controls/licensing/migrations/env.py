"""Alembic environment for the licence registry: run programmatically on a connection the registry passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from tradelex.controls.licensing.models import Base

# Any constant: it names the lock that keeps two processes from migrating one PostgreSQL database at once.
POSTGRES_MIGRATION_LOCK = 7_000_001


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_MIGRATION_LOCK})
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("the licence registry migrates a live database only: use `tradelex licences db upgrade`")
supplied = context.config.attributes.get("connection")
if supplied is None:
    raise SystemExit("the licence registry's migrations run from tradelex (open_registry or `licences db upgrade`)")
run_migrations(supplied)
