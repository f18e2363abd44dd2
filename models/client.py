"""The MSP's customers and the people the MSP deals with there."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SyncedEntity


class Client(SyncedEntity):
    __tablename__ = "clients"
    entity_name = "client"

    code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Asset tags of this client start with this prefix, e.g. "ACME-" in "ACME-000123".
    tag_prefix: Mapped[str] = mapped_column(String(16), default="")
    #: Digits in the number part of a tag; suggestions are zero-padded to this width.
    tag_digits: Mapped[int] = mapped_column(Integer, default=6)
    address: Mapped[str] = mapped_column(Text, default="")
    industry: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Contact(SyncedEntity):
    __tablename__ = "contacts"
    entity_name = "contact"

    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    #: What the contact is for: primary, technical, escalation, billing, site.
    role: Mapped[str] = mapped_column(String(40), default="primary")
    #: 1 is called first when escalating; 0 means not on the escalation list.
    escalation_order: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
