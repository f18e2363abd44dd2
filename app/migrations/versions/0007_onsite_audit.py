"""onsite audit: an asset is listed (on the client's list) or found on site, when/where/by whom it was last seen,
and a missing / not-in-scope mark with its reason; MAC addresses indexed for scan matching

Revision ID: 0007_onsite_audit
Revises: 0006_client_list_fields
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_onsite_audit"
down_revision = "0006_client_list_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("listed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("seen_by", sa.String(120), nullable=False, server_default=""))
        batch.add_column(sa.Column("seen_site_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("seen_location_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("audit_mark", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("audit_reason", sa.String(200), nullable=False, server_default=""))
        batch.create_index("ix_assets_client_mac", ["client_id", "mac_address"])
        batch.create_foreign_key(op.f("fk_assets_seen_site_id_sites"), "sites", ["seen_site_id"], ["id"])
        batch.create_foreign_key(
            op.f("fk_assets_seen_location_id_locations"), "locations", ["seen_location_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.drop_constraint(op.f("fk_assets_seen_location_id_locations"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_assets_seen_site_id_sites"), type_="foreignkey")
        batch.drop_index("ix_assets_client_mac")
        for name in ("audit_reason", "audit_mark", "seen_location_id", "seen_site_id", "seen_by", "seen_at", "listed"):
            batch.drop_column(name)
