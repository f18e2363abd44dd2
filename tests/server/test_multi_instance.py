"""Several server processes on one PostgreSQL database and one bucket: devices push, pull and upload through
alternating instances while instances are killed, stopped and restarted; every edit and every file ends on every
device, and nothing is there twice."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from app.assets import update_asset
from app.attachments import add_asset_photo
from app.db import open_workspace
from app.sync import engine as sync_engine
from app.sync.errors import SyncError
from models import Asset, Attachment
from server import auth
from server.db import make_engine, make_session_factory
from server.models import Blob, Record, RejectedMutationRecord, UploadSession, User
from tests.server.cluster_harness import Instance, cluster_environment, make_instances
from tests.server.s3_harness import keys, new_bucket, open_multipart_uploads, s3_environment
from tests.server.server_harness import postgres_database
from tests.sync.sync_kit import Device, seed_tenant, tag_asset

pytestmark = pytest.mark.postgres
DEVICES = 4
#: The randomized traffic runs this long while instances are killed and restarted.
CHAOS_SECONDS = 24.0


@dataclass
class Made:
    """What one device did, to be found on every device at the end."""

    hostnames: dict[str, str] = field(default_factory=dict)  # asset id -> its last hostname written here
    photos: dict[str, bytes] = field(default_factory=dict)  # sha256 -> content


class Traffic:
    """One thread per device: random tagging, edits and photos, each round synced through a random live instance
    (a sync cut off by a dying instance is tried again on another, as behind a load balancer)."""

    def __init__(self, devices: list[Device], instances: list[Instance], project_id: str, tmp: Path) -> None:
        self.devices, self.instances, self.project_id, self.tmp = devices, instances, project_id, tmp
        self.made = [Made() for _ in devices]
        self.stop = threading.Event()
        self.failures: list[BaseException] = []
        self.syncs = 0
        self.retried = 0
        self.lock = threading.Lock()

    def sync_somewhere(self, device: Device, rng: random.Random) -> None:
        for _attempt in range(60):
            live = [instance for instance in self.instances if instance.alive]
            transport = device.engine.transport
            transport.base_url = rng.choice(live).url
            transport.http.close()  # a fresh connection to the chosen instance
            try:
                device.sync()
                with self.lock:
                    self.syncs += 1
                return
            except SyncError:  # offline (instance died), busy (a cut-off run's lease), or a 5xx
                with self.lock:
                    self.retried += 1
                time.sleep(0.25)
        raise AssertionError(f"{device.name} could not sync through any instance")

    def act(self, index: int, rng: random.Random, round_no: int) -> None:
        device, made = self.devices[index], self.made[index]
        choice = rng.random()
        if choice < 0.4 or not made.hostnames:
            asset_id = tag_asset(device, self.project_id, f"ACME-{index}{len(made.hostnames):03d}")
            made.hostnames[asset_id] = ""
        elif choice < 0.8:
            asset_id = rng.choice(sorted(made.hostnames))  # only its own assets: no conflicts to account for
            made.hostnames[asset_id] = f"host-{index}-{round_no}"
            with device.ws.transaction() as s:
                update_asset(s, asset_id, {"hostname": made.hostnames[asset_id]}, actor=device.actor)
        else:
            # Some photos are larger than a part (1 MiB): uploaded in parts, possibly through several instances.
            size = rng.choice([20_000, 300_000, 1_500_000, 2_600_000])
            content = rng.randbytes(size)
            source = self.tmp / f"photo-{index}-{round_no}.jpg"
            source.write_bytes(content)
            asset_id = rng.choice(sorted(made.hostnames))
            with device.ws.transaction() as s:
                sha = add_asset_photo(s, blobs_dir=device.ws.blobs_dir, asset_id=asset_id, source=source,
                                      actor=device.actor).sha256  # fmt: skip
            made.photos[sha] = content

    def run_device(self, index: int) -> None:
        rng = random.Random(1000 + index)
        try:
            round_no = 0
            while not self.stop.is_set():
                round_no += 1
                for _ in range(rng.randint(1, 3)):
                    self.act(index, rng, round_no)
                self.sync_somewhere(self.devices[index], rng)
        except BaseException as exc:  # handed to the test thread
            self.failures.append(exc)


def _device(name: str, user: str, url: str, home: Path) -> Device:
    ws = open_workspace(home / name)
    sync_engine.login(ws, url, user, "password-123")
    return Device(name=name, actor=user, ws=ws, engine=sync_engine.connect(ws))


def _chaos(instances: list[Instance], traffic: Traffic) -> list[str]:
    """Two instances, one killed and restarted; a third joins; another stopped gracefully and started again."""
    steps: list[str] = []
    plan = [
        (3.0, "kill instance-1", instances[1].kill),
        (6.0, "restart instance-1", instances[1].start),
        (9.0, "start instance-2", instances[2].start),
        (13.0, "kill instance-0", instances[0].kill),
        (16.0, "restart instance-0", instances[0].start),
        (19.0, "stop instance-2 (SIGTERM)", lambda: steps.append(f"instance-2 exited {instances[2].stop()}")),
        (21.0, "restart instance-2", instances[2].start),
    ]
    started = time.monotonic()
    for at, label, step in plan:
        while time.monotonic() - started < at and not traffic.failures:
            time.sleep(0.05)
        step()
        steps.append(label)
    while time.monotonic() - started < CHAOS_SECONDS and not traffic.failures:
        time.sleep(0.05)
    return steps


def test_devices_syncing_through_alternating_instances_while_one_dies_end_with_every_edit_and_file_once(
    pg_url: str, s3_endpoint: str, tmp_path: Path
) -> None:
    bucket = new_bucket(s3_endpoint)
    with postgres_database(pg_url, "multi") as db_url:
        env = cluster_environment(db_url, s3_environment(s3_endpoint, bucket), sync_lease_seconds="3")
        instances = make_instances(3, tmp_path / "servers", env)
        engine = make_engine(db_url)
        devices: list[Device] = []
        try:
            with make_session_factory(engine)() as session, session.begin():
                for user in ("ann", "bob"):
                    auth.create_user(session, name=user, role="coordinator", password="password-123")
            for instance in instances[:2]:
                instance.start()
            devices = [_device(f"d{i}", ("ann", "bob")[i % 2], instances[i % 2].url, tmp_path) for i in range(DEVICES)]
            tenant = seed_tenant(devices[0], "ACME")
            traffic = Traffic(devices, instances, tenant.project_id, tmp_path)
            rng = random.Random(7)
            traffic.sync_somewhere(devices[0], rng)
            with make_session_factory(engine)() as session, session.begin():
                bob = session.scalar(select(User).where(User.name == "bob"))
                assert bob is not None
                auth.grant(session, bob, scope_kind="client", scope_id=tenant.client_id)
            for device in devices:
                traffic.sync_somewhere(device, rng)
            threads = [threading.Thread(target=traffic.run_device, args=(i,)) for i in range(DEVICES)]
            for thread in threads:
                thread.start()
            try:
                steps = _chaos(instances, traffic)
            finally:
                traffic.stop.set()
                for thread in threads:
                    thread.join(120)
            assert traffic.failures == [], traffic.failures
            # uvicorn re-raises SIGTERM once the running requests are done: that is its exit status then.
            assert len(steps) == 8 and f"instance-2 exited {-signal.SIGTERM}" in steps, steps
            for _ in range(2):  # everyone sends what is left, then everyone fetches what the others sent
                for device in devices:
                    traffic.sync_somewhere(device, rng)
            _assert_converged(traffic, engine, s3_endpoint, bucket)
        finally:
            for device in devices:
                device.close()
            for instance in instances:
                instance.kill()
            engine.dispose()


def _assert_converged(traffic: Traffic, engine: Engine, endpoint: str, bucket: str) -> None:
    hostnames = {asset: host for made in traffic.made for asset, host in made.hostnames.items()}
    photos = {sha: content for made in traffic.made for sha, content in made.photos.items()}
    assert len(hostnames) >= 2 * DEVICES and len(photos) >= 2 and traffic.syncs >= 4 * DEVICES
    for device in traffic.devices:
        with device.ws.transaction() as s:
            assets = {a.id: a.hostname or "" for a in s.scalars(select(Asset).where(Asset.deleted_at.is_(None)))}
            attachments = [a.sha256 for a in s.scalars(select(Attachment).where(Attachment.deleted_at.is_(None)))]
        assert assets == hostnames, f"{device.name} differs"
        assert sorted(attachments) == sorted(photos), f"{device.name} has other photos"
        for sha, content in photos.items():
            device.engine.transport.base_url = traffic.instances[hash(sha) % len(traffic.instances)].url
            device.engine.fetch_attachment(sha)
            assert (device.ws.blobs_dir / sha[:2] / sha).read_bytes() == content
    with make_session_factory(engine)() as session:

        def count(entity: str) -> int | None:
            return session.scalar(select(func.count()).where(Record.entity == entity, Record.deleted_at.is_(None)))

        assert (count("asset"), count("attachment"), count("conflict")) == (len(hostnames), len(photos), 0)
        assert session.scalar(select(func.count()).select_from(Blob)) == len(photos)
        assert session.scalar(select(func.count()).select_from(UploadSession)) == 0
        assert session.scalar(select(func.count()).select_from(RejectedMutationRecord)) == 0
    assert keys(endpoint, bucket) == sorted(f"blobs/{sha[:2]}/{sha}" for sha in photos)  # once each, no leftovers
    assert open_multipart_uploads(endpoint, bucket) == 0
    assert os.environ.get("CLOSEOUT_SERVER_STORAGE") is None  # (the instances got it from their own environment)
