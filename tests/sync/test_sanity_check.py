"""The sanity check at the end of a sync (SYNC.md): each space's count and digest, here and on the server.

Every sync test also runs it (the first sync of a device, then daily) and fails on any difference it did not make
itself (tests/sync/conftest.py), so these tests add a workspace with every kind of record, and real differences:
a row lost here, a row held at an old version, and a row the server has but never sent.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.assets import delete_asset, update_asset
from app.attachments import add_asset_photo
from app.demo import seed_demo
from app.golive import hold_call
from app.journal import record_delete, record_update
from app.projects import create_site
from app.signoff import sign
from app.sync import engine as sync_engine
from app.sync.conflicts import resolve
from app.sync.errors import OfflineError
from models import Asset, Category, Conflict, Site
from models.wire import CheckRequest
from server.db import make_engine
from server.models import Record, Space
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import Device, DeviceFactory, server_cli


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (20, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def _rich_workspace(device: Device, tmp_path: Path) -> tuple[str, str]:
    """The demo (client, sites, locations, contacts, 300 assets, KT, go-live call, action items) plus a photo, a
    signed signoff with its signature image and a deleted asset; returns (client id, project id)."""
    photo = tmp_path / "rack.png"
    photo.write_bytes(_png())
    with device.ws.transaction() as s:
        project = seed_demo(s, assets=60)
        first, second = s.scalars(select(Asset.id).where(Asset.project_id == project.id).limit(2)).all()
        add_asset_photo(s, blobs_dir=device.ws.blobs_dir, asset_id=first, source=photo, actor=device.actor)
        delete_asset(s, second, actor=device.actor)
        hold_call(s, project.id, actor=device.actor)
        sign(s, device.ws.blobs_dir, project.id, signer_name="Sofia Martínez", method="on_screen",
             file_bytes=_png(), actor=device.actor)  # fmt: skip
        return project.client_id, project.id


def _small_demo(
    live_server: LiveServer, make_device: DeviceFactory, *names: str, role: str = "coordinator"
) -> tuple[list[Device], str]:
    """Ann's laptops (`names`), the first holding a small demo client (not synced); returns them and its id."""
    live_server.add_user("ann", role)
    devices = [make_device(name, "ann") for name in names]
    with devices[0].ws.transaction() as s:
        client_id = seed_demo(s, assets=5).client_id
    return devices, client_id


def test_every_kind_of_record_checks_clean_on_every_device(
    live_server: LiveServer, make_device: DeviceFactory, tmp_path: Path
) -> None:
    live_server.add_user("ann", "admin")  # she edits the shared catalog, which only an administrator may change
    live_server.add_user("tom", "technician")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    client_id, project_id = _rich_workspace(a, tmp_path)
    a.sync()
    b.sync()
    # Conflicts too, in both kinds of space: the same asset field and the same category name edited offline.
    with a.ws.session() as s:
        asset_id = s.scalars(select(Asset.id).where(Asset.deleted_at.is_(None)).limit(1)).one()
        category_id = s.scalars(select(Category.id).where(Category.code == "server")).one()
    for device, word in ((a, "A"), (b, "B")):
        with device.ws.transaction() as s:
            update_asset(s, asset_id, {"model": f"Model {word}"}, actor=device.actor)
            category = s.get(Category, category_id)
            assert category is not None
            record_update(s, category, {"name": f"Servers {word}"}, device.actor)
    a.sync()
    b.sync()
    a.sync()
    live_server.grant("tom", "project", project_id)
    t = make_device("t", "tom")
    t.sync()
    for device in (a, b, t):
        with device.ws.session() as s:
            kinds = set(s.scalars(select(Conflict.entity)))
        assert kinds == {"asset", "category"}
        report = device.engine.sync(verify=True)
        assert (report.verified, report.repaired) == (2, [])  # the global catalog and the client
    # A technician's view (one project of the client) is what is compared for them, and it holds every kind.
    with t.ws.session() as s:
        assert s.scalar(select(func.count()).select_from(Asset).where(Asset.project_id == project_id)) == 60
    assert client_id


def test_the_check_runs_once_a_day_unless_asked(live_server: LiveServer, make_device: DeviceFactory) -> None:
    (a,), _ = _small_demo(live_server, make_device, "a")
    assert a.sync().verified == 2  # the first sync of a device checks
    assert a.sync().verified == 0  # not again the same day
    assert a.engine.sync(verify=True).verified == 2
    assert a.engine.sync(verify=False).verified == 0


@pytest.mark.sync_repair
def test_a_row_lost_here_or_held_at_an_old_version_is_fetched_again(
    live_server: LiveServer, make_device: DeviceFactory, tmp_path: Path
) -> None:
    live_server.add_user("ann", "coordinator")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    client_id, _project_id = _rich_workspace(a, tmp_path)
    a.sync()
    b.sync()
    with b.ws.transaction() as s:  # damage behind the services' back, as a bug or a bad restore would
        lost, stale = s.scalars(select(Asset.id).where(Asset.deleted_at.is_(None)).limit(2)).all()
        s.execute(delete(Asset).where(Asset.id == lost))
        s.execute(update(Asset).where(Asset.id == stale).values(model="Stale", server_version=1))
    report = b.engine.sync(verify=True)
    assert report.repaired == [client_id]
    with b.ws.session() as s:
        assert s.get(Asset, lost) is not None
        again = s.get(Asset, stale)
        assert again is not None and again.model != "Stale" and again.server_version > 1
    assert b.engine.sync(verify=True).repaired == []


@pytest.mark.sync_repair
def test_a_row_the_server_holds_but_never_sent_is_found(live_server: LiveServer, make_device: DeviceFactory) -> None:
    (a,), client_id = _small_demo(live_server, make_device, "a")
    a.sync()
    # A site committed at a version the device's cursor already passed: what a cursor that skips a late commit
    # would leave behind (the bug SYNC.md's cursor rules prevent; the check is the net under them).
    engine = make_engine(live_server.settings.database_url)
    site_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    with engine.begin() as con:
        version = con.execute(select(Space.version).where(Space.id == client_id)).scalar_one()
        data = {"client_id": client_id, "name": "Warehouse (late)", "address": "", "notes": ""}
        con.execute(
            Record.__table__.insert().values(
                id=site_id, entity="site", space_id=client_id, project_id=None, version=version, data=data,
                field_meta={}, created_at=now, updated_at=now,
            )
        )  # fmt: skip
    engine.dispose()
    report = a.engine.sync(verify=True)
    assert report.repaired == [client_id]
    with a.ws.session() as s:
        site = s.get(Site, site_id)
        assert site is not None and site.name == "Warehouse (late)"
    assert a.engine.sync(verify=True).repaired == []


def test_a_space_that_moved_since_the_pull_or_unsent_edits_are_not_compared(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    (a, b), client_id = _small_demo(live_server, make_device, "a", "b")
    a.sync()
    b.sync()
    with b.ws.transaction() as s:
        asset_id = s.scalars(select(Asset.id).limit(1)).one()
        update_asset(s, asset_id, {"model": "Moved on"}, actor="ann")
    b.sync()
    answer = a.engine.transport.check(CheckRequest(device_id=a.engine.device_id, cursor=a.ws.meta("sync.cursor")))
    assert answer is not None
    by_space = {space.space: space for space in answer.spaces}
    assert by_space[client_id].count is None and "changed since the last pull" in by_space[client_id].reason
    assert by_space["global"].count is not None
    with a.ws.transaction() as s:  # an edit waiting to be sent: this device's copy is not the server's
        update_asset(s, asset_id, {"hostname": "not-sent"}, actor="ann")
    report = a.engine.sync(verify=False)
    with a.ws.transaction() as s:
        update_asset(s, asset_id, {"hostname": "not-sent-either"}, actor="ann")
    assert a.engine._compare(report, []) is None  # nothing compared while an edit waits to be sent


def _offline_edits(devices: tuple[Device, Device], site_id: str, category_id: str) -> None:
    for device, word in zip(devices, "AB", strict=True):
        with device.ws.transaction() as s:
            site, category = s.get(Site, site_id), s.get(Category, category_id)
            assert site is not None and category is not None
            record_update(s, site, {"name": f"Site {word}"}, device.actor)
            record_update(s, category, {"name": f"Servers {word}"}, device.actor)


def test_conflicts_resolved_twice_offline_check_clean(live_server: LiveServer, make_device: DeviceFactory) -> None:
    """Two people resolving one conflict offline make a conflict about a conflict (no project, no record of its
    own in the space): conflicts are left out of the check, so this is no difference."""
    (a, b), _ = _small_demo(live_server, make_device, "a", "b", role="admin")  # the catalog is the admins'
    a.sync()
    b.sync()
    with a.ws.session() as s:
        site_id = s.scalars(select(Site.id).limit(1)).one()
        category_id = s.scalars(select(Category.id).where(Category.code == "server")).one()
    _offline_edits((a, b), site_id, category_id)
    a.sync()
    b.sync()
    a.sync()
    with a.ws.session() as s:
        conflict_ids = list(s.scalars(select(Conflict.id)))
    assert len(conflict_ids) == 2
    for device in (a, b):
        with device.ws.transaction() as s:
            for conflict_id in conflict_ids:
                resolve(s, conflict_id, "keep", actor=device.actor)
    a.sync()
    b.sync()
    a.sync()
    with a.ws.session() as s:
        assert s.scalar(select(func.count()).select_from(Conflict).where(Conflict.entity == "conflict")) >= 1
    for device in (a, b):
        report = device.engine.sync(verify=True)
        assert (report.verified, report.repaired, report.still_differ) == (2, [], [])


def test_a_conflict_about_a_purged_record_checks_clean_on_a_new_device(
    live_server: LiveServer, make_device: DeviceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    (a, b), client_id = _small_demo(live_server, make_device, "a", "b")
    with a.ws.transaction() as s:
        site_id = create_site(s, client_id=client_id, name="Annex", actor=a.actor).id
    a.sync()
    b.sync()
    with a.ws.transaction() as s:
        site = s.get(Site, site_id)
        assert site is not None
        record_delete(s, site, a.actor)
    with b.ws.transaction() as s:
        site = s.get(Site, site_id)
        assert site is not None
        record_update(s, site, {"name": "Annex B"}, b.actor)
    a.sync()
    b.sync()
    assert server_cli(live_server, monkeypatch, "purge-tombstones", "--older-than", "0") == 0
    c = make_device("c", "ann")
    report = c.sync()  # a new device's first sync ends with the check
    assert (report.verified, report.repaired) == (2, [])


@pytest.mark.sync_repair
def test_a_save_from_the_window_during_the_check_postpones_it(
    live_server: LiveServer, make_device: DeviceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    (a,), _ = _small_demo(live_server, make_device, "a")
    a.engine.sync(verify=False)  # synced, never checked: the next sync checks
    with a.ws.session() as s:
        asset_id = s.scalars(select(Asset.id).where(Asset.deleted_at.is_(None)).limit(1)).one()
    real = sync_engine.local_check

    def with_a_save_meanwhile(session: Session, space_id: str) -> tuple[int, str]:
        if a.ws.meta("sync.test_saved") != "1":  # the technician deletes an asset while the records are read
            with a.ws.transaction() as s:
                delete_asset(s, asset_id, actor="ann")
            a.ws.set_meta("sync.test_saved", "1")
        return real(session, space_id)

    monkeypatch.setattr(sync_engine, "local_check", with_a_save_meanwhile)
    report = a.engine.sync()
    assert report.repaired == [] and report.pulled == 0  # nothing fetched again
    monkeypatch.setattr(sync_engine, "local_check", real)
    report = a.sync()  # postponed, not recorded as done: the next sync sends the delete and compares
    assert (report.pushed, report.verified, report.repaired) == (1, 2, [])


def test_a_failed_check_does_not_fail_the_sync(live_server: LiveServer, make_device: DeviceFactory) -> None:
    (a,), _ = _small_demo(live_server, make_device, "a")
    a.engine.sync(verify=False)
    transport = a.engine.transport
    real = transport.request

    def check_fails(method: str, path: str, **kwargs: Any) -> requests.Response:
        if path == "/api/sync/check":
            raise OfflineError("The server had a problem (502); try again later.")
        return real(method, path, **kwargs)

    transport.request = check_fails  # type: ignore[method-assign]
    with a.ws.transaction() as s:
        site = s.scalars(select(Site)).first()
        assert site is not None
        record_update(s, site, {"name": "Renamed"}, "ann")
    report = a.engine.sync()  # the check is due (never done) and fails: the sync itself succeeded
    assert report.pushed == 1 and report.verified == 0
    assert a.ws.meta("sync.last_error") == "" and a.ws.meta("sync.last_ok_at")
    transport.request = real  # type: ignore[method-assign]
    assert a.sync().verified == 2  # still due, done at the next sync


@pytest.mark.sync_repair
def test_a_difference_a_fresh_copy_does_not_mend_is_fetched_once_not_daily(
    live_server: LiveServer, make_device: DeviceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    (a,), client_id = _small_demo(live_server, make_device, "a")
    a.engine.sync(verify=False)
    real = sync_engine.local_check

    def one_too_many(session: Session, space_id: str) -> tuple[int, str]:  # a difference no copy can mend
        count, digest = real(session, space_id)
        return (count + 1, digest) if space_id == client_id else (count, digest)

    monkeypatch.setattr(sync_engine, "local_check", one_too_many)
    first = a.engine.sync(verify=True)
    assert (first.repaired, first.still_differ) == ([], [client_id]) and first.pulled > 0
    again = a.engine.sync(verify=True)
    assert (again.repaired, again.still_differ, again.pulled) == ([], [client_id], 0)  # logged, not fetched
    monkeypatch.setattr(sync_engine, "local_check", real)
    assert a.engine.sync(verify=True).still_differ == []  # mended: forgotten
