"""Writing a previewed import: every accepted row through the asset services, in the caller's transaction."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from app.assets import update_asset
from app.audit import mark_listed
from app.bulk import create_assets_bulk
from app.errors import CloseoutError, ValidationError
from app.importing.mapping import ID_TARGET
from app.importing.refs import PLANNED, REFERENCE_FIELDS, NameIndex, create_planned
from app.importing.results import ImportFailed, ImportPreview, ImportResult, RowResult, RowStatus
from app.importing.rows import PROGRESS_EVERY, Progress
from app.journal import write_stamp
from app.projects import ensure_open, get_project


def apply_import(
    session: Session,
    preview: ImportPreview,
    *,
    actor: str,
    retags: Collection[int] = (),
    progress: Progress | None = None,
) -> ImportResult:
    """Write the accepted rows through the asset services in the caller's transaction: all of them or none.

    A row that would change an asset's tag (matched by serial, another tag in the file) is written only when its
    row number is in `retags`; otherwise the whole row is left out and counted as skipped.

    New assets go through the bulk tagging service (same checks and journal as one by one), then each update
    through `update_asset`. Any failure raises ImportFailed naming the row; the caller's transaction then rolls
    everything back.
    """
    project = get_project(session, preview.project_id)
    ensure_open(project)
    # Nothing written since the preview began: the values it checked need no second check (10 s of 100,000 rows).
    checked = bool(preview.stamp) and preview.stamp == write_stamp(session)
    loaded = NameIndex(session, project.client_id)  # keeps the names and ids in the identity map while writing
    writes = preview.to_write(retags)
    #: A client's own list (not Closeout's workbook read back, which carries ids): its assets are expected on site.
    client_list = ID_TARGET not in preview.mapping.values()
    if preview.planned:
        made = create_planned(session, project.client_id, preview.planned, actor)
        loaded = NameIndex(session, project.client_id)
        for row in writes:
            for key in REFERENCE_FIELDS:
                value = row.values.get(key)
                if isinstance(value, str) and value.startswith(PLANNED):
                    row.values[key] = made[value]
    any_tag = preview.client_tags is not None and preview.client_tags.any_scheme
    new = [row for row in writes if row.status == RowStatus.NEW]
    changed = [row for row in writes if row.status == RowStatus.UPDATED]
    total = len(new) + len(changed)

    def bulk_progress(done: int, _total: int) -> None:
        if progress:
            progress(done, total)

    if new:
        try:
            create_assets_bulk(
                session,
                project_id=project.id,
                rows=[row.values for row in new],
                actor=actor,
                allow_incomplete=True,
                strict=True,
                any_tag=any_tag,
                listed=client_list,  # the client's own list: the onsite audit expects to see each of them
                checked=checked,
                progress=bulk_progress,
            )
        except ValidationError as exc:
            raise ImportFailed(f"{_bulk_problem(exc, new)} Nothing was imported.") from exc
    for done, row in enumerate(changed, start=len(new) + 1):
        try:
            assert row.asset_id is not None
            update_asset(
                session, row.asset_id, row.values, actor=actor, allow_incomplete=True,
                any_tag=any_tag,
            )  # fmt: skip
        except CloseoutError as exc:
            raise ImportFailed(f"Row {row.row_number}: {exc} Nothing was imported.") from exc
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    if client_list:  # an asset tagged on site before the client's list came is on the list after all
        on_list = [*writes, *(r for r in preview.rows if r.status == RowStatus.UNCHANGED)]
        mark_listed(session, [r.asset_id for r in on_list if r.asset_id], actor=actor)
    del loaded
    skipped = len(preview.accepted) - len(writes)
    return ImportResult(
        len(new), len(changed), preview.count(RowStatus.UNCHANGED), preview.count(RowStatus.REJECTED), skipped
    )


def _bulk_problem(exc: ValidationError, rows: Sequence[RowResult]) -> str:
    """The bulk service's first problem ("row 3: serial") in terms of the file's own row numbers."""
    for key, message in exc.errors.items():
        match = re.match(r"row (\d+):", key)
        if match and 0 < int(match.group(1)) <= len(rows):
            return f"Row {rows[int(match.group(1)) - 1].row_number}: {message}"
    return str(exc)
