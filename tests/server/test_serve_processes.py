"""`closeout-server serve` as an operator runs it: several worker processes behind one port with their metrics
added up, and SIGTERM letting a running request finish."""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import requests
from prometheus_client.parser import text_string_to_metric_families

from server import auth
from server.db import make_engine, make_session_factory, upgrade_head
from tests.server.cluster_harness import cluster_environment, make_instances


def _database_with_ann(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    engine = make_engine(url)
    upgrade_head(engine)
    with make_session_factory(engine)() as session, session.begin():
        auth.create_user(session, name="ann", role="coordinator", password="password-123")
    engine.dispose()
    return url


def _requests_of(metrics_text: str, route: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == "closeout_requests_total" and sample.labels.get("route") == route
    )


def test_serve_with_two_workers_answers_on_one_port_and_adds_up_their_metrics(tmp_path: Path) -> None:
    (instance,) = make_instances(1, tmp_path, cluster_environment(_database_with_ann(tmp_path), {}), workers=2)
    instance.start()
    try:
        with requests.Session() as first, requests.Session() as second:  # two connections: likely two workers
            for _ in range(10):
                assert first.get(f"{instance.url}/healthz", timeout=10).status_code == 200
                assert second.get(f"{instance.url}/healthz", timeout=10).status_code == 200
        assert instance.process is not None
        children = psutil.Process(instance.process.pid).children()
        assert sum("spawn_main" in " ".join(child.cmdline()) for child in children) == 2
        # Whichever worker answers the scrape, it counts the other worker's requests too (multiprocess mode).
        for _ in range(4):
            text = requests.get(f"{instance.url}/metrics", timeout=10).text
            assert _requests_of(text, "/healthz") == 20
    finally:
        instance.kill()


def test_sigterm_lets_a_running_upload_finish_before_the_server_exits(tmp_path: Path) -> None:
    (instance,) = make_instances(1, tmp_path, cluster_environment(_database_with_ann(tmp_path), {}))
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
