"""Saved column mappings for importing a client's own inventory spreadsheets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SyncedEntity


class ImportProfile(SyncedEntity):
    __tablename__ = "import_profiles"
    entity_name = "import_profile"

    name: Mapped[str] = mapped_column(String(200))
    #: {"Serial Number": "serial", "Tag #": "asset_tag", "Rack U": "custom.rack_units"}
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Per client id, what its values mean and what becomes of its tags:
    #: {"<client id>": {"values": {"status": {"Lost": "missing"}}, "client_tags": "previous"}}
    choices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
