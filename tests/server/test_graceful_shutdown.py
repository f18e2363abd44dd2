"""`closeout-server serve` on SIGTERM: a request already running finishes and is answered; new ones are refused."""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from server import auth
from server.db import make_engine, make_session_factory, upgrade_head
from tests.server.cluster_harness import cluster_environment, make_instances


def test_sigterm_lets_a_running_upload_finish_before_the_server_exits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    engine = make_engine(url)
    upgrade_head(engine)
    with make_session_factory(engine)() as session, session.begin():
        auth.create_user(session, name="ann", role="coordinator", password="password-123")
    engine.dispose()
    (instance,) = make_instances(1, tmp_path, cluster_environment(url, {}))
    instance.start()
    try:
        login = requests.post(f"{instance.url}/api/auth/login", json={"username": "ann", "password": "password-123"},
                              timeout=10)  # fmt: skip
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        data = b"scanned handover form " * 20_000
        sha = hashlib.sha256(data).hexdigest()
        halfway = threading.Event()

        def slow_body() -> Iterator[bytes]:
            yield data[: len(data) // 2]
            halfway.set()
            time.sleep(1.5)  # the SIGTERM arrives while the body is still coming in
            yield data[len(data) // 2 :]

        answers: list[requests.Response] = []
        upload = threading.Thread(
            target=lambda: answers.append(
                requests.put(f"{instance.url}/api/attachments/{sha}", data=slow_body(), headers=headers, timeout=30)
            )
        )
        upload.start()
        assert halfway.wait(10)
        time.sleep(0.2)
        assert instance.process is not None
        instance.process.send_signal(signal.SIGTERM)
        upload.join(30)
        assert [a.status_code for a in answers] == [201]
        assert instance.process.wait(30) == -signal.SIGTERM  # uvicorn re-raises it after the graceful stop
        assert (tmp_path / "instance-0" / "blobs" / sha[:2] / sha).read_bytes() == data
    finally:
        instance.kill()
