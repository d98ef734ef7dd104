"""The stored records: applications and their append-only decision history (SQLAlchemy 2 typed ORM).

Money and quantities are stored as decimal text: SQLite has no decimal type (SQLAlchemy would pass through float), and
text keeps every digit on both backends. The migrations in migrations/versions create exactly these tables.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal stored as its exact decimal text."""

    impl = String(64)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else format(value, "f")

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class Base(DeclarativeBase):
    pass


class Application(Base):
    __tablename__ = "licence_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    regime: Mapped[str] = mapped_column(String(64), index=True)
    exporter: Mapped[str] = mapped_column(Text)
    item: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    unit: Mapped[str] = mapped_column(String(32))
    value: Mapped[Decimal] = mapped_column(DecimalText)
    currency: Mapped[str] = mapped_column(String(3))
    destination: Mapped[str] = mapped_column(String(2))
    end_user: Mapped[str] = mapped_column(Text)
    end_use: Mapped[str] = mapped_column(Text)
    submitted_on: Mapped[date] = mapped_column(Date, index=True)
    # The current status, derived from the last decision; kept on the row so that two writers collide on it.
    status: Mapped[str] = mapped_column(String(16))
    # Optimistic lock: every decision bumps it, so a writer that read an older version fails and retries.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # Loaded in the same statement as the application, so that status and history come from one snapshot.
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="application", order_by="Decision.sequence", lazy="joined"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — SQLAlchemy's declarative form


class Decision(Base):
    """One entry of the history; rows are only ever inserted, never updated or deleted."""

    __tablename__ = "licence_decisions"
    __table_args__ = (UniqueConstraint("application_id", "sequence", name="uq_licence_decisions_sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("licence_applications.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    decided_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    application: Mapped[Application] = relationship(back_populates="decisions")
