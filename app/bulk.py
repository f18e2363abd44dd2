"""Tagging many assets at once (imports, demo data, initial loads) with the same checks and journal as one by one.

Each row is validated exactly as `create_asset` validates it and is journaled as the same "create" change set;
only the writing is batched, so 100,000 rows take seconds rather than minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.assets import LABEL_PENDING, References, check_flags, clean_values, label_pending, refresh_attention
from app.catalog import field_definitions
from app.db import defer_checkpoint
from app.errors import NotFoundError, ValidationError
from app.journal import CUSTOM_PREFIX, device_id, encode_snapshot, journaled_fields, next_hlc
from app.projects import ensure_open, get_project
from app.search import DOCUMENT_COLUMNS, UPSERT_ROWS, document_of, indexed_in_one_pass
from app.sync.bulk_insert import BackgroundWriter, insert_rows, prepare_rows
from models import Asset, AssetStatus, ChangeSet, Client, FieldDefinition, Location, Site, WorkspaceMeta, new_id, utcnow
from models.base import Base

TEXT_FIELDS = ("manufacturer", "model", "serial", "hostname", "ip_address", "mac_address", "os", "assigned_user",
               "department", "notes", "model_number", "supplier", "order_number", "currency",
               "previous_tag")  # fmt: skip


@dataclass
class BulkResult:
    #: Ids of the created assets, in the order of the accepted rows.
    created: list[str] = field(default_factory=list)
    #: Row index (0-based, in `rows`) → field → message, for rows that were not created.
    rejected: dict[int, dict[str, str]] = field(default_factory=dict)
    #: Row index → warnings (a serial shared with another asset) for rows that were created.
    warnings: dict[int, list[str]] = field(default_factory=dict)


def _advance(hlc: str, steps: int) -> str:
    ms_text, count_text = hlc.split(".", 1)
    total = int(count_text) + steps
    return f"{int(ms_text) + total // 100_000:015d}.{total % 100_000:05d}"


def create_assets_bulk(
    session: Session,
    *,
    project_id: str,
    rows: Sequence[Mapping[str, Any]],
    actor: str,
    allow_incomplete: bool = True,
    strict: bool = False,
    any_tag: bool = False,
    listed: bool = False,
    checked: bool = False,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 5000,
) -> BulkResult:
    """Validate and create one asset per row; rejected rows are reported, not written.

    With `listed`, the assets are on the client's own list (an import): the onsite audit expects to see them.
    With `any_tag`, tags outside the client's prefix are accepted (a client's own tags kept at import).
    With `checked`, the rows are already what `clean_values` made of them for this client, under the workspace
    as it is now (an import preview whose `write_stamp` has not moved): they are not cleaned a second time. The
    tags (given, not twice, not taken) and the required fields are still checked here.
    With `strict`, any rejected row raises ValidationError (keyed "row N: field") and nothing is written.
    `progress(done, total)` is called after each chunk; it may raise to cancel (the caller's transaction
    then rolls everything back).
    """
    project = get_project(session, project_id)
    ensure_open(project)
    client = session.get(Client, project.client_id)
    if client is None:
        raise NotFoundError("The project's client no longer exists.")
    refs = References(session, client.id)
    taken = set(
        session.scalars(select(Asset.asset_tag).where(Asset.client_id == client.id, Asset.deleted_at.is_(None)))
    )
    result = BulkResult()
    places = _Places(session)
    required: dict[str | None, list[FieldDefinition]] = {}
    if checked:  # what the rows name is known before the writer shares the session's connection
        for category_id in {row.get("category_id") for row in rows}:
            required[category_id] = [d for d in field_definitions(session, category_id) if d.required]
        places.load({(row.get("site_id"), row.get("location_id")) for row in rows})
    serials: set[str] = set()
    row_of: dict[str, int] = {}
    batch_tags: dict[str, int] = {}
    now = utcnow()
    columns = {c.key for c in Asset.__table__.columns}
    #: Shared by every row without custom fields or flags: their JSON is made once when written (they are not
    #: changed after: the rows are written and dropped).
    no_custom: dict[str, Any] = {}
    no_reasons: list[str] = []

    def accepted() -> Iterator[tuple[int, dict[str, Any], tuple[str, str]]]:
        """Each row checked and made into its row of the assets table. With `strict`, rows after the first
        rejection are still checked (to report them all) but no longer given to the writer."""
        for index, row in enumerate(rows):
            try:
                cleaned = dict(row) if checked else clean_values(session, client, row, None, refs, any_tag=any_tag)
                tag = cleaned.pop("asset_tag", "")
                if not tag:
                    raise ValidationError({"asset_tag": "Enter or scan an asset tag."})
                if tag in batch_tags:
                    raise ValidationError(
                        {"asset_tag": f"Tag {tag} appears twice (also in row {batch_tags[tag] + 1})."}
                    )
                if tag in taken:
                    raise ValidationError({"asset_tag": f"Tag {tag} is already on another asset of this client."})
                custom = {
                    k[len(CUSTOM_PREFIX) :]: v
                    for k, v in cleaned.items()
                    if k.startswith(CUSTOM_PREFIX) and v is not None
                }
                plain = {k: v for k, v in cleaned.items() if not k.startswith(CUSTOM_PREFIX)}
                category_id = plain.get("category_id")
                if category_id not in required:
                    required[category_id] = [d for d in field_definitions(session, category_id) if d.required]
                missing = [d for d in required[category_id] if custom.get(d.key) in (None, "")]
                if missing and not allow_incomplete:
                    raise ValidationError(
                        {f"custom.{d.key}": f"{d.label} is required for this category." for d in missing}
                    )
            except ValidationError as exc:
                result.rejected[index] = exc.errors
                continue
            values: dict[str, Any] = {name: "" for name in TEXT_FIELDS}
            values.update(status=AssetStatus.IN_SERVICE, managed=True, critical=False, category_id=None,
                          site_id=None, location_id=None, purchase_date=None, warranty_end=None, purchase_cost=None,
                          listed=listed, seen_at=None, seen_by="", seen_site_id=None, seen_location_id=None,
                          audit_mark="", audit_reason="")  # fmt: skip
            values.update({k: v for k, v in plain.items() if v is not None or k not in TEXT_FIELDS})
            awaiting = [LABEL_PENDING] if label_pending(tag, values["previous_tag"]) else []
            reasons = [f"missing:{d.label}" for d in missing] + awaiting + check_flags(values.get("notes") or "")
            # A row of the assets table rather than an Asset object: the same values, without the ORM's
            # per-attribute bookkeeping (a third of the time of 100,000 rows).
            record: dict[str, Any] = {
                **values, "id": new_id(), "client_id": client.id, "project_id": project.id, "asset_tag": tag,
                "custom_fields": custom or no_custom, "tagged_by": actor, "tagged_at": now, "created_at": now,
                "updated_at": now, "deleted_at": None, "server_version": 0, "attention": reasons or no_reasons,
                "needs_attention": bool(reasons),
            }  # fmt: skip
            unknown = record.keys() - columns
            if unknown:
                raise TypeError(f"{', '.join(sorted(unknown))} are not asset fields")
            batch_tags[tag] = index
            if record["serial"]:
                serials.add(record["serial"])
            row_of[record["id"]] = index
            result.created.append(record["id"])
            if not (strict and result.rejected):
                yield index, record, places.names(record["site_id"], record["location_id"])

    # Rows are checked while the previous ones are being written. Cleaning them reads the workspace, so rows not
    # yet cleaned (`checked` false) are all made first, before the writer shares the session's connection.
    records = accepted() if checked else iter(list(accepted()))
    first = None if strict and result.rejected else next(records, None)
    if first is not None:
        _write(session, chain([first], records), actor=actor, total=len(rows), progress=progress, chunk=chunk)
    if strict and result.rejected:
        # Rows checked by a preview are written as they are checked: those before the rejected one are in the
        # caller's transaction, which this error rolls back (as a cancelled progress does).
        raise ValidationError(
            {f"row {i + 1}: {name}": message for i, errs in result.rejected.items() for name, message in errs.items()}
        )
    _flag_shared_serials(session, client.id, serials, result, row_of)
    if progress:
        progress(len(rows), len(rows))
    return result


class _Places:
    """The site name and location path of each (site id, location id) the rows name: a client has a few places
    and thousands of assets in each. Loaded up front (`load`) when the rows are written as they are checked."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._names: dict[tuple[str | None, str | None], tuple[str, str]] = {}

    def load(self, places: set[tuple[str | None, str | None]]) -> None:
        for site_id, location_id in places:
            self.names(site_id, location_id)

    def names(self, site_id: str | None, location_id: str | None) -> tuple[str, str]:
        place = (site_id, location_id)
        found = self._names.get(place)
        if found is None:
            site = self.session.get(Site, site_id) if site_id else None
            location = self.session.get(Location, location_id) if location_id else None
            found = self._names[place] = (site.name if site else "", location.path if location else "")
        return found


def _write(
    session: Session,
    accepted: Iterator[tuple[int, dict[str, Any], tuple[str, str]]],
    *,
    actor: str,
    total: int,
    progress: Callable[[int, int], None] | None,
    chunk: int,
) -> None:
    """Write the asset rows with their "create" change sets and search documents, `chunk` rows at a time;
    `progress` hears of each chunk once it is in (it must not use the session: the writer shares its connection).

    Each chunk's statement rows (journal snapshots, search documents, converted values) are made here while the
    previous chunk is being written by SQLite on the other core (`BackgroundWriter`).
    """
    first_hlc = next_hlc(session)
    session.flush()  # takes the write lock, so the change-set ids below stay ours
    defer_checkpoint(session)  # the commit of thousands of rows returns without copying them into the file
    next_set_id = int(session.scalar(select(func.max(ChangeSet.id))) or 0) + 1
    device = device_id(session)
    journaled = journaled_fields(Asset)
    tables = Base.metadata.tables
    document = itemgetter(*DOCUMENT_COLUMNS)
    written = 0  # rows of the file up to the last chunk known to be in
    start = 0  # rows accepted before this chunk
    with indexed_in_one_pass(session) as index, BackgroundWriter(session) as writer:
        while part := list(islice(accepted, chunk)):
            sets: list[dict[str, Any]] = []
            changes: list[dict[str, Any]] = []
            docs: list[tuple[Any, ...]] = []
            for counter, (_index, record, place) in enumerate(part, start=start):
                set_id = next_set_id + counter
                sets.append(
                    {"id": set_id, "entity": "asset", "entity_id": record["id"], "op": "create", "actor": actor,
                     "device_id": device, "hlc": _advance(first_hlc, counter), "at": record["created_at"],
                     "origin": "local", "pushed_at": None, "base_version": 0}
                )  # fmt: skip
                changes.append(
                    {"change_set_id": set_id, "field": "*", "old_value": None,
                     "new_value": encode_snapshot(record, journaled)}
                )  # fmt: skip
                docs.append(document(document_of(record, *place)))
            batch = []
            for table, records in (("assets", [r for _, r, _ in part]), ("change_sets", sets), ("changes", changes)):
                prepared = prepare_rows(session, tables[table], records)
                if prepared is None:  # not SQLite's driver: written here, in order, once the writer is idle
                    writer.wait()
                    insert_rows(session, tables[table], records)
                else:
                    batch.append(prepared)
            batch += [(UPSERT_ROWS, docs), index.next_range(len(docs))]
            writer.write(batch)  # waits for the previous chunk first
            if progress and written:
                progress(written, total)  # may raise to cancel: the writer then stops, the transaction rolls back
            written = part[-1][0] + 1
            start += len(part)
    meta = session.get(WorkspaceMeta, "hlc")
    if meta is not None:
        meta.value = _advance(first_hlc, start)


def _flag_shared_serials(
    session: Session, client_id: str, serials: set[str], result: BulkResult, row_of: dict[str, int]
) -> None:
    """Flag (and warn about) serials that the new rows share with each other or with existing assets."""
    shared: set[str] = set()
    ordered = sorted(serials)
    for start in range(0, len(ordered), 500):
        shared.update(
            session.scalars(
                select(Asset.serial)
                .where(
                    Asset.client_id == client_id,
                    Asset.deleted_at.is_(None),
                    Asset.serial.in_(ordered[start : start + 500]),
                )
                .group_by(Asset.serial)
                .having(func.count() > 1)
            )
        )
    if not shared:
        return
    assets = list(
        session.scalars(
            select(Asset).where(Asset.client_id == client_id, Asset.serial.in_(shared), Asset.deleted_at.is_(None))
        )
    )
    refresh_attention(session, client_id, assets)
    for asset in assets:
        if asset.id in row_of:
            result.warnings.setdefault(row_of[asset.id], []).append(
                f"Serial {asset.serial} is also recorded on another asset; check the label."
            )
