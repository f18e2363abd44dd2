"""Every endpoint refuses a missing or expired token, and answers another tenant's ids exactly like missing ones."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import update

from models.base import utcnow
from models.wire import SYNC_SESSION_HEADER
from server.models import Token
from server.records import GLOBAL_ENTITIES
from tests.server.server_harness import LiveServer, seed_tenant_via_device

RUN = {SYNC_SESSION_HEADER: "run-0123456789"}
ZERO = "0" * 64


def _login(server: LiveServer, user: str, password: str = "password-123") -> str:
    response = requests.post(f"{server.url}/api/auth/login", json={"username": user, "password": password}, timeout=10)
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def _endpoints(ids: dict[str, str]) -> list[tuple[str, str, Any]]:
    """(method, path, json body) of every endpoint that needs a sign-in, aimed at `ids`."""
    push = {"device_id": ids["device"], "mutations": []}
    pull = {"device_id": ids["device"], "cursor": ""}
    return [
        ("POST", "/api/auth/logout", None),
        ("GET", "/api/auth/me", None),
        ("POST", "/api/sync/push", push),
        ("POST", "/api/sync/pull", pull),
        ("POST", "/api/sync/check", pull),
        ("POST", f"/api/sync/done/{ids['device']}", None),
        ("GET", "/api/sync/rejected", None),
        ("GET", f"/api/records/asset/{ids['asset']}", None),
        ("GET", f"/api/conflicts?project_id={ids['project']}", None),
        ("HEAD", f"/api/attachments/{ids['sha']}", None),
        ("GET", f"/api/attachments/{ids['sha']}", None),
        ("PUT", f"/api/attachments/{ZERO}", None),
        ("GET", f"/api/attachments/{ZERO}/parts", None),
        ("PUT", f"/api/attachments/{ZERO}/parts?offset=0&total=1", None),
        ("POST", "/api/tag-blocks", {"client_id": ids.get("client", "c"), "device_id": ids["device"], "count": 1}),
        ("POST", "/api/tag-blocks/settle", {"client_id": ids.get("client", "c"), "device_id": ids["device"]}),
    ]


#: Endpoints anyone may call: signing in, the health probes a load balancer calls (they tell nothing of the data)
#: and the metrics a monitoring system scrapes (counts and timings per route; deploy.md keeps them off the proxy).
PUBLIC = {
    ("POST", "/api/auth/login"),
    ("GET", "/api/health"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
}


def test_the_list_above_holds_every_endpoint_the_server_offers(live_server: LiveServer) -> None:
    """So that "tested on every endpoint" stays true when an endpoint is added (read from the OpenAPI schema)."""
    listed = _endpoints({"device": "dev-1", "asset": "asset-1", "project": "project-1", "sha": ZERO})
    offered = [
        (method.upper(), path)
        for path, operations in live_server.app.openapi()["paths"].items()
        for method in operations
    ]
    for method, template in offered:
        if (method, template) in PUBLIC:
            continue
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/?]+", re.escape(template)) + "(\\?.*)?$")
        assert any(m == method and pattern.match(path) for m, path, _ in listed), f"{method} {template} is not tested"


def _call(server: LiveServer, method: str, path: str, body: Any, token: str | None) -> requests.Response:
    headers = dict(RUN)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, server.url + path, json=body, headers=headers, timeout=10)


@pytest.fixture
def two_tenants(live_server: LiveServer, tmp_path: Path) -> tuple[dict[str, str], dict[str, str]]:
    live_server.add_user("alice", "coordinator")
    live_server.add_user("bob", "coordinator")
    alice = seed_tenant_via_device(live_server, tmp_path / "alice", "alice", "ALPHA")
    bob = seed_tenant_via_device(live_server, tmp_path / "bob", "bob", "BRAVO")
    return alice, bob


def test_every_endpoint_refuses_no_token_and_an_expired_one(
    live_server: LiveServer, two_tenants: tuple[dict[str, str], dict[str, str]]
) -> None:
    alice, _bob = two_tenants
    token = _login(live_server, "alice")
    with live_server.engine.begin() as con:
        con.execute(update(Token).values(expires_at=utcnow() - timedelta(seconds=1)))
    for method, path, body in _endpoints(alice):
        assert _call(live_server, method, path, body, None).status_code == 401, path
        assert _call(live_server, method, path, body, token).status_code == 401, path
        assert _call(live_server, method, path, body, "forged-token").status_code == 401, path


def test_another_tenants_ids_answer_404_on_every_endpoint(
    live_server: LiveServer, two_tenants: tuple[dict[str, str], dict[str, str]]
) -> None:
    alice, bob = two_tenants
    token = _login(live_server, "alice")
    expected_ok = {"/api/auth/logout", "/api/auth/me", "/api/sync/rejected"}
    for method, path, body in _endpoints(bob):
        if path in expected_ok or ZERO in path:  # uploads name content, not records: nobody's ids
            continue
        response = _call(live_server, method, path, body, token)
        assert response.status_code == 404, (path, response.status_code, response.text)
        assert "BRAVO" not in response.text
    # Bob's own (signed) cursor in her request is refused: it was issued to his user and device, not hers.
    bob_cursor = _call(live_server, "POST", "/api/sync/pull", {"device_id": bob["device"], "cursor": ""},
                       _login(live_server, "bob")).json()["cursor"]  # fmt: skip
    checked = _call(live_server, "POST", "/api/sync/check", {"device_id": alice["device"], "cursor": bob_cursor}, token)
    assert checked.status_code == 400 and bob["client"] not in checked.text and "BRAVO" not in checked.text
    # Her own ids work, so the 404s above are about ownership, not broken routes.
    for method, path, body in _endpoints(alice):
        if path == "/api/auth/logout" or ZERO in path:
            continue
        assert _call(live_server, method, path, body, token).status_code in (200, 204), path


def test_a_push_aimed_at_another_tenants_record_is_refused_and_changes_nothing(
    live_server: LiveServer, two_tenants: tuple[dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    _alice, bob = two_tenants
    token = _login(live_server, "alice")
    mutation = {
        "mutation_id": 1, "prev_id": 0, "entity": "asset", "entity_id": bob["asset"], "op": "update",
        "base_version": 0, "at": utcnow().isoformat(), "fields": {"hostname": "pwned"},
    }  # fmt: skip
    body = {"device_id": "01a20000-0000-7000-8000-00000000beef", "mutations": [mutation]}
    response = _call(live_server, "POST", "/api/sync/push", body, token)
    assert response.status_code == 200
    assert response.json()["rejected"][0]["reason"] == "no such record"
    pulled = _call(live_server, "POST", "/api/sync/pull", {"device_id": body["device_id"], "cursor": ""}, token).json()
    assert {row["data"].get("code") for row in pulled["rows"] if row["entity"] == "client"} == {"ALPHA"}
    assert all(row["id"] != bob["asset"] for row in pulled["rows"])
    bob_token = _login(live_server, "bob")
    seen = _call(live_server, "GET", f"/api/records/asset/{bob['asset']}", None, bob_token).json()
    assert seen["data"]["hostname"] == ""


def test_repeated_failed_logins_are_slowed_down(live_server: LiveServer) -> None:
    live_server.add_user("carol", "technician")
    live_server.settings.login_lockout_seconds = 120.0  # outlasts the test on a busy machine
    codes = [
        requests.post(
            f"{live_server.url}/api/auth/login", json={"username": "carol", "password": "wrong-password"}, timeout=10
        ).status_code
        for _ in range(6)
    ]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    locked = requests.post(
        f"{live_server.url}/api/auth/login", json={"username": "carol", "password": "password-123"}, timeout=10
    )
    assert locked.status_code == 429 and "Retry-After" in locked.headers


def test_logout_revokes_the_token(live_server: LiveServer) -> None:
    live_server.add_user("dave", "technician")
    token = _login(live_server, "dave")
    assert _call(live_server, "GET", "/api/auth/me", None, token).status_code == 200
    assert _call(live_server, "POST", "/api/auth/logout", None, token).status_code == 204
    assert _call(live_server, "GET", "/api/auth/me", None, token).status_code == 401


def test_a_technician_sees_only_granted_projects(live_server: LiveServer, tmp_path: Path) -> None:
    live_server.add_user("boss", "manager")
    live_server.add_user("tech", "technician")
    ids = seed_tenant_via_device(live_server, tmp_path / "boss", "boss", "ACME")
    token = _login(live_server, "tech")
    device = {"device_id": "01a20000-0000-7000-8000-0000000000aa", "cursor": ""}
    rows = _call(live_server, "POST", "/api/sync/pull", device, token).json()["rows"]
    assert {r["entity"] for r in rows} <= GLOBAL_ENTITIES
    assert _call(live_server, "GET", f"/api/records/asset/{ids['asset']}", None, token).status_code == 404
    live_server.grant("tech", "project", ids["project"])
    rows = _call(live_server, "POST", "/api/sync/pull", device, token).json()["rows"]
    assert ids["asset"] in {r["id"] for r in rows}
