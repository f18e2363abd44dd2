"""The service activation (go-live) call: services marked live, entry conditions, satisfaction, action items."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFoundError, ValidationError
from app.journal import record_create, record_update
from app.projects import ensure_open, get_project
from models import ActionItem, ActionStatus, ActivationCall, ActivationProject, ProjectStatus, utcnow

#: The entry conditions of a go-live call, in the client's words.
ENTRY_CONDITIONS: dict[str, str] = {
    "service_desk_live": "Service desk live",
    "all_services_activated": "All managed services activated",
    "asset_policy_documented": "Asset-management policy documented",
}
DONE_STATES = (ActionStatus.DONE, ActionStatus.CANCELLED)


def get_call(session: Session, project_id: str) -> ActivationCall | None:
    return session.scalar(
        select(ActivationCall)
        .where(ActivationCall.project_id == project_id, ActivationCall.deleted_at.is_(None))
        .order_by(ActivationCall.created_at)
    )


def services_of(project: ActivationProject, call: ActivationCall | None) -> dict[str, bool]:
    """Each service in the project's scope and whether the call marked it live."""
    live = (call.services_live if call else None) or {}
    return {service: bool(live.get(service, False)) for service in project.services_in_scope or []}


def followed_conditions(services: dict[str, bool]) -> dict[str, bool]:
    """The entry conditions that are facts about the services marked live, so nobody ticks them by hand: every
    managed service activated (when any is in scope), and the service desk live (when one is in scope)."""
    followed: dict[str, bool] = {}
    if services:
        followed["all_services_activated"] = all(services.values())
    desks = [live for name, live in services.items() if "service desk" in name.lower()]
    if desks:
        followed["service_desk_live"] = all(desks)
    return followed


def entry_conditions_of(project: ActivationProject, call: ActivationCall | None) -> dict[str, bool]:
    """Each entry condition and whether it is met: the followed ones as the services say, the others as ticked."""
    stored = (call.entry_conditions if call else None) or {}
    conditions = {key: bool(stored.get(key)) for key in ENTRY_CONDITIONS}
    return conditions | followed_conditions(services_of(project, call))


def call_facts(project: ActivationProject, call: ActivationCall | None) -> dict[str, Any]:
    """What the go-live call recorded, as the signoff signs it and the PDFs print it (empty when none is held)."""
    conditions = entry_conditions_of(project, call)
    return {
        "scheduled_at": call.scheduled_at if call else None,
        "held_at": call.held_at if call else None,
        "msp_attendees": list(call.msp_attendees or []) if call else [],
        "client_attendees": list(call.client_attendees or []) if call else [],
        "entry_conditions": {label: conditions[key] for key, label in ENTRY_CONDITIONS.items()},
        "satisfaction": call.satisfaction if call else None,
        "satisfaction_comment": call.satisfaction_comment if call else "",
        "adoption_rate": call.adoption_rate if call else None,
    }


def ensure_call(session: Session, project_id: str, *, actor: str) -> ActivationCall:
    call = get_call(session, project_id)
    if call is not None:
        return call
    project = get_project(session, project_id)
    ensure_open(project)
    call = ActivationCall(
        project_id=project_id,
        services_live={s: False for s in project.services_in_scope or []},
        entry_conditions={k: False for k in ENTRY_CONDITIONS},
    )
    record_create(session, call, actor)
    return call


def _writable(session: Session, project_id: str, actor: str) -> tuple[ActivationProject, ActivationCall]:
    project = get_project(session, project_id)
    ensure_open(project)
    return project, ensure_call(session, project_id, actor=actor)


def schedule_call(session: Session, project_id: str, *, when: datetime, actor: str) -> ActivationCall:
    _, call = _writable(session, project_id, actor)
    record_update(session, call, {"scheduled_at": when}, actor)
    return call


def hold_call(
    session: Session, project_id: str, *, held_at: datetime | None = None, notes: str | None = None, actor: str
) -> ActivationCall:
    """Record that the go-live call took place (now, unless told when)."""
    _, call = _writable(session, project_id, actor)
    values: dict[str, Any] = {"held_at": held_at or utcnow()}
    if notes is not None:
        values["notes"] = notes
    record_update(session, call, values, actor)
    return call


def set_attendees(
    session: Session,
    project_id: str,
    *,
    msp: Sequence[str] | None = None,
    client: Sequence[str] | None = None,
    actor: str,
) -> ActivationCall:
    _, call = _writable(session, project_id, actor)
    values: dict[str, Any] = {}
    if msp is not None:
        values["msp_attendees"] = [n.strip() for n in msp if n.strip()]
    if client is not None:
        values["client_attendees"] = [n.strip() for n in client if n.strip()]
    record_update(session, call, values, actor)
    return call


def _service_name(project: ActivationProject, ref: str) -> str:
    wanted = ref.strip().lower()
    for service in project.services_in_scope or []:
        if service.lower() == wanted:
            return service
    matches = [s for s in project.services_in_scope or [] if s.lower().startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    scope = ", ".join(project.services_in_scope or []) or "none"
    raise NotFoundError(f"“{ref}” is not a service in scope of {project.code} (in scope: {scope}).")


def mark_live(
    session: Session, project_id: str, service: str, *, live: bool = True, on: date | None = None, actor: str
) -> ActivationCall:
    """Mark one service in scope live (or not). Once every service is live the project goes live. The entry
    conditions that follow the services are written in the same change, so every device and PDF agrees."""
    project, call = _writable(session, project_id, actor)
    name = _service_name(project, service)
    services = copy.deepcopy(call.services_live or {})
    services[name] = live
    conditions = copy.deepcopy(call.entry_conditions or {})
    conditions.update(followed_conditions({s: bool(services.get(s)) for s in project.services_in_scope or []}))
    record_update(session, call, {"services_live": services, "entry_conditions": conditions}, actor)
    all_live = all(services_of(project, call).values()) and bool(project.services_in_scope)
    if all_live and project.status == ProjectStatus.OPEN:
        go_live = on or (call.held_at.date() if call.held_at else date.today())
        record_update(session, project, {"status": ProjectStatus.LIVE, "actual_go_live": go_live}, actor)
    elif not all_live and project.status == ProjectStatus.LIVE:
        record_update(session, project, {"status": ProjectStatus.OPEN, "actual_go_live": None}, actor)
    return call


def set_entry_condition(session: Session, project_id: str, key: str, met: bool, *, actor: str) -> ActivationCall:
    if key not in ENTRY_CONDITIONS:
        known = ", ".join(ENTRY_CONDITIONS)
        raise ValidationError({"entry_conditions": f"“{key}” is not an entry condition (known: {known})."})
    project, call = _writable(session, project_id, actor)
    followed = followed_conditions(services_of(project, call))
    if key in followed and followed[key] != met:
        waiting = ", ".join(name for name, live in services_of(project, call).items() if not live)
        why = f"not live yet: {waiting}" if waiting else "every service is marked live"
        raise ValidationError(
            {"entry_conditions": f"“{ENTRY_CONDITIONS[key]}” follows the services marked live ({why}); "
             "mark the services live or not live instead."}
        )  # fmt: skip
    conditions = copy.deepcopy(call.entry_conditions or {})
    conditions[key] = met
    record_update(session, call, {"entry_conditions": conditions}, actor)
    return call


def set_satisfaction(
    session: Session, project_id: str, score: int, comment: str | None = None, *, actor: str
) -> ActivationCall:
    if not 1 <= int(score) <= 5:
        raise ValidationError({"satisfaction": "Client satisfaction is a score from 1 (poor) to 5 (excellent)."})
    _, call = _writable(session, project_id, actor)
    values: dict[str, Any] = {"satisfaction": int(score)}
    if comment is not None:
        values["satisfaction_comment"] = comment
    record_update(session, call, values, actor)
    return call


def set_adoption(session: Session, project_id: str, rate: float, *, actor: str) -> ActivationCall:
    """Share of the service procedures the client adopted: 0..1, or a percentage above 1."""
    value = float(rate)
    if value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise ValidationError({"adoption_rate": "Adoption is a share between 0 and 100 %."})
    _, call = _writable(session, project_id, actor)
    record_update(session, call, {"adoption_rate": round(value, 4)}, actor)
    return call


def list_actions(session: Session, project_id: str, *, open_only: bool = False) -> list[ActionItem]:
    query = select(ActionItem).where(ActionItem.project_id == project_id, ActionItem.deleted_at.is_(None))
    if open_only:
        query = query.where(ActionItem.status.not_in(DONE_STATES))
    return list(session.scalars(query.order_by(ActionItem.due_date.nulls_last(), ActionItem.created_at)))


#: Longest action item texts: a title is read in a table cell of the signoff, an owner is a name.
ACTION_TEXT_LIMITS = {"title": 500, "owner": 120, "description": 4000}


def _length_problems(values: dict[str, str]) -> dict[str, str]:
    return {
        name: f"The {name} of an action item has at most {ACTION_TEXT_LIMITS[name]:,} characters."
        for name, text in values.items()
        if len(text.strip()) > ACTION_TEXT_LIMITS[name]
    }


def add_action(
    session: Session,
    project_id: str,
    *,
    title: str,
    owner: str,
    due: date | None = None,
    description: str = "",
    is_issue: bool = False,
    actor: str,
) -> ActionItem:
    """A post-live action item; every item has an owner."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "An action item needs a title."
    if not owner.strip():
        errors["owner"] = "Every action item needs an owner."
    errors.update(_length_problems({"title": title, "owner": owner, "description": description}))
    if errors:
        raise ValidationError(errors)
    _, call = _writable(session, project_id, actor)
    item = ActionItem(
        project_id=project_id,
        call_id=call.id,
        title=title.strip(),
        owner=owner.strip(),
        due_date=due,
        description=description,
        is_issue=is_issue,
        status=ActionStatus.OPEN,
    )
    record_create(session, item, actor)
    return item


def find_action(session: Session, project_id: str, ref: str) -> ActionItem:
    """An action item by id, id prefix (as the CLI shows it) or exact title."""
    wanted = ref.strip().lower()
    items = list_actions(session, project_id)
    exact = [i for i in items if wanted in (i.id, i.title.lower())]
    if exact:
        return exact[0]
    prefixed = [i for i in items if i.id.endswith(wanted) or i.id.startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    raise NotFoundError(f"There is no action item “{ref}” in this project.")


def set_action_status(
    session: Session, project_id: str, ref: str, status: ActionStatus | str, *, actor: str
) -> ActionItem:
    ensure_open(get_project(session, project_id))
    item = find_action(session, project_id, ref)
    new = ActionStatus(status)
    values: dict[str, Any] = {"status": new, "closed_at": utcnow() if new in DONE_STATES else None}
    record_update(session, item, values, actor)
    return item


def update_action(session: Session, project_id: str, ref: str, values: dict[str, Any], *, actor: str) -> ActionItem:
    allowed = {"title", "owner", "due_date", "description", "is_issue"}
    bad = [k for k in values if k not in allowed]
    if bad:
        raise ValidationError({k: f"“{k}” cannot be edited on an action item." for k in bad})
    if "owner" in values and not str(values["owner"]).strip():
        raise ValidationError({"owner": "Every action item needs an owner."})
    problems = _length_problems({k: str(v) for k, v in values.items() if k in ACTION_TEXT_LIMITS and v is not None})
    if problems:
        raise ValidationError(problems)
    ensure_open(get_project(session, project_id))
    item = find_action(session, project_id, ref)
    record_update(session, item, values, actor)
    return item
