"""Alembic environment of the server: runs on the connection handed over by server.db.upgrade_head."""

from __future__ import annotations

from alembic import context

from server.models import ServerBase

target_metadata = ServerBase.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("server migrations run through server.db.upgrade_head, which supplies the connection")

context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
