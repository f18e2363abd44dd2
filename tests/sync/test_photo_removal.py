"""A removed photo syncs as a delete of its attachment record, and its undo brings it back on every laptop."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from sqlalchemy import select

from app.attachments import add_asset_photo, list_attachments, remove_attachment, restore_attachment
from server.models import Record
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import DeviceFactory, seed_tenant, tag_asset


def test_a_photo_removed_on_one_laptop_disappears_on_the_other_and_its_undo_returns_it(
    live_server: LiveServer, make_device: DeviceFactory, tmp_path: Path
) -> None:
    live_server.add_user("ann", "coordinator")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    tenant = seed_tenant(a, "ACME")
    asset_id = tag_asset(a, tenant.project_id, "ACME-0001")
    photo = tmp_path / "label.png"
    Image.new("RGB", (40, 30), (200, 40, 40)).save(photo)
    with a.ws.transaction() as s:
        attachment_id = add_asset_photo(s, blobs_dir=a.ws.blobs_dir, asset_id=asset_id, source=photo, actor="ann").id
    a.sync()
    b.sync()
    with b.ws.session() as s:
        assert [p.id for p in list_attachments(s, "asset", asset_id)] == [attachment_id]

    with a.ws.transaction() as s:
        remove_attachment(s, attachment_id, actor="ann")
    a.sync()
    with live_server.engine.connect() as con:
        deleted = con.scalar(select(Record.deleted_at).where(Record.id == attachment_id))
    assert deleted is not None  # a tombstone on the server, not a lost record
    b.sync()
    with b.ws.session() as s:
        assert list_attachments(s, "asset", asset_id) == []

    with a.ws.transaction() as s:
        restore_attachment(s, attachment_id, actor="ann")
    a.sync()
    b.sync()
    with b.ws.session() as s:
        assert [p.filename for p in list_attachments(s, "asset", asset_id)] == ["label.png"]
