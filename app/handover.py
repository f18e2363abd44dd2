"""Knowledge transfer to the NOC: the session, its attendees' acknowledgements and the editable topic checklist."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFoundError, ValidationError
from app.journal import record_create, record_update
from app.projects import ensure_open, get_project
from models import (
    Asset,
    AssetStatus,
    Category,
    ChecklistTemplate,
    KnowledgeTransferSession,
    Location,
    Site,
    utcnow,
)

KT_TEMPLATE_KIND = "kt_topics"
#: The topics every NOC briefing covers unless the MSP edits its template.
DEFAULT_KT_TOPICS: tuple[dict[str, str], ...] = (
    {"key": "overview", "title": "Client overview", "hint": "Who the client is, what they do, how they work."},
    {"key": "scope", "title": "Scope of managed systems", "hint": "Services in scope and the managed assets."},
    {"key": "critical", "title": "Critical assets", "hint": "Systems whose outage stops the client's business."},
    {"key": "policies", "title": "Client policies and procedures", "hint": "Rules the NOC must follow here."},
    {"key": "escalation", "title": "Escalation contacts", "hint": "Who to call, in which order."},
    {"key": "maintenance", "title": "Maintenance windows", "hint": "When changes and patching are allowed."},
)
#: Free-text fields of a session a person may edit.
KT_TEXT_FIELDS = ("presenter", "notes", "questions", "policies", "maintenance_windows")


def kt_template(session: Session) -> list[dict[str, str]]:
    """The MSP's knowledge-transfer topics: its edited template, else the defaults."""
    row = _template_row(session)
    if row is not None and row.items:
        return [dict(item) for item in row.items]
    return [dict(item) for item in DEFAULT_KT_TOPICS]


def _template_row(session: Session) -> ChecklistTemplate | None:
    return session.scalar(
        select(ChecklistTemplate)
        .where(ChecklistTemplate.kind == KT_TEMPLATE_KIND, ChecklistTemplate.deleted_at.is_(None))
        .order_by(ChecklistTemplate.created_at)
    )


def save_kt_template(session: Session, items: Sequence[Mapping[str, str]], *, actor: str) -> ChecklistTemplate:
    """Replace the MSP's topic template; each item needs a title (the key is made from it when absent)."""
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in items:
        title = str(item.get("title", "")).strip()
        if not title:
            continue
        key = str(item.get("key") or "").strip() or "_".join(title.lower().split())[:40]
        if key in seen:
            raise ValidationError({"items": f"Two topics share the key “{key}”."})
        seen.add(key)
        cleaned.append({"key": key, "title": title, "hint": str(item.get("hint", "")).strip()})
    if not cleaned:
        raise ValidationError({"items": "A knowledge-transfer template needs at least one topic."})
    row = _template_row(session)
    if row is None:
        row = ChecklistTemplate(kind=KT_TEMPLATE_KIND, name="Knowledge-transfer topics", items=cleaned)
        record_create(session, row, actor)
    else:
        record_update(session, row, {"items": cleaned}, actor)
    return row


def get_kt(session: Session, project_id: str) -> KnowledgeTransferSession | None:
    """The project's knowledge-transfer session (the earliest one if several were made offline)."""
    return session.scalar(
        select(KnowledgeTransferSession)
        .where(KnowledgeTransferSession.project_id == project_id, KnowledgeTransferSession.deleted_at.is_(None))
        .order_by(KnowledgeTransferSession.created_at)
    )


def ensure_kt(session: Session, project_id: str, *, actor: str) -> KnowledgeTransferSession:
    """The project's session, created from the MSP's topic template on first use."""
    kt = get_kt(session, project_id)
    if kt is not None:
        return kt
    ensure_open(get_project(session, project_id))
    topics = [{"key": t["key"], "title": t["title"], "covered": False, "notes": ""} for t in kt_template(session)]
    kt = KnowledgeTransferSession(project_id=project_id, topics=topics, attendees=[])
    record_create(session, kt, actor)
    return kt


def _writable(session: Session, project_id: str, actor: str) -> KnowledgeTransferSession:
    ensure_open(get_project(session, project_id))
    return ensure_kt(session, project_id, actor=actor)


def schedule_kt(
    session: Session, project_id: str, *, when: datetime, presenter: str | None = None, actor: str
) -> KnowledgeTransferSession:
    kt = _writable(session, project_id, actor)
    values: dict[str, Any] = {"scheduled_at": when}
    if presenter is not None:
        values["presenter"] = presenter.strip()
    record_update(session, kt, values, actor)
    return kt


def hold_kt(
    session: Session, project_id: str, *, held_at: datetime | None = None, presenter: str | None = None, actor: str
) -> KnowledgeTransferSession:
    """Record that the session took place (now, unless told when)."""
    kt = _writable(session, project_id, actor)
    values: dict[str, Any] = {"held_at": held_at or utcnow()}
    if presenter is not None:
        values["presenter"] = presenter.strip()
    if not (values.get("presenter") or kt.presenter):
        raise ValidationError({"presenter": "Name who presented the knowledge transfer."})
    record_update(session, kt, values, actor)
    return kt


def update_kt(session: Session, project_id: str, values: Mapping[str, str], *, actor: str) -> list[str]:
    """Set presenter, notes, questions, policies or maintenance windows."""
    unknown = [k for k in values if k not in KT_TEXT_FIELDS]
    if unknown:
        raise ValidationError({k: f"“{k}” cannot be edited on a knowledge-transfer session." for k in unknown})
    kt = _writable(session, project_id, actor)
    return record_update(session, kt, {k: str(v) for k, v in values.items()}, actor)


def add_attendee(
    session: Session, project_id: str, *, name: str, role: str = "NOC", actor: str
) -> KnowledgeTransferSession:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "An attendee needs a name."})
    kt = _writable(session, project_id, actor)
    attendees = copy.deepcopy(kt.attendees or [])
    if any(a.get("name", "").lower() == name.lower() for a in attendees):
        raise ValidationError({"name": f"{name} is already on the attendee list."})
    attendees.append({"name": name, "role": role.strip(), "acknowledged_at": None})
    record_update(session, kt, {"attendees": attendees}, actor)
    return kt


def remove_attendee(session: Session, project_id: str, *, name: str, actor: str) -> KnowledgeTransferSession:
    kt = _writable(session, project_id, actor)
    attendees = [a for a in copy.deepcopy(kt.attendees or []) if a.get("name", "").lower() != name.strip().lower()]
    record_update(session, kt, {"attendees": attendees}, actor)
    return kt


def acknowledge(
    session: Session, project_id: str, *, name: str, at: datetime | None = None, actor: str
) -> KnowledgeTransferSession:
    """An attendee confirms they were briefed and understood the client's procedures."""
    kt = _writable(session, project_id, actor)
    attendees = copy.deepcopy(kt.attendees or [])
    for attendee in attendees:
        if attendee.get("name", "").lower() == name.strip().lower():
            attendee["acknowledged_at"] = (at or utcnow()).isoformat()
            break
    else:
        raise NotFoundError(f"{name} is not on the knowledge-transfer attendee list.")
    record_update(session, kt, {"attendees": attendees}, actor)
    return kt


def set_topic(
    session: Session,
    project_id: str,
    *,
    key: str,
    covered: bool | None = None,
    notes: str | None = None,
    actor: str,
) -> KnowledgeTransferSession:
    """Tick a topic as covered and/or write notes on it; `key` may be the topic key or its title."""
    kt = _writable(session, project_id, actor)
    topics = copy.deepcopy(kt.topics or [])
    wanted = key.strip().lower()
    for topic in topics:
        if wanted in (str(topic.get("key", "")).lower(), str(topic.get("title", "")).lower()):
            if covered is not None:
                topic["covered"] = covered
            if notes is not None:
                topic["notes"] = notes
            break
    else:
        raise NotFoundError(f"There is no knowledge-transfer topic “{key}”.")
    record_update(session, kt, {"topics": topics}, actor)
    return kt


def kt_progress(kt: KnowledgeTransferSession | None) -> tuple[int, int, int, int]:
    """(topics covered, topics, attendees acknowledged, attendees)."""
    if kt is None:
        return (0, 0, 0, 0)
    topics = kt.topics or []
    attendees = kt.attendees or []
    return (
        sum(1 for t in topics if t.get("covered")),
        len(topics),
        sum(1 for a in attendees if a.get("acknowledged_at")),
        len(attendees),
    )


@dataclass(frozen=True)
class InventorySummary:
    """Counts of a project's live assets for the packet and the NOC brief."""

    total: int
    managed: int
    critical: int
    needing_attention: int
    by_category: list[tuple[str, int, int]]  # (category, assets, managed)
    by_site: list[tuple[str, int]]
    by_status: list[tuple[str, int]]


def inventory_summary(session: Session, project_id: str) -> InventorySummary:
    live = (Asset.project_id == project_id, Asset.deleted_at.is_(None))
    total, managed, critical, attention = session.execute(
        select(
            func.count(),
            func.count().filter(Asset.managed.is_(True)),
            func.count().filter(Asset.critical.is_(True)),
            func.count().filter(Asset.needs_attention.is_(True)),
        ).where(*live)
    ).one()
    by_category = [
        (str(name or "Uncategorised"), int(n), int(m))
        for name, n, m in session.execute(
            select(Category.name, func.count(), func.count().filter(Asset.managed.is_(True)))
            .select_from(Asset)
            .outerjoin(Category, Category.id == Asset.category_id)
            .where(*live)
            .group_by(Category.name)
            .order_by(func.count().desc(), Category.name)
        )
    ]
    by_site = [
        (str(name or "No site"), int(n))
        for name, n in session.execute(
            select(Site.name, func.count())
            .select_from(Asset)
            .outerjoin(Site, Site.id == Asset.site_id)
            .where(*live)
            .group_by(Site.name)
            .order_by(Site.name)
        )
    ]
    by_status = [
        (AssetStatus(status).label, int(n))
        for status, n in session.execute(
            select(Asset.status, func.count()).where(*live).group_by(Asset.status).order_by(func.count().desc())
        )
    ]
    return InventorySummary(int(total), int(managed), int(critical), int(attention), by_category, by_site, by_status)


@dataclass(frozen=True)
class CriticalAsset:
    asset_tag: str
    category: str
    description: str
    hostname: str
    ip_address: str
    site: str
    location: str
    notes: str


def critical_assets(session: Session, project_id: str) -> list[CriticalAsset]:
    """The assets whose outage stops the client, for the NOC: tag, what it is, where it is."""
    rows = session.execute(
        select(
            Asset.asset_tag,
            Category.name,
            Asset.manufacturer,
            Asset.model,
            Asset.hostname,
            Asset.ip_address,
            Site.name,
            Location.path,
            Asset.notes,
        )
        .select_from(Asset)
        .outerjoin(Category, Category.id == Asset.category_id)
        .outerjoin(Site, Site.id == Asset.site_id)
        .outerjoin(Location, Location.id == Asset.location_id)
        .where(Asset.project_id == project_id, Asset.deleted_at.is_(None), Asset.critical.is_(True))
        .order_by(Site.name, Asset.asset_tag)
    )
    return [
        CriticalAsset(tag, cat or "", f"{maker} {model}".strip(), host, ip, site or "", path or "", notes)
        for tag, cat, maker, model, host, ip, site, path, notes in rows
    ]
