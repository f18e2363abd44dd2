"""The onsite audit's services on a real workspace: states, scan matching order, marks, the list import."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets import update_asset
from app.audit import audit_state, mark_assets, match_scan, verify_asset
from app.db import Workspace
from app.errors import ValidationError
from app.importing import ImportOptions, apply_import, preview_import, rows_from_dicts
from models import Asset, AuditState


def _asset(s: Session, tag: str) -> Asset:
    return s.scalars(select(Asset).where(Asset.asset_tag == tag)).one()


def test_a_client_list_import_lists_new_and_matched_assets_as_expected(demo_workspace: Workspace) -> None:
    with demo_workspace.session() as s:
        on_site = _asset(s, "NWD-00007")  # tagged on site before the list came
        project_id, serial = on_site.project_id, on_site.serial
        assert audit_state(on_site) is AuditState.FOUND
    headers, rows = rows_from_dicts([{"Tag": "NWD-00901", "Serial": "LIST-901"}, {"Tag": "", "Serial": serial}])
    with demo_workspace.transaction() as s:
        preview = preview_import(s, project_id, headers, rows, {"Tag": "asset_tag", "Serial": "serial"},
                                 ImportOptions())  # fmt: skip
        apply_import(s, preview, actor="importer")
    with demo_workspace.session() as s:
        assert audit_state(_asset(s, "NWD-00901")) is AuditState.EXPECTED
        assert audit_state(_asset(s, "NWD-00007")) is AuditState.EXPECTED
        assert audit_state(_asset(s, "NWD-00008")) is AuditState.FOUND  # not on the list


def test_scans_match_tag_then_previous_tag_then_serial_then_mac(demo_workspace: Workspace) -> None:
    with demo_workspace.transaction() as s:
        first, second, third = _asset(s, "NWD-00001"), _asset(s, "NWD-00002"), _asset(s, "NWD-00003")
        client_id = first.client_id
        # NWD-00002 carried NWD-00001 as its old tag, and NWD-00003's serial reads like NWD-00002's old tag.
        update_asset(s, second.id, {"previous_tag": "NWD-00001"}, actor="t")
        update_asset(s, third.id, {"serial": "OLD-42"}, actor="t")
        update_asset(s, first.id, {"previous_tag": "OLD-42"}, actor="t")
        mac = third.mac_address
    with demo_workspace.session() as s:
        assert [(m.how, [a.asset_tag for a in m.assets]) for m in (
            match_scan(s, client_id, "nwd-00001"), match_scan(s, client_id, "OLD-42"),
            match_scan(s, client_id, mac.lower().replace(":", "")), match_scan(s, client_id, "nothing-like-it"),
        )] == [("tag", ["NWD-00001"]), ("previous_tag", ["NWD-00001"]), ("mac", ["NWD-00003"]), ("", [])]  # fmt: skip


def test_seen_beats_missing_whatever_the_order_and_marks_need_a_listed_unseen_asset(
    demo_workspace: Workspace,
) -> None:
    with demo_workspace.transaction() as s:
        asset = _asset(s, "NWD-00004")
        asset_id = asset.id
        with pytest.raises(ValidationError, match="not on the client's list"):
            mark_assets(s, [asset_id], AuditState.MISSING, reason="disposed", actor="t")
        asset.listed = True  # as a pulled import would leave it
        with pytest.raises(ValidationError, match="is not a reason"):
            mark_assets(s, [asset_id], AuditState.MISSING, reason="stolen", actor="t")
        mark_assets(s, [asset_id], AuditState.MISSING, reason="not found", actor="t")
        assert audit_state(asset) is AuditState.MISSING
        asset.seen_at = asset.created_at  # a sighting pulled from another laptop, the mark still set
        assert audit_state(asset) is AuditState.SEEN
        with pytest.raises(ValidationError, match="was seen on site"):
            mark_assets(s, [asset_id], AuditState.OUT_OF_SCOPE, actor="t")
        asset.seen_at = None
        done = verify_asset(s, asset_id, room=None, actor="t")
        assert done.state is AuditState.SEEN and done.moved_from == "" and asset.audit_mark == ""
