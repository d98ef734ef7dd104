"""One registry per test, on SQLite (a fresh file) and on PostgreSQL (a fresh schema, dropped afterwards).

The PostgreSQL URL comes from TRADELEX_TEST_DATABASE_URL (scripts/services.sh starts a throwaway cluster and sets it).
Without it the PostgreSQL half is skipped, unless TRADELEX_REQUIRE_SERVICES=1, when it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from tradelex.controls.licensing import LicenceRegistry, open_registry

POSTGRES_ENV = "TRADELEX_TEST_DATABASE_URL"
REQUIRE_ENV = "TRADELEX_REQUIRE_SERVICES"


def postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{POSTGRES_ENV} is not set and {REQUIRE_ENV}=1: source scripts/services.sh first")
        pytest.skip(f"PostgreSQL not available: set {POSTGRES_ENV} (scripts/services.sh does)")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose search_path is a new, empty schema; the schema is dropped after the test."""
    base = postgres_base_url()
    schema = f"licences_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'licences.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def registry(database_url: str) -> Iterator[LicenceRegistry]:
    opened = open_registry(database_url)
    yield opened
    opened.close()
