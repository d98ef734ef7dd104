"""Licence applications and their append-only decision history.

Revision ID: 0001
Revises:
Create Date: 2026-06-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "licence_applications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("regime", sa.String(64), nullable=False),
        sa.Column("exporter", sa.Text(), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("quantity", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("destination", sa.String(2), nullable=False),
        sa.Column("end_user", sa.Text(), nullable=False),
        sa.Column("end_use", sa.Text(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_licence_applications_regime", "licence_applications", ["regime"])
    op.create_index("ix_licence_applications_submitted_on", "licence_applications", ["submitted_on"])
    op.create_table(
        "licence_decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.Integer(), sa.ForeignKey("licence_applications.id"), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("application_id", "sequence", name="uq_licence_decisions_sequence"),
    )
    op.create_index("ix_licence_decisions_application_id", "licence_decisions", ["application_id"])


def downgrade() -> None:
    op.drop_index("ix_licence_decisions_application_id", table_name="licence_decisions")
    op.drop_table("licence_decisions")
    op.drop_index("ix_licence_applications_submitted_on", table_name="licence_applications")
    op.drop_index("ix_licence_applications_regime", table_name="licence_applications")
    op.drop_table("licence_applications")
