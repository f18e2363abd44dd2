"""What the editor reads and writes for one asset, composed only from app/ services (no SQL here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from app.asset_query import AssetFilter, count_assets
from app.assets import create_asset, delete_asset, find_by_tag, get_asset, restore_asset, update_asset
from app.attachments import add_asset_photo, list_attachments, remove_attachment, restore_attachment
from app.audit import undo_verification
from app.bulk_update import BulkUpdate, old_values, restore_values, update_assets_bulk
from app.catalog import field_definitions, list_categories
from app.db import Workspace
from app.journal import HistoryEntry, history, pending_count, snapshot
from app.projects import asset_counts, get_project, list_locations, list_sites
from models import Asset, Attachment, Category, Client, FieldDefinition, Location, Site
from ui.asset_form import LABELS
from ui.custom_fields import stored_text

Choices = list[tuple[str, str]]


@dataclass(frozen=True)
class AssetView:
    id: str
    tag: str
    project_id: str
    category_id: str
    values: dict[str, str]
    title: str
    subtitle: str
    attention: list[str] = field(default_factory=list)
    #: The category's field definitions (read with the asset, so showing it needs no second trip).
    definitions: list[FieldDefinition] = field(default_factory=list)


@dataclass(frozen=True)
class UndoRecord:
    """How to take back one save: delete a just-created asset, write the old values back, or bring a deleted
    asset back; "bulk" writes many assets' old values back (restore: asset id → values), "photo" brings a
    removed photo back (restore: {"attachment_id": id}); "audit" writes back what a verification or a tag
    assignment of the onsite audit replaced (restore: field → old value), "audit_bulk" what a bulk mark replaced
    (restore: asset id → field → old value)."""

    asset_id: str
    tag: str
    what: Literal["create", "update", "delete", "bulk", "photo", "audit", "audit_bulk"]
    restore: dict[str, Any] = field(default_factory=dict)
    #: What the editor says once this is undone, when the usual words ("has its previous values") do not fit.
    undone_text: str = ""


@dataclass(frozen=True)
class Saved:
    asset_id: str
    tag: str
    changed: list[str]
    warnings: list[str]
    undo: UndoRecord | None
    #: The asset as saved, read in the same transaction (the editor shows it without reading it again).
    view: AssetView


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):  # the purchase cost: an amount in cents
        return f"{value:.2f}"
    return str(getattr(value, "value", value))


def _view(session: Any, asset: Asset) -> AssetView:
    values = {name: _text(getattr(asset, name)) for name in LABELS if name != "asset_tag"}
    definitions = field_definitions(session, asset.category_id)
    for definition in definitions:
        values[f"custom.{definition.key}"] = stored_text(
            definition.type, (asset.custom_fields or {}).get(definition.key)
        )
    category = session.get(Category, asset.category_id) if asset.category_id else None
    site = session.get(Site, asset.site_id) if asset.site_id else None
    location = session.get(Location, asset.location_id) if asset.location_id else None
    title = " ".join(filter(None, (asset.manufacturer, asset.model))) or "Asset"
    where = " / ".join(filter(None, (site.name if site else "", location.path if location else "")))
    who = f"tagged by {asset.tagged_by}" if asset.tagged_by else ""
    subtitle = " · ".join(filter(None, (category.name if category else "No category", where, who)))
    return AssetView(
        asset.id, asset.asset_tag, asset.project_id, asset.category_id or "", values, title, subtitle,
        list(asset.attention or []), definitions,
    )  # fmt: skip


def load_asset(ws: Workspace, asset_id: str) -> AssetView:
    with ws.session() as session:
        return _view(session, get_asset(session, asset_id))


def find_tag(ws: Workspace, client_id: str, tag: str) -> str | None:
    with ws.session() as session:
        asset = find_by_tag(session, client_id, tag)
        return asset.id if asset else None


def project_client(ws: Workspace, project_id: str) -> str:
    with ws.session() as session:
        return get_project(session, project_id).client_id


def tag_prefix(ws: Workspace, client_id: str) -> str:
    """The client's tag prefix ("" when it has none or is gone)."""
    with ws.session() as session:
        client = session.get(Client, client_id)
        return client.tag_prefix if client is not None else ""


def categories(ws: Workspace) -> Choices:
    with ws.session() as session:
        return [(c.name, c.id) for c in list_categories(session)]


def sites(ws: Workspace, client_id: str) -> Choices:
    with ws.session() as session:
        return [(s.name, s.id) for s in list_sites(session, client_id)]


def locations(ws: Workspace, site_id: str) -> Choices:
    with ws.session() as session:
        return [(loc.path, loc.id) for loc in list_locations(session, site_id)]


def definitions(ws: Workspace, category_id: str) -> list[FieldDefinition]:
    with ws.session() as session:
        return field_definitions(session, category_id)


def history_of(ws: Workspace, asset_id: str) -> tuple[list[HistoryEntry], dict[str, str], dict[str, str]]:
    """The journal entries, names for the ids they mention, and labels of the custom fields."""
    with ws.session() as session:
        entries = history(session, "asset", asset_id, with_attachments=True)
        names: dict[str, str] = {}
        labels: dict[str, str] = {}
        for entry in entries:
            if entry.entity == Attachment.entity_name:
                photo = session.get(Attachment, entry.entity_id)
                names[entry.entity_id] = photo.filename if photo is not None else ""
                continue
            for raw in (entry.old_value, entry.new_value):
                if entry.field in ("category_id", "site_id", "location_id") and isinstance(raw, str):
                    model = {"category_id": Category, "site_id": Site, "location_id": Location}[entry.field]
                    found = session.get(model, raw)
                    if found is not None:
                        names[raw] = getattr(found, "path", "") or getattr(found, "name", "")
        asset = session.get(Asset, asset_id)
        if asset is not None:
            for definition in field_definitions(session, asset.category_id):
                labels[f"custom.{definition.key}"] = definition.label
        return entries, names, labels


def photos(ws: Workspace, asset_id: str) -> list[tuple[str, str, str]]:
    """(attachment id, sha256, file name) of the asset's photos, oldest first."""
    with ws.session() as session:
        return [(a.id, a.sha256, a.filename) for a in list_attachments(session, "asset", asset_id)]


def remove_photo(ws: Workspace, attachment_id: str, actor: str) -> UndoRecord:
    """Remove a photo (journaled; syncs as a delete); returns how to bring it back."""
    with ws.transaction() as session:
        photo = remove_attachment(session, attachment_id, actor=actor)
        asset = get_asset(session, photo.owner_id)
        undone = f"Undone: the photo {photo.filename} of {asset.asset_tag} is back."
        return UndoRecord(asset.id, asset.asset_tag, "photo", {"attachment_id": photo.id}, undone)


def add_photos(ws: Workspace, asset_id: str, paths: list[Path], actor: str) -> int:
    """Store the files and attach them (runs on the runner's db worker)."""
    with ws.transaction() as session:
        for path in paths:
            add_asset_photo(session, blobs_dir=ws.blobs_dir, asset_id=asset_id, source=path, actor=actor)
    return len(paths)


def count(ws: Workspace, flt: AssetFilter) -> int:
    with ws.session() as session:
        return count_assets(session, flt)


def project_counts(ws: Workspace, project_id: str) -> dict[tuple[str | None, str | None], int]:
    with ws.session() as session:
        return asset_counts(session, project_id)


def pending(ws: Workspace) -> int:
    with ws.session() as session:
        return pending_count(session)


def create(
    ws: Workspace, project_id: str, values: dict[str, str], actor: str, *, allow_incomplete: bool = False
) -> Saved:
    with ws.transaction() as session:
        result = create_asset(
            session, project_id=project_id, values=values, actor=actor, allow_incomplete=allow_incomplete
        )
        asset = result.asset
        undo = UndoRecord(asset.id, asset.asset_tag, "create")
        return Saved(asset.id, asset.asset_tag, ["*"], result.warnings, undo, _view(session, asset))


def update(
    ws: Workspace, asset_id: str, values: dict[str, str], actor: str, *, allow_incomplete: bool = False
) -> Saved:
    with ws.transaction() as session:
        before = snapshot(get_asset(session, asset_id))
        result = update_asset(session, asset_id, values, actor=actor, allow_incomplete=allow_incomplete)
        restore = old_values(before, result.changed)
        undo = UndoRecord(asset_id, result.asset.asset_tag, "update", restore) if result.changed else None
        view = _view(session, result.asset)
        return Saved(asset_id, result.asset.asset_tag, result.changed, result.warnings, undo, view)


def undo(ws: Workspace, record: UndoRecord, actor: str) -> None:
    """Take a save back through the services, so the undo itself is journaled and syncs.

    Bringing a deleted asset back raises ValidationError (on "asset_tag") when its tag was given to another
    asset meanwhile.
    """
    with ws.transaction() as session:
        if record.what == "create":
            delete_asset(session, record.asset_id, actor=actor)
        elif record.what == "delete":
            restore_asset(session, record.asset_id, actor=actor)
        elif record.what == "bulk":
            restore_values(session, record.restore, actor=actor)
        elif record.what == "photo":
            restore_attachment(session, record.restore["attachment_id"], actor=actor)
        elif record.what == "audit":
            undo_verification(session, record.asset_id, record.restore, actor=actor)
        elif record.what == "audit_bulk":
            for asset_id, values in record.restore.items():
                undo_verification(session, asset_id, values, actor=actor)
        else:
            update_asset(session, record.asset_id, record.restore, actor=actor, allow_incomplete=True)


def bulk_edit(
    ws: Workspace, asset_ids: list[str], values: dict[str, str], actor: str, progress: Callable[[int, int], None]
) -> tuple[BulkUpdate, UndoRecord | None]:
    """Set the values on every asset (each journaled on its own) and say how to take them all back in one step."""
    with ws.transaction() as session:
        result = update_assets_bulk(session, asset_ids, values, actor=actor, progress=progress)
        if not result.changed:
            return result, None
        first = next(iter(result.before))
        count = f"{result.changed} asset{'s' if result.changed != 1 else ''}"
        undone = f"Undone: the bulk edit of {count}; they have their previous values again."
        return result, UndoRecord(first, count, "bulk", dict(result.before), undone)


def delete(ws: Workspace, asset_id: str, actor: str) -> UndoRecord:
    """Delete (tombstone) an asset; returns how to bring it back."""
    with ws.transaction() as session:
        asset = delete_asset(session, asset_id, actor=actor)
        return UndoRecord(asset.id, asset.asset_tag, "delete")
