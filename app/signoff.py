"""The client's go-live signoff: versions, signature or scan, and a lock on everything that was signed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Mapper, Session

from app.attachments import list_attachments, read_blob
from app.errors import NotFoundError, ReadOnlyError, ValidationError
from app.golive import call_facts, get_call, list_actions, services_of
from app.journal import journaled_fields, record_create, record_update, to_plain
from app.projects import ensure_open, get_project
from app.signoff_files import attach, guess_mime
from models import (
    ActivationProject,
    Attachment,
    AttachmentKind,
    Client,
    Signoff,
    SignoffMethod,
    SignoffStatus,
    utcnow,
)

STATEMENT = (
    "The client confirms that the managed services listed below are live, that the service procedures were "
    "explained, and accepts the open action items with the owners and due dates shown."
)
LOCKED_STATES = (SignoffStatus.SIGNED, SignoffStatus.SUPERSEDED)


def canonical_json(content: dict[str, Any]) -> bytes:
    """The one byte form of signed content: sorted keys, no spaces, UTF-8."""
    return json.dumps(to_plain(content), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def signoff_facts(session: Session, project: ActivationProject) -> dict[str, Any]:
    """What the client signs: the project, services live, the call's outcome and the open action items."""
    client = session.get(Client, project.client_id)
    call = get_call(session, project.id)
    actions = list_actions(session, project.id)
    return to_plain(
        {
            "statement": STATEMENT,
            "project": {"code": project.code, "name": project.name, "target_go_live": project.target_go_live},
            "client": client.name if client else "",
            "actual_go_live": project.actual_go_live,
            "services_live": services_of(project, call),
            "call": call_facts(project, call),
            "action_items": [
                {"title": a.title, "owner": a.owner, "due": a.due_date, "status": a.status.value, "issue": a.is_issue}
                for a in actions
            ],
        }
    )


def list_signoffs(session: Session, project_id: str) -> list[Signoff]:
    """Every version, newest first; superseded versions stay."""
    return list(
        session.scalars(
            select(Signoff)
            .where(Signoff.project_id == project_id, Signoff.deleted_at.is_(None))
            .order_by(Signoff.version.desc())
        )
    )


def current_signoff(session: Session, project_id: str) -> Signoff | None:
    return session.scalar(
        select(Signoff)
        .where(Signoff.project_id == project_id, Signoff.deleted_at.is_(None), Signoff.status == SignoffStatus.SIGNED)
        .order_by(Signoff.version.desc())
    )


def sign(
    session: Session,
    blobs_dir: Path,
    project_id: str,
    *,
    signer_name: str,
    signer_title: str = "",
    method: SignoffMethod | str,
    file_bytes: bytes,
    filename: str = "",
    signed_at: datetime | None = None,
    actor: str,
) -> Signoff:
    """Record a signed signoff version: a signature drawn on screen (PNG) or the scan of the signed paper form.

    The previous signed version, if any, is superseded and kept.
    """
    project = get_project(session, project_id)
    ensure_open(project)
    method = SignoffMethod(method)
    errors: dict[str, str] = {}
    if not signer_name.strip():
        errors["signer_name"] = "Enter the name of the person signing for the client."
    mime = guess_mime(file_bytes) if file_bytes else None
    if method == SignoffMethod.ON_SCREEN and mime != "image/png":
        errors["signature"] = "An on-screen signature must be a PNG image; draw it on the signature pad."
    if method == SignoffMethod.PAPER and mime is None:
        errors["signature"] = "Attach the scan of the signed form as a PDF, PNG or JPEG file."
    if errors:
        raise ValidationError(errors)
    assert mime is not None
    when = signed_at or utcnow()
    version = int(session.scalar(select(func.max(Signoff.version)).where(Signoff.project_id == project_id)) or 0) + 1
    previous = current_signoff(session, project_id)
    call = get_call(session, project_id)
    signature_sha = hashlib.sha256(file_bytes).hexdigest()
    content = {
        **signoff_facts(session, project),
        "version": version,
        "signer": {"name": signer_name.strip(), "title": signer_title.strip()},
        "signed_at": when.isoformat(),
        "method": method.value,
        "signature_sha256": signature_sha,
    }
    if previous is not None:
        record_update(session, previous, {"status": SignoffStatus.SUPERSEDED}, actor)
    signoff = Signoff(
        project_id=project_id,
        call_id=call.id if call else None,
        version=version,
        status=SignoffStatus.SIGNED,
        method=method,
        signer_name=signer_name.strip(),
        signer_title=signer_title.strip(),
        signed_at=when,
        signature_sha256=signature_sha,
        content=content,
        content_sha256=content_hash(content),
        supersedes_id=previous.id if previous else None,
        valid_date=when.date(),
    )
    record_create(session, signoff, actor)
    kind = AttachmentKind.SIGNATURE if method == SignoffMethod.ON_SCREEN else AttachmentKind.SCAN
    ext = {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf"}[mime]
    attach(
        session,
        blobs_dir,
        owner_entity=Signoff.entity_name,
        owner_id=signoff.id,
        data=file_bytes,
        kind=kind,
        filename=filename or f"signoff-{project.code}-v{version}.{ext}",
        mime_type=mime,
        actor=actor,
    )
    return signoff


def update_signoff(session: Session, signoff_id: str, values: dict[str, Any], *, actor: str) -> list[str]:
    """Change a draft signoff; a signed or superseded one is locked and refuses every change."""
    signoff = session.get(Signoff, signoff_id)
    if signoff is None or signoff.deleted_at is not None:
        raise NotFoundError("That signoff no longer exists.")
    if signoff.status in LOCKED_STATES:
        raise ReadOnlyError(
            f"Signoff version {signoff.version} is signed and locked; sign a new version to change anything."
        )
    ensure_open(get_project(session, signoff.project_id))
    return record_update(session, signoff, values, actor)


def verify_signoff(signoff: Signoff) -> bool:
    """True when the stored content still hashes to the SHA-256 recorded when it was signed."""
    return bool(signoff.content_sha256) and content_hash(signoff.content or {}) == signoff.content_sha256


def signature_attachment(session: Session, signoff: Signoff) -> Attachment | None:
    rows = list_attachments(session, Signoff.entity_name, signoff.id)
    return rows[0] if rows else None


def signature_bytes(session: Session, blobs_dir: Path, signoff: Signoff) -> tuple[bytes, str]:
    """The signature image or scan of a signoff and its MIME type (checked against its SHA-256)."""
    row = signature_attachment(session, signoff)
    if row is None:
        raise NotFoundError(f"Signoff version {signoff.version} has no signature file.")
    if row.sha256 != signoff.signature_sha256:
        raise ReadOnlyError(f"The signature file of signoff version {signoff.version} does not match what was signed.")
    return read_blob(blobs_dir, row.sha256), row.mime_type


@event.listens_for(Signoff, "before_update")
def _refuse_tampering(_mapper: Mapper[Signoff], _connection: Any, target: Signoff) -> None:
    """Last line of defence: a signed version cannot be changed, whoever tries, except being superseded."""
    state = inspect(target)
    status_history = state.attrs.status.history
    was = status_history.deleted[0] if status_history.deleted else target.status
    if was not in LOCKED_STATES:
        return
    if target.deleted_at is not None and state.attrs.deleted_at.history.has_changes():
        raise ReadOnlyError(f"Signoff version {target.version} is signed; signed versions are kept, never deleted.")
    for name in journaled_fields(Signoff):
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        if name == "status" and was == SignoffStatus.SIGNED and target.status == SignoffStatus.SUPERSEDED:
            continue
        raise ReadOnlyError(
            f"Signoff version {target.version} is signed and locked; its “{name}” cannot be changed. "
            "Sign a new version instead."
        )
