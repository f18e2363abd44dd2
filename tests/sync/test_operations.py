"""What an operator watches: health and readiness probes, request ids, JSON log lines, and Prometheus metrics of
requests, pushes, pulls, conflicts and open uploads, measured on a real sync between two devices."""

from __future__ import annotations

import hashlib
import json
import logging

import requests
from prometheus_client.parser import text_string_to_metric_families

from app.assets import update_asset
from server.observability import JsonFormatter, request_id
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import DeviceFactory, seed_tenant, tag_asset

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _scrape(server: LiveServer) -> Samples:
    """Every sample of /metrics by (name, labels)."""
    answer = requests.get(f"{server.url}/metrics", timeout=10)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def _delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_health_and_readiness_answer_without_a_sign_in(live_server: LiveServer) -> None:
    assert requests.get(f"{live_server.url}/healthz", timeout=10).json() == {"status": "ok"}
    assert requests.get(f"{live_server.url}/readyz", timeout=10).json() == {"status": "ready"}


def test_every_answer_carries_a_request_id_and_one_sent_by_the_proxy_is_kept(live_server: LiveServer) -> None:
    made = requests.get(f"{live_server.url}/healthz", timeout=10).headers["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    kept = requests.get(f"{live_server.url}/healthz", headers={"X-Request-ID": "proxy-7f3a9c21"}, timeout=10)
    assert kept.headers["X-Request-ID"] == "proxy-7f3a9c21"
    odd = requests.get(f"{live_server.url}/healthz", headers={"X-Request-ID": "a b\u00e9" * 30}, timeout=10)
    assert len(odd.headers["X-Request-ID"]) == 32  # not an id: a fresh one instead of echoing it into the logs


def test_a_log_line_is_one_json_object_with_the_request_id() -> None:
    token = request_id.set("req-0123456789")
    try:
        record = logging.makeLogRecord(
            {"name": "closeout.server", "levelname": "INFO", "msg": "request", "route": "/api/sync/push", "status": 200}
        )
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert {k: line[k] for k in ("level", "message", "request_id", "route", "status")} == {
        "level": "info", "message": "request", "request_id": "req-0123456789", "route": "/api/sync/push",
        "status": 200,
    }  # fmt: skip


def test_metrics_count_requests_by_route_template_pushes_pulls_conflicts_and_open_uploads(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    live_server.add_user("ann", "coordinator")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    before = _scrape(live_server)
    tenant = seed_tenant(a, "ACME")
    asset_id = tag_asset(a, tenant.project_id, "ACME-0001")
    a.sync()
    b.sync()
    with a.ws.transaction() as s:
        update_asset(s, asset_id, {"model": "Mine"}, actor="ann")
    with b.ws.transaction() as s:
        update_asset(s, asset_id, {"model": "Theirs"}, actor="ann")
    a.sync()
    b.sync()  # b's edit meets a's: one field conflict
    missing = hashlib.sha256(b"not uploaded").hexdigest()
    assert requests.get(f"{live_server.url}/api/attachments/{missing}", timeout=10).status_code == 401
    token = a.engine.transport.token
    part = requests.put(f"{live_server.url}/api/attachments/{missing}/parts?offset=0&total=100", data=b"x" * 10,
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
    assert part.status_code == 202
    after = _scrape(live_server)
    pushes = _delta(before, after, "closeout_requests_total", route="/api/sync/push", status="200")
    assert pushes >= 3
    assert _delta(before, after, "closeout_sync_items_count", direction="push") == pushes
    assert _delta(before, after, "closeout_sync_items_sum", direction="push") >= 3  # client, project, asset, edits
    assert _delta(before, after, "closeout_sync_items_sum", direction="pull") >= 3  # b pulled them
    assert _delta(before, after, "closeout_sync_seconds_count", direction="pull") >= 2
    assert _delta(before, after, "closeout_conflicts_total", kind="field") == 1
    assert _delta(before, after, "closeout_requests_total", route="/api/attachments/{sha256}", status="401") == 1
    assert after[("closeout_open_uploads", ())] == 1
    assert not any(missing in str(labels) for _name, labels in after)  # ids never become label values
