"""Where the registry keeps its records: the database URL, the engine, and the Alembic migrations run in-process."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tradelex.data.store import data_dir
from tradelex.errors import DataError

DATABASE_URL_ENV = "TRADELEX_DATABASE_URL"
SQLITE_FILE = "licences.sqlite"
MIGRATIONS = Path(__file__).parent / "migrations"
# How long a SQLite writer waits for another's lock before giving up (seconds).
SQLITE_BUSY_TIMEOUT = 30
# Execution option of a transaction that will write after reading: on SQLite it begins with the write lock taken.
WRITE_LOCK = "tradelex_write_lock"


def database_url(url: str | None = None) -> str:
    """The URL given, else $TRADELEX_DATABASE_URL, else a SQLite file in the tradelex data directory."""
    chosen = url or os.environ.get(DATABASE_URL_ENV)
    if chosen:
        return chosen
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / SQLITE_FILE}"


def shown_url(url: str) -> str:
    """The URL with any password hidden, for messages and JSON."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DataError("database", f"not a database URL: {url!r}", field=DATABASE_URL_ENV) from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_connect(connection: Any, _record: Any) -> None:
    # The sqlite3 module begins transactions late (at the first write), so two reads of one transaction could see
    # different states; tradelex begins them itself instead (SQLAlchemy's documented recipe for pysqlite).
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """A reading transaction takes a snapshot; a writing one takes the write lock first, so it reads fresh state."""
    writes = connection.get_execution_options().get(WRITE_LOCK, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "the licence migrations have no head"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Bring the database to the newest schema in one transaction; returns the revision it is at."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return head_revision()
