"""Closing a project: the exit conditions, what is still missing in words, and the read-only lock."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit_report import audit_unseen
from app.errors import ValidationError
from app.golive import DONE_STATES, get_call, services_of
from app.journal import record_update
from app.projects import ensure_open, get_project
from models import ActionItem, ActivationProject, Asset, ProjectStatus, utcnow


@dataclass(frozen=True)
class ExitCondition:
    key: str
    label: str
    met: bool
    #: What is missing, in words; empty when met.
    missing: str = ""


@dataclass(frozen=True)
class ClosureReport:
    project_code: str
    conditions: tuple[ExitCondition, ...]

    @property
    def ready(self) -> bool:
        return all(c.met for c in self.conditions)

    @property
    def missing(self) -> list[str]:
        return [c.missing for c in self.conditions if not c.met]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def closure_report(session: Session, project_id: str) -> ClosureReport:
    """Check the exit conditions: asset capture complete, go-live call held, every service live, actions done."""
    project = get_project(session, project_id)
    total, attention = session.execute(
        select(func.count(), func.count().filter(Asset.needs_attention.is_(True)))
        .select_from(Asset)
        .where(Asset.project_id == project_id, Asset.deleted_at.is_(None))
    ).one()
    if not total:
        capture = ExitCondition("assets", "Asset capture complete", False, "No assets have been captured yet.")
    elif attention:
        capture = ExitCondition(
            "assets",
            "Asset capture complete",
            False,
            f"{_plural(int(attention), 'asset')} of {total} still need attention "
            "(missing fields or duplicate tags or serials).",
        )
    elif unseen := audit_unseen(session, project_id):
        capture = ExitCondition("assets", "Asset capture complete", False, unseen)
    else:
        capture = ExitCondition("assets", "Asset capture complete", True)

    call = get_call(session, project_id)
    if call is None or call.held_at is None:
        held = ExitCondition("call", "Go-live call held", False, "The go-live call has not been held yet.")
    else:
        held = ExitCondition("call", "Go-live call held", True)

    services = services_of(project, call)
    not_live = [name for name, live in services.items() if not live]
    if not services:
        live = ExitCondition("services", "Live on all services in scope", False, "No services are in scope.")
    elif not_live:
        live = ExitCondition(
            "services", "Live on all services in scope", False, "Not live yet: " + ", ".join(not_live) + "."
        )
    else:
        live = ExitCondition("services", "Live on all services in scope", True)

    open_items = list(
        session.scalars(
            select(ActionItem)
            .where(
                ActionItem.project_id == project_id,
                ActionItem.deleted_at.is_(None),
                ActionItem.status.not_in(DONE_STATES),
            )
            .order_by(ActionItem.due_date.nulls_last(), ActionItem.created_at)
        )
    )
    if open_items:
        shown = "; ".join(f"{a.title} ({a.owner or 'no owner'})" for a in open_items[:5])
        more = f" and {len(open_items) - 5} more" if len(open_items) > 5 else ""
        actions = ExitCondition(
            "actions",
            "All post-live action items done",
            False,
            f"{_plural(len(open_items), 'action item')} still open: {shown}{more}.",
        )
    else:
        actions = ExitCondition("actions", "All post-live action items done", True)
    return ClosureReport(project.code, (capture, held, live, actions))


def close_project(session: Session, project_id: str, *, actor: str) -> ActivationProject:
    """Close the project when every exit condition is met; otherwise say what is missing. Closed is read-only."""
    project = get_project(session, project_id)
    ensure_open(project)
    report = closure_report(session, project_id)
    if not report.ready:
        raise ValidationError({c.key: c.missing for c in report.conditions if not c.met})
    record_update(session, project, {"status": ProjectStatus.CLOSED, "closed_at": utcnow()}, actor)
    return project
