"""Everything a closeout PDF prints, read once through app/ so that building the PDF needs no session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.asset_query import AssetFilter, AssetRow, query_assets
from app.audit_report import AuditRow, Reconciliation, audit_rows, reconcile
from app.db import meta_value
from app.errors import CloseoutError
from app.golive import call_facts, get_call, list_actions, services_of
from app.handover import CriticalAsset, InventorySummary, critical_assets, get_kt, inventory_summary
from app.kpis import ProjectKpis, project_kpis
from app.lifecycle import Forecast, build_forecast
from app.os_support import load_os_support_for
from app.projects import find_project, list_contacts, list_sites, project_technicians
from app.signoff import current_signoff, signature_bytes, signoff_facts, verify_signoff
from models import ActionItem, Client, Contact, Site

DEFAULT_MSP_NAME = "Closeout Managed Services"


@dataclass
class SignoffView:
    """A signed signoff as printed: the signed content, its hash, and the signature image or scan."""

    version: int
    content: dict[str, Any]
    content_sha256: str
    verified: bool
    signer_name: str
    signer_title: str
    signed_at: str
    method: str
    signature: bytes | None
    signature_mime: str
    superseded_versions: int = 0


@dataclass
class ProjectDossier:
    msp_name: str
    client: Client
    project_code: str
    project_name: str
    project_status: str
    description: str
    target_go_live: date | None
    actual_go_live: date | None
    services: dict[str, bool]
    technicians: list[str]
    contacts: list[Contact]
    sites: list[Site]
    inventory: InventorySummary
    critical: list[CriticalAsset]
    kt: dict[str, Any]
    call: dict[str, Any]
    actions: list[ActionItem]
    kpis: ProjectKpis
    facts: dict[str, Any]
    signoff: SignoffView | None
    assets: list[AssetRow] = field(default_factory=list)
    #: The onsite audit (for the packet): counts, and every asset with its state.
    reconciliation: Reconciliation | None = None
    audit: list[AuditRow] = field(default_factory=list)
    #: The replacement forecast (the packet's lifecycle section); None unless the assets were read.
    lifecycle: Forecast | None = None


def load_dossier(
    session: Session,
    project_ref: str,
    blobs_dir: Path,
    *,
    with_assets: bool = False,
    lifecycle_as_of: date | None = None,
) -> ProjectDossier:
    """Read a project's closeout facts (and, for the packet, every asset) into plain objects."""
    project = find_project(session, project_ref)
    client = session.get(Client, project.client_id)
    assert client is not None
    call = get_call(session, project.id)
    kt = get_kt(session, project.id)
    signoff = current_signoff(session, project.id)
    view: SignoffView | None = None
    if signoff is not None:
        try:
            image, mime = signature_bytes(session, blobs_dir, signoff)
        except (CloseoutError, OSError):  # a missing or damaged file must not stop the PDF; the form says so
            image, mime = None, ""
        view = SignoffView(
            version=signoff.version,
            content=dict(signoff.content or {}),
            content_sha256=signoff.content_sha256,
            verified=verify_signoff(signoff),
            signer_name=signoff.signer_name,
            signer_title=signoff.signer_title,
            signed_at=signoff.signed_at.isoformat() if signoff.signed_at else "",
            method=signoff.method.value if signoff.method else "",
            signature=image,
            signature_mime=mime,
            superseded_versions=signoff.version - 1,
        )
    assets: list[AssetRow] = []
    if with_assets:
        flt = AssetFilter(project_id=project.id)
        assets = query_assets(session, flt, sort="site", limit=10_000_000)
    lifecycle = None
    if with_assets:
        os_table = load_os_support_for(session)
        lifecycle = build_forecast(session, os_table, project_ids=[project.id], as_of=lifecycle_as_of)
    return ProjectDossier(
        msp_name=meta_value(session, "msp_name", DEFAULT_MSP_NAME),
        client=client,
        project_code=project.code,
        project_name=project.name,
        project_status=project.status.label,
        description=project.description,
        target_go_live=project.target_go_live,
        actual_go_live=project.actual_go_live,
        services=services_of(project, call),
        technicians=project_technicians(session, project.id),
        contacts=list_contacts(session, client.id),
        sites=list_sites(session, client.id),
        inventory=inventory_summary(session, project.id),
        critical=critical_assets(session, project.id),
        kt={
            "scheduled_at": kt.scheduled_at if kt else None,
            "held_at": kt.held_at if kt else None,
            "presenter": kt.presenter if kt else "",
            "attendees": list(kt.attendees or []) if kt else [],
            "topics": list(kt.topics or []) if kt else [],
            "notes": kt.notes if kt else "",
            "questions": kt.questions if kt else "",
            "policies": kt.policies if kt else "",
            "maintenance_windows": kt.maintenance_windows if kt else "",
        },
        call={**call_facts(project, call), "notes": call.notes if call else ""},
        actions=list_actions(session, project.id),
        kpis=project_kpis(session, project.id),
        facts=signoff_facts(session, project),
        signoff=view,
        assets=assets,
        reconciliation=reconcile(session, project.id) if with_assets else None,
        audit=audit_rows(session, project.id) if with_assets else [],
        lifecycle=lifecycle,
    )
