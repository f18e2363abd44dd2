"""Alembic environment for a workspace: always run on the connection that Closeout hands over."""

from __future__ import annotations

from alembic import context

from models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("workspace migrations run through app.db.open_workspace, which supplies the connection")

context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
