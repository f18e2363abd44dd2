"""The activation KPIs an MSP tracks, per project and across projects.

Activation issues (open / closed), client adoption rate of service procedures, client satisfaction with the
activation, and on-time activation (actual go-live on or before the target date).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit_report import reconcile
from app.projects import get_project, list_projects
from models import ActionItem, ActionStatus, ActivationCall, Asset

DONE_STATES = (ActionStatus.DONE, ActionStatus.CANCELLED)


@dataclass(frozen=True)
class ProjectKpis:
    project_id: str
    project_code: str
    assets: int
    assets_needing_attention: int
    activation_issues_open: int
    activation_issues_closed: int
    action_items_open: int
    action_items_closed: int
    #: Share (0..1) of service procedures the client adopted, from the latest go-live call that recorded it.
    adoption_rate: float | None
    #: Client satisfaction 1..5 from the latest go-live call that recorded it.
    satisfaction: int | None
    target_go_live: date | None
    actual_go_live: date | None
    #: True/False once live; None while not live yet.
    on_time: bool | None
    #: Days late (negative: early); None while not live or without a target.
    days_late: int | None
    #: The onsite audit: assets on the client's list, those seen or explained, and those found but not listed.
    audit_expected: int = 0
    audit_done: int = 0
    audit_found: int = 0

    @property
    def audit_progress(self) -> float | None:
        """Share (0..1) of the listed assets seen or explained; None without a client's list."""
        return self.audit_done / self.audit_expected if self.audit_expected else None


@dataclass(frozen=True)
class PortfolioKpis:
    projects: int
    live_projects: int
    on_time_rate: float | None
    average_satisfaction: float | None
    average_adoption_rate: float | None
    activation_issues_open: int
    activation_issues_closed: int
    per_project: tuple[ProjectKpis, ...]

    @property
    def audit_progress(self) -> float | None:
        expected = sum(k.audit_expected for k in self.per_project)
        return sum(k.audit_done for k in self.per_project) / expected if expected else None


def project_kpis(session: Session, project_id: str) -> ProjectKpis:
    project = get_project(session, project_id)
    assets, attention = session.execute(
        select(func.count(), func.count().filter(Asset.needs_attention.is_(True)))
        .select_from(Asset)
        .where(Asset.project_id == project_id, Asset.deleted_at.is_(None))
    ).one()
    counts: dict[tuple[bool, bool], int] = {}
    for is_issue, status, n in session.execute(
        select(ActionItem.is_issue, ActionItem.status, func.count())
        .where(ActionItem.project_id == project_id, ActionItem.deleted_at.is_(None))
        .group_by(ActionItem.is_issue, ActionItem.status)
    ).all():
        key = (bool(is_issue), status in DONE_STATES)
        counts[key] = counts.get(key, 0) + int(n)

    def count(is_issue: bool, closed: bool) -> int:
        return sum(n for (i, c), n in counts.items() if i == is_issue and c == closed)

    calls = list(
        session.scalars(
            select(ActivationCall)
            .where(ActivationCall.project_id == project_id, ActivationCall.deleted_at.is_(None))
            .order_by(ActivationCall.held_at.desc().nulls_last(), ActivationCall.created_at.desc())
        )
    )
    audit = reconcile(session, project_id)
    adoption = next((c.adoption_rate for c in calls if c.adoption_rate is not None), None)
    satisfaction = next((c.satisfaction for c in calls if c.satisfaction is not None), None)
    on_time: bool | None = None
    days_late: int | None = None
    if project.actual_go_live is not None and project.target_go_live is not None:
        days_late = (project.actual_go_live - project.target_go_live).days
        on_time = days_late <= 0
    return ProjectKpis(
        project_id=project.id,
        project_code=project.code,
        assets=int(assets),
        assets_needing_attention=int(attention),
        activation_issues_open=count(True, False),
        activation_issues_closed=count(True, True),
        action_items_open=count(False, False) + count(True, False),
        action_items_closed=count(False, True) + count(True, True),
        adoption_rate=adoption,
        satisfaction=satisfaction,
        target_go_live=project.target_go_live,
        actual_go_live=project.actual_go_live,
        on_time=on_time,
        days_late=days_late,
        audit_expected=audit.total.expected,
        audit_done=audit.total.done,
        audit_found=audit.total.found,
    )


def portfolio_kpis(session: Session, project_ids: Sequence[str] | None = None) -> PortfolioKpis:
    ids = list(project_ids) if project_ids is not None else [p.id for p in list_projects(session)]
    per = tuple(project_kpis(session, pid) for pid in ids)
    live = [k for k in per if k.on_time is not None]
    sats = [k.satisfaction for k in per if k.satisfaction is not None]
    adoption = [k.adoption_rate for k in per if k.adoption_rate is not None]
    return PortfolioKpis(
        projects=len(per),
        live_projects=len(live),
        on_time_rate=(sum(1 for k in live if k.on_time) / len(live)) if live else None,
        average_satisfaction=(sum(sats) / len(sats)) if sats else None,
        average_adoption_rate=(sum(adoption) / len(adoption)) if adoption else None,
        activation_issues_open=sum(k.activation_issues_open for k in per),
        activation_issues_closed=sum(k.activation_issues_closed for k in per),
        per_project=per,
    )


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def describe_project(k: ProjectKpis) -> list[tuple[str, str]]:
    """The project's KPIs as (label, value) in words, for the command line, the dashboard and the PDFs."""
    if k.on_time is None:
        on_time = "Not live yet" if k.actual_go_live is None else "No target date"
    else:
        on_time = "On time" if k.on_time else f"{k.days_late} days late"
        if k.on_time and k.days_late:
            on_time = f"{-k.days_late} days early"
    return [
        ("Assets", str(k.assets)),
        ("Assets needing attention", str(k.assets_needing_attention)),
        ("Activation issues open", str(k.activation_issues_open)),
        ("Activation issues closed", str(k.activation_issues_closed)),
        ("Action items open", str(k.action_items_open)),
        ("Action items closed", str(k.action_items_closed)),
        ("Adoption rate", _percent(k.adoption_rate)),
        ("Client satisfaction", "—" if k.satisfaction is None else f"{k.satisfaction} / 5"),
        ("Target go-live", k.target_go_live.isoformat() if k.target_go_live else "—"),
        ("Actual go-live", k.actual_go_live.isoformat() if k.actual_go_live else "—"),
        ("On-time activation", on_time),
        ("Onsite audit", _audit_words(k.audit_done, k.audit_expected, k.audit_progress)),
    ]


def _audit_words(done: int, expected: int, progress: float | None) -> str:
    if progress is None:
        return "No client list imported"
    return f"{done} of {expected} listed assets seen or explained ({_percent(progress)})"


def describe_portfolio(p: PortfolioKpis) -> list[tuple[str, str]]:
    """Figures across projects as (label, value) in words."""
    return [
        ("Projects", str(p.projects)),
        ("Live projects", str(p.live_projects)),
        ("On-time activation rate", _percent(p.on_time_rate)),
        ("Average client satisfaction", "—" if p.average_satisfaction is None else f"{p.average_satisfaction:.1f} / 5"),
        ("Average adoption rate", _percent(p.average_adoption_rate)),
        ("Activation issues open", str(p.activation_issues_open)),
        ("Activation issues closed", str(p.activation_issues_closed)),
        (
            "Onsite audit",
            _audit_words(
                sum(k.audit_done for k in p.per_project), sum(k.audit_expected for k in p.per_project), p.audit_progress
            ),
        ),
    ]
