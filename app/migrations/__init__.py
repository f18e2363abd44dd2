"""Alembic migrations of the workspace schema; SCHEMA_HEAD lets a current workspace open without loading them."""

from __future__ import annotations

#: The newest revision; a test keeps it equal to the migration scripts' head.
SCHEMA_HEAD = "0009_deferred_search"
