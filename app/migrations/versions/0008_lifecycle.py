"""lifecycle rules of the catalog: expected life and replacement cost per category, overridden per model

Revision ID: 0008_lifecycle
Revises: 0007_onsite_audit
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_lifecycle"
down_revision = "0007_onsite_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lifecycle_rules",
        sa.Column("category_id", sa.String(length=36), nullable=False),
        sa.Column("model", sa.String(length=160), nullable=False, server_default=""),
        sa.Column("expected_life_years", sa.Integer(), nullable=True),
        sa.Column("replacement_cost_cents", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False, server_default=""),
        sa.Column("notes", sa.Text(), nullable=False, server_default=""),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("server_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_lifecycle_rules_category_id_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_rules")),
    )
    op.create_index("ix_lifecycle_rules_category", "lifecycle_rules", ["category_id", "model"])


def downgrade() -> None:
    op.drop_index("ix_lifecycle_rules_category", table_name="lifecycle_rules")
    op.drop_table("lifecycle_rules")
