"""On PostgreSQL, concurrent pushes commit in version order, so a pull cursor never skips a late commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from models.ids import new_id
from server.auth import Scope
from server.db import make_engine, make_session_factory
from server.models import GLOBAL_SPACE, Record, Space, User
from server.sync import Applier
from tests.server.server_harness import LiveServer, empty_database, make_settings
from tests.server.test_push_rules import category, post

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_server(pg_server_db: str, tmp_path: Path) -> Iterator[LiveServer]:
    empty_database(pg_server_db)
    server = LiveServer(make_settings(tmp_path / "data", pg_server_db))
    server.start()
    yield server
    server.close()


def test_a_later_version_waits_for_the_earlier_one_to_commit(pg_server: LiveServer) -> None:
    user = pg_server.add_user("root", "admin")
    factory = make_session_factory(make_engine(pg_server.settings.resolved_database_url))
    first = factory()
    first.begin()
    early = Applier(first, user, Scope(is_admin=True), "device-1").next_version(GLOBAL_SPACE)
    finished: list[int] = []

    def later() -> None:
        with factory() as second, second.begin():
            finished.append(Applier(second, user, Scope(is_admin=True), "device-2").next_version(GLOBAL_SPACE))
            applier_space = second.get(Space, GLOBAL_SPACE)
            assert applier_space is not None
            applier_space.version = finished[-1]

    thread = threading.Thread(target=later)
    thread.start()
    time.sleep(0.5)
    assert finished == [], "the second push must wait on the space row lock"
    space = first.get(Space, GLOBAL_SPACE)
    assert space is not None
    space.version = early
    first.commit()
    first.close()
    thread.join(10)
    assert finished == [early + 1]
    factory.kw["bind"].dispose()


def test_concurrent_pushers_and_a_puller_lose_nothing(pg_server: LiveServer) -> None:
    pg_server.add_user("root", "admin")
    token = requests.post(
        f"{pg_server.url}/api/auth/login", json={"username": "root", "password": "password-123"}, timeout=10
    ).json()["token"]
    pushers, per_pusher = 4, 15
    done = threading.Event()
    seen: set[str] = set()
    cursor = {"value": ""}
    puller_device = new_id()

    def pull_once() -> None:
        body = {"device_id": puller_device, "cursor": cursor["value"], "limit": 7}
        answer = post(pg_server, token, "/api/sync/pull", body, run="run-puller").json()
        seen.update(row["id"] for row in answer["rows"])
        cursor["value"] = answer["cursor"]

    def puller() -> None:
        while not done.is_set():
            pull_once()

    def pusher(index: int) -> None:
        device = new_id()
        for n in range(1, per_pusher + 1):
            batch = {"device_id": device, "mutations": [category(n, n - 1, code=f"P{index}-{n}")]}
            assert post(pg_server, token, "/api/sync/push", batch, run=f"run-pusher-{index}").status_code == 200

    pull_thread = threading.Thread(target=puller)
    pull_thread.start()
    threads = [threading.Thread(target=pusher, args=(i,)) for i in range(pushers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    done.set()
    pull_thread.join(30)
    for _ in range(20):  # drain what is left after the pushers stopped
        pull_once()
    with make_session_factory(pg_server.engine)() as session:
        created = set(session.scalars(select(Record.id)))
        assert session.scalar(select(User.name)) == "root"
    assert len(created) == pushers * per_pusher
    assert created <= seen
