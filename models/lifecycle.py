"""Lifecycle rules of the shared catalog: how long a category (or one model of it) lasts and what replacing it costs."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SyncedEntity


class LifecycleRule(SyncedEntity):
    """A category's rule (empty `model`) or a model's override of it; an empty value falls back to the next level
    (model → category → the shipped default of the category's code)."""

    __tablename__ = "lifecycle_rules"
    __table_args__ = (Index("ix_lifecycle_rules_category", "category_id", "model"),)
    entity_name = "lifecycle_rule"

    category_id: Mapped[str] = mapped_column(ForeignKey("categories.id"))
    #: The asset's model name or model number this rule overrides the category for ("" = the whole category).
    model: Mapped[str] = mapped_column(String(160), default="")
    expected_life_years: Mapped[int | None] = mapped_column(Integer, default=None)
    #: A whole number of cents, so the estimate stays exact through SQLite, JSON and the server (never a float).
    replacement_cost_cents: Mapped[int | None] = mapped_column(Integer, default=None)
    #: ISO 4217 code of the cost; "" = in the currency of whichever client the report is for.
    currency: Mapped[str] = mapped_column(String(3), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
