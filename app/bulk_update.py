"""Setting the same fields (category, status, site, location) on many assets at once, as one step to take back.

Each asset is written by `update_asset`, so it gets its own change set (and syncs like an edit made by hand);
the old values of what changed are returned so that the whole step can be taken back with `restore_values`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.assets import ASSET_FIELDS, canonical_field, get_asset, update_asset
from app.errors import ValidationError
from app.journal import CUSTOM_PREFIX, snapshot

#: What a bulk edit may set: the fields that describe where an asset is and what it is, never its identity.
BULK_FIELDS = ("category_id", "status", "site_id", "location_id")


@dataclass
class BulkUpdate:
    #: Asset id → the values its changed fields had before (what `restore_values` writes back).
    before: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: How many of the assets already had every value (nothing journaled for them).
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return len(self.before)


def old_values(before: Mapping[str, Any], changed: Sequence[str]) -> dict[str, Any]:
    """The values the changed fields had in `before` (a journal snapshot), custom fields as "custom.<key>"."""
    custom = before.get("custom_fields") or {}
    return {
        name: custom.get(name[len(CUSTOM_PREFIX) :]) if name.startswith(CUSTOM_PREFIX) else before.get(name)
        for name in changed
    }


def _check_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = {canonical_field(name): value for name, value in values.items()}
    others = [name for name in cleaned if name not in BULK_FIELDS]
    if others:
        names = ", ".join(ASSET_FIELDS.get(name, name) for name in others)
        raise ValidationError({others[0]: f"{names} cannot be set on many assets at once."})
    if not cleaned:
        raise ValidationError({"values": "Choose at least one field to set."})
    return cleaned


def update_assets_bulk(
    session: Session,
    asset_ids: Sequence[str],
    values: Mapping[str, Any],
    *,
    actor: str,
    progress: Callable[[int, int], None] | None = None,
) -> BulkUpdate:
    """Set `values` (names or ids, as `update_asset` takes them) on every asset; all or nothing.

    A new category's missing required fields do not stop the edit: those assets are flagged as needing
    attention, as an import flags them. A problem with one asset raises ValidationError naming its tag, and
    the caller's transaction then writes nothing. `progress(done, total)` may raise to cancel.
    """
    cleaned = _check_fields(values)
    if not asset_ids:
        raise ValidationError({"assets": "Select at least one asset."})
    result = BulkUpdate()
    ids = list(dict.fromkeys(asset_ids))
    for done, asset_id in enumerate(ids, start=1):
        asset = get_asset(session, asset_id)
        before = snapshot(asset)
        try:
            saved = update_asset(session, asset_id, cleaned, actor=actor, allow_incomplete=True)
        except ValidationError as exc:
            errors = {name: f"{asset.asset_tag}: {message}" for name, message in exc.errors.items()}
            raise ValidationError(errors) from exc
        if saved.changed:
            result.before[asset_id] = old_values(before, saved.changed)
        else:
            result.unchanged += 1
        result.warnings += [f"{asset.asset_tag}: {warning}" for warning in saved.warnings]
        if progress is not None and (done % 100 == 0 or done == len(ids)):
            progress(done, len(ids))
    return result


def restore_values(session: Session, before: Mapping[str, Mapping[str, Any]], *, actor: str) -> int:
    """Write the old values of a bulk edit back (each asset journaled again); returns how many changed back."""
    restored = 0
    for asset_id, values in before.items():
        if update_asset(session, asset_id, values, actor=actor, allow_incomplete=True).changed:
            restored += 1
    return restored
