"""The Summary sheet's figures: assets by category, site and status, how many are tagged, the activation KPIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.inventory_export import Column, ColumnKind, Scope
from app.kpis import ProjectKpis, portfolio_kpis
from app.projects import get_project
from models import Asset, AssetStatus, Category, Client, Site


@dataclass(frozen=True)
class Section:
    title: str
    columns: list[Column]
    rows: list[list[Any]]


@dataclass
class Summary:
    facts: list[tuple[str, Any]]
    sections: list[Section] = field(default_factory=list)


def _percent(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def _kpi_row(k: ProjectKpis) -> list[Any]:
    return [
        k.project_code,
        k.assets,
        k.assets_needing_attention,
        k.activation_issues_open,
        k.activation_issues_closed,
        k.action_items_open,
        _percent(k.adoption_rate),
        k.satisfaction,
        k.target_go_live,
        k.actual_go_live,
        _yes_no(k.on_time),
        k.days_late,
    ]


KPI_COLUMNS = [
    Column("project", "Project", width=14),
    Column("assets", "Assets tagged", ColumnKind.NUMBER),
    Column("attention", "Need attention", ColumnKind.NUMBER),
    Column("issues_open", "Activation issues open", ColumnKind.NUMBER),
    Column("issues_closed", "Activation issues closed", ColumnKind.NUMBER),
    Column("actions_open", "Action items open", ColumnKind.NUMBER),
    Column("adoption", "Adoption of procedures", ColumnKind.NUMBER),
    Column("satisfaction", "Satisfaction (1-5)", ColumnKind.NUMBER),
    Column("target", "Target go-live", ColumnKind.DATE),
    Column("actual", "Actual go-live", ColumnKind.DATE),
    Column("on_time", "On time"),
    Column("days_late", "Days late", ColumnKind.NUMBER),
]


def _counts(session: Session, scope: Scope, column: Any, join: Any = None) -> list[list[Any]]:
    query = select(column, func.count(), func.count().filter(Asset.managed.is_(True))).select_from(Asset)
    if join is not None:
        query = query.outerjoin(*join)
    query = query.where(Asset.project_id.in_(scope.project_ids), Asset.deleted_at.is_(None))
    rows = session.execute(query.group_by(column).order_by(func.count().desc())).all()
    return [[name if name is not None else "(none)", int(n), int(m)] for name, n, m in rows]


def build_summary(session: Session, scope: Scope, *, exported_on: date) -> Summary:
    """Facts and small tables for the Summary sheet of a workbook covering `scope`."""
    kpis = portfolio_kpis(session, scope.project_ids)
    total = sum(k.assets for k in kpis.per_project)
    facts: list[tuple[str, Any]] = [("Client", scope.client_names)]
    if scope.several:
        facts.append(("Projects", len(scope.project_ids)))
    else:
        project = get_project(session, scope.project_ids[0])
        client = session.get(Client, project.client_id)
        facts += [
            ("Project", f"{project.code} — {project.name}"),
            ("Project status", project.status.label),
            ("Tag prefix", client.tag_prefix if client else ""),
        ]
    facts += [
        ("Exported on", exported_on),
        ("Assets tagged so far", total),
        ("Assets needing attention", sum(k.assets_needing_attention for k in kpis.per_project)),
        ("Activation issues open", kpis.activation_issues_open),
        ("Activation issues closed", kpis.activation_issues_closed),
    ]
    if scope.several:
        facts += [
            ("Projects live", kpis.live_projects),
            ("On-time activation rate", _percent(kpis.on_time_rate)),
            ("Average satisfaction (1-5)", kpis.average_satisfaction),
            ("Average adoption of procedures", _percent(kpis.average_adoption_rate)),
        ]
    count_columns = [Column("assets", "Assets", ColumnKind.NUMBER), Column("managed", "Managed", ColumnKind.NUMBER)]
    statuses = _counts(session, scope, Asset.status)
    for row in statuses:
        row[0] = AssetStatus(row[0]).label if row[0] != "(none)" else row[0]
    sections = [
        Section(
            "Assets by category",
            [Column("category", "Category", width=24), *count_columns],
            _counts(session, scope, Category.name, (Category, Category.id == Asset.category_id)),
        ),
        Section(
            "Assets by site",
            [Column("site", "Site", width=24), *count_columns],
            _counts(session, scope, Site.name, (Site, Site.id == Asset.site_id)),
        ),
        Section("Assets by status", [Column("status", "Status", width=24), *count_columns], statuses),
        Section("Activation KPIs", KPI_COLUMNS, [_kpi_row(k) for k in kpis.per_project]),
    ]
    return Summary(facts, sections)
