"""fields of a client's own asset list: previous tag (indexed), model number, purchase cost and currency, supplier,
order number; import profiles remember each client's value mapping

Revision ID: 0006_client_list_fields
Revises: 0005_inner_search
Create Date: 2026-12-01 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_client_list_fields"
down_revision = "0005_inner_search"
branch_labels = None
depends_on = None

_TEXT = (("previous_tag", 64), ("model_number", 120), ("currency", 3), ("supplier", 160), ("order_number", 120))


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        for name, length in _TEXT:
            batch.add_column(sa.Column(name, sa.String(length), nullable=False, server_default=""))
        batch.add_column(sa.Column("purchase_cost", sa.Float(), nullable=True))
        batch.create_index("ix_assets_client_previous_tag", ["client_id", "previous_tag"])
    with op.batch_alter_table("import_profiles") as batch:
        batch.add_column(sa.Column("choices", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("import_profiles") as batch:
        batch.drop_column("choices")
    with op.batch_alter_table("assets") as batch:
        batch.drop_index("ix_assets_client_previous_tag")
        batch.drop_column("purchase_cost")
        for name, _length in reversed(_TEXT):
            batch.drop_column(name)
