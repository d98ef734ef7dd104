"""The Alembic migrations create exactly the tables the ORM maps, and upgrading twice changes nothing."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tradelex.controls.licensing import open_registry
from tradelex.controls.licensing.models import Base
from tradelex.controls.licensing.store import head_revision, upgrade


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    registry = open_registry(database_url)
    with registry.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert registry.revision() == head_revision()
    assert upgrade(registry.engine) == head_revision()  # a second upgrade is a no-op
    registry.close()
