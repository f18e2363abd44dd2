"""Asset categories and the configuration fields each one carries."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SyncedEntity
from models.enums import FieldType


class Category(SyncedEntity):
    __tablename__ = "categories"
    entity_name = "category"

    code: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(120))
    icon: Mapped[str] = mapped_column(String(60), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")


class FieldDefinition(SyncedEntity):
    __tablename__ = "field_definitions"
    entity_name = "field_definition"

    category_id: Mapped[str] = mapped_column(ForeignKey("categories.id"), index=True)
    #: Stable key under which an asset keeps the value, e.g. "rack_units".
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(120))
    type: Mapped[FieldType] = mapped_column(
        Enum(FieldType, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    help_text: Mapped[str] = mapped_column(Text, default="")
