"""The closeout after capture: NOC knowledge transfer, the go-live call, its action items and the signoff."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Enum, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SyncedEntity
from models.enums import ActionStatus, SignoffMethod, SignoffStatus


class KnowledgeTransferSession(SyncedEntity):
    """A briefing of the NOC and sysadmins on the client, its managed scope and its own procedures."""

    __tablename__ = "knowledge_transfers"
    entity_name = "knowledge_transfer"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(default=None)
    held_at: Mapped[datetime | None] = mapped_column(default=None)
    presenter: Mapped[str] = mapped_column(String(200), default="")
    #: [{"name", "role", "acknowledged_at"}]: NOC staff and sysadmins who attended.
    attendees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: [{"key", "title", "covered", "notes"}] from the MSP's editable template.
    topics: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")
    #: The client's own policies and procedures that the NOC must follow.
    policies: Mapped[str] = mapped_column(Text, default="")
    maintenance_windows: Mapped[str] = mapped_column(Text, default="")


class ActivationCall(SyncedEntity):
    """The service activation (go-live) call in which the client confirms the service is live."""

    __tablename__ = "activation_calls"
    entity_name = "activation_call"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(default=None)
    held_at: Mapped[datetime | None] = mapped_column(default=None)
    msp_attendees: Mapped[list[str]] = mapped_column(JSON, default=list)
    client_attendees: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: {"Service desk": true, "Patch management": false}: each service in scope and whether it is live.
    services_live: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: {"service_desk_live": bool, "all_services_activated": bool, "asset_policy_documented": bool}
    entry_conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    satisfaction: Mapped[int | None] = mapped_column(Integer, default=None)
    satisfaction_comment: Mapped[str] = mapped_column(Text, default="")
    #: Share (0..1) of the service procedures the client has adopted.
    adoption_rate: Mapped[float | None] = mapped_column(Float, default=None)
    notes: Mapped[str] = mapped_column(Text, default="")


class ActionItem(SyncedEntity):
    """A post-live action item (or activation issue) with an owner and a due date."""

    __tablename__ = "action_items"
    entity_name = "action_item"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    call_id: Mapped[str | None] = mapped_column(ForeignKey("activation_calls.id"), default=None)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[ActionStatus] = mapped_column(
        Enum(ActionStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=ActionStatus.OPEN,
    )
    #: An activation issue counts toward the "activation issues" KPI; other items are follow-ups.
    is_issue: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class Signoff(SyncedEntity):
    """One version of the client's go-live signoff; once signed it is immutable and only superseded."""

    __tablename__ = "signoffs"
    entity_name = "signoff"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    call_id: Mapped[str | None] = mapped_column(ForeignKey("activation_calls.id"), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[SignoffStatus] = mapped_column(
        Enum(SignoffStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=SignoffStatus.DRAFT,
    )
    method: Mapped[SignoffMethod | None] = mapped_column(
        Enum(SignoffMethod, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=None,
    )
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    #: SHA-256 of the signature image (on screen) or of the scanned paper form.
    signature_sha256: Mapped[str] = mapped_column(String(64), default="")
    #: The exact content that was signed, as canonical JSON, and its SHA-256.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    content_sha256: Mapped[str] = mapped_column(String(64), default="")
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("signoffs.id"), default=None)
    valid_date: Mapped[date | None] = mapped_column(Date, default=None)


class ChecklistTemplate(SyncedEntity):
    """An MSP-editable list, e.g. the knowledge-transfer topics: [{"key", "title", "hint"}]."""

    __tablename__ = "checklist_templates"
    entity_name = "checklist_template"

    kind: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
