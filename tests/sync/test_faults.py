"""Faults during a sync: lost responses, interrupted pulls, a restarted server; nothing is lost or doubled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select

from app.attachments import add_asset_photo
from app.journal import pending_count
from app.sync import transport as transport_module
from app.sync.errors import OfflineError
from app.sync.transport import Transport
from models import Asset, Conflict, StagedRow
from models.wire import PullRequest, PullResponse, PushRequest, PushResponse
from server.models import Device as ServerDevice
from server.models import Record
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import Device, DeviceFactory, seed_tenant, tag_asset


class LosingPushResponses(Transport):
    """Delivers each push to the server, then loses the answer, as a dropped connection would."""

    def push(self, body: PushRequest) -> PushResponse:
        super().push(body)
        raise OfflineError("the answer was lost")


class FailingPull(Transport):
    """Fails the n-th pull request (after the earlier pages arrived); `hook` runs just before the failure."""

    def __init__(self, *args: object, fail_at: int, hook: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fail_at, self.calls, self.hook = fail_at, 0, hook

    def pull(self, body: PullRequest) -> PullResponse:
        self.calls += 1
        if self.calls == self.fail_at:
            if callable(self.hook):
                self.hook()
            raise OfflineError("the network went away mid-pull")
        return super().pull(body)


def _server_count(server: LiveServer, entity: str) -> int:
    with server.engine.connect() as con:
        return int(con.scalar(select(func.count()).select_from(Record).where(Record.entity == entity)) or 0)


def _swap(device: Device, transport: Transport) -> Transport:
    old = device.engine.transport
    transport.token = old.token
    device.engine.transport = transport
    return old


def test_a_push_whose_answer_was_lost_is_retried_without_duplication(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    tenant = seed_tenant(a, "ACME")
    for n in range(1, 4):
        tag_asset(a, tenant.project_id, f"ACME-{n:04d}")
    honest = _swap(a, LosingPushResponses(live_server.url, retries=0))
    with pytest.raises(OfflineError):
        a.sync()
    with a.ws.session() as s:
        assert pending_count(s) == 5  # the device does not know the server has them
    a.engine.transport.close()
    _swap(a, honest)
    a.sync()
    with a.ws.session() as s:
        assert pending_count(s) == 0
        assert s.scalar(select(func.count()).select_from(Conflict)) == 0
    assert _server_count(live_server, "asset") == 3
    with live_server.engine.connect() as con:
        assert con.scalar(select(ServerDevice.last_mutation_id).where(ServerDevice.id == a.ws.device_id)) == 5


def test_an_interrupted_pull_resumes_after_the_last_kept_page(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    tenant = seed_tenant(a, "ACME")
    ids = [tag_asset(a, tenant.project_id, f"ACME-{n:04d}") for n in range(1, 8)]
    a.sync()
    b = make_device("b", "ann")
    b.engine.page_size = 2
    failing = FailingPull(live_server.url, retries=0, fail_at=3)
    honest = _swap(b, failing)
    with pytest.raises(OfflineError):
        b.sync()
    with b.ws.session() as s:
        assert s.scalar(select(func.count()).select_from(StagedRow)) == 4
        assert s.scalar(select(func.count()).select_from(Asset)) == 0  # nothing applied before the last page
    resumed = FailingPull(live_server.url, retries=0, fail_at=0)
    _swap(b, resumed)
    report = b.sync()
    assert report.pulled == 9 - 4  # client, project and 7 assets; the 4 kept rows are not fetched again
    with b.ws.session() as s:
        assert sorted(s.scalars(select(Asset.id))) == sorted(ids)
        assert s.scalar(select(func.count()).select_from(StagedRow)) == 0
    failing.close()
    resumed.close()
    honest.close()


def test_a_server_restarted_mid_sync_is_caught_up_by_the_next_sync(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    tenant = seed_tenant(a, "ACME")
    ids = [tag_asset(a, tenant.project_id, f"ACME-{n:04d}") for n in range(1, 6)]
    a.sync()
    b = make_device("b", "ann")
    b.engine.page_size = 3
    crashing = FailingPull(live_server.url, retries=0, fail_at=2, hook=live_server.stop)
    honest = _swap(b, crashing)
    with pytest.raises(OfflineError):
        b.sync()
    with pytest.raises(OfflineError):
        honest.pull(PullRequest(device_id=b.ws.device_id))  # the server really is down
    live_server.start()
    _swap(b, honest)
    b.sync()
    with b.ws.session() as s:
        assert sorted(s.scalars(select(Asset.id))) == sorted(ids)
    crashing.close()


class DroppingUploads(Transport):
    """Sends the first `parts` parts of any upload in parts, then the connection drops."""

    def __init__(self, *args: Any, parts: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts_left = parts
        self.sent: list[tuple[str, int]] = []  # (path, bytes) of every request that carried a body

    def request(
        self, method: str, path: str, *, data: bytes | str | None = None, as_json: bool = False
    ) -> requests.Response:
        if method == "PUT" and "/parts?" in path:
            if self.parts_left == 0:
                raise OfflineError("the network went away mid-upload")
            self.parts_left -= 1
        if data is not None and method == "PUT":
            self.sent.append((path, len(data)))
        return super().request(method, path, data=data, as_json=as_json)


def test_an_interrupted_photo_upload_continues_where_it_stopped(
    live_server: LiveServer, make_device: DeviceFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport_module, "PART_BYTES", 64 * 1024)
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    tenant = seed_tenant(a, "ACME")
    asset_id = tag_asset(a, tenant.project_id, "ACME-0001")
    photo = tmp_path / "rack.png"
    image = Image.frombytes("RGB", (300, 300), (bytes(range(256)) * 1100)[:270_000])
    image.save(photo, format="PNG", compress_level=0)
    size = photo.stat().st_size
    assert 4 * 64 * 1024 < size <= live_server.settings.max_attachment_bytes
    with a.ws.transaction() as s:
        sha = add_asset_photo(s, blobs_dir=a.ws.blobs_dir, asset_id=asset_id, source=photo, actor="ann").sha256
    dropping = DroppingUploads(live_server.url, retries=0, parts=2)
    honest = _swap(a, dropping)
    with pytest.raises(OfflineError):
        a.sync()
    assert [n for _path, n in dropping.sent] == [65536, 65536]
    resumed = DroppingUploads(live_server.url, retries=0, parts=1000)
    _swap(a, resumed)
    a.sync()
    offsets = [int(path.split("offset=")[1].split("&")[0]) for path, _n in resumed.sent]
    assert offsets[0] == 2 * 65536  # it went on from the bytes the server held, not from the start
    assert sum(n for _path, n in resumed.sent) == size - 2 * 65536
    b = make_device("b", "ann")
    b.sync()
    assert b.engine.fetch_attachment(sha) == sha
    assert (b.ws.blobs_dir / sha[:2] / sha).read_bytes() == photo.read_bytes()
    for transport in (dropping, resumed, honest):
        transport.close()


def test_three_laptops_of_one_user_uploading_one_file_at_once_store_it_once_and_whole(
    live_server: LiveServer, tmp_path: Path
) -> None:
    import hashlib
    import threading

    live_server.add_user("ann", "coordinator")
    data = (bytes(range(256)) * 4000)[:1_000_000]
    sha = hashlib.sha256(data).hexdigest()
    source = tmp_path / "scan.pdf"
    source.write_bytes(data)
    with Transport(live_server.url) as login:
        token = login.login("ann", "password-123").token
    laptops = [DroppingUploads(live_server.url, token=token, retries=0, parts=1000) for _ in range(3)]
    failures: list[BaseException] = []

    def upload(transport: Transport) -> None:
        try:
            transport.put_blob_file(sha, source, part_bytes=64 * 1024)
        except BaseException as exc:  # handed to the test thread
            failures.append(exc)

    threads = [threading.Thread(target=upload, args=(laptop,)) for laptop in laptops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert laptops[0].get_blob(sha) == data
    for laptop in laptops:  # racing, a laptop re-sends a part another one sent first, but never more than the file
        assert sum(n for _path, n in laptop.sent) <= 2 * len(data)
    assert not list((live_server.settings.blobs_dir / ".partial").glob("*/*"))
    for laptop in laptops:
        laptop.close()
