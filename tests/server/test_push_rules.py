"""Push rules at the HTTP level: exactly-once, gaps, refused payloads that never block the queue, one run per device."""

from __future__ import annotations

import json
from typing import Any

import requests

from models.base import utcnow
from models.ids import new_id
from models.wire import SYNC_SESSION_HEADER
from tests.server.server_harness import LiveServer

DEVICE = "01a20000-0000-7000-8000-0000000000d1"


def _token(server: LiveServer, user: str = "root") -> str:
    server.add_user(user, "admin")
    response = requests.post(
        f"{server.url}/api/auth/login", json={"username": user, "password": "password-123"}, timeout=10
    )
    return str(response.json()["token"])


def category(mutation_id: int, prev_id: int, **fields: Any) -> dict[str, Any]:
    values = {"code": f"C{mutation_id}", "name": f"Category {mutation_id}", "icon": "", "position": 0}
    values.update(description="", **fields)
    return {
        "mutation_id": mutation_id, "prev_id": prev_id, "entity": "category", "entity_id": new_id(), "op": "create",
        "base_version": 0, "at": utcnow().isoformat(), "fields": values,
    }  # fmt: skip


def post(server: LiveServer, token: str, path: str, body: Any, run: str = "run-aaaaaaaa") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", SYNC_SESSION_HEADER: run, "Content-Type": "application/json"}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return requests.post(server.url + path, data=data, headers=headers, timeout=20)


def pulled_ids(server: LiveServer, token: str, device: str = DEVICE) -> list[str]:
    body = post(server, token, "/api/sync/pull", {"device_id": device, "cursor": "", "limit": 2000}).json()
    return [row["id"] for row in body["rows"]]


def test_a_retried_push_is_applied_exactly_once(live_server: LiveServer) -> None:
    token = _token(live_server)
    batch = {"device_id": DEVICE, "mutations": [category(1, 0), category(2, 1)]}
    first = post(live_server, token, "/api/sync/push", batch).json()
    again = post(live_server, token, "/api/sync/push", batch).json()
    assert (first["applied"], first["last_mutation_id"]) == (2, 2)
    assert (again["applied"], again["skipped"], again["last_mutation_id"]) == (0, 2, 2)
    assert len(pulled_ids(live_server, token)) == 2


def test_a_push_that_skips_a_mutation_stops_at_the_gap(live_server: LiveServer) -> None:
    token = _token(live_server)
    post(live_server, token, "/api/sync/push", {"device_id": DEVICE, "mutations": [category(1, 0)]})
    answer = post(live_server, token, "/api/sync/push", {"device_id": DEVICE, "mutations": [category(5, 4)]}).json()
    assert answer == {"last_mutation_id": 1, "applied": 0, "skipped": 0, "rejected": [], "gap": True}


def test_hostile_payloads_are_refused_and_the_queue_moves_on(live_server: LiveServer) -> None:
    token = _token(live_server)
    bad = [
        category(1, 0, name="x" * 5000),  # longer than the column
        category(2, 1, position="seven"),  # wrong type
        {**category(3, 2), "entity": "users"},  # not a synced entity
        {**category(4, 3), "fields": {"code": "C4"}},  # incomplete record
        {**category(5, 4), "op": "update", "fields": {"password_hash": "x"}},  # unknown record and field
        category(6, 5, sneaky="1"),  # unknown field
    ]
    answer = post(live_server, token, "/api/sync/push", {"device_id": DEVICE, "mutations": [*bad, category(7, 6)]})
    body = answer.json()
    assert [r["mutation_id"] for r in body["rejected"]] == [1, 2, 3, 4, 5, 6]
    assert (body["applied"], body["last_mutation_id"]) == (1, 7)
    assert len(pulled_ids(live_server, token)) == 1
    listed = requests.get(
        f"{live_server.url}/api/sync/rejected", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()
    assert [r["mutation_id"] for r in listed] == [1, 2, 3, 4, 5, 6]


def test_malformed_requests_are_refused_before_anything_is_applied(live_server: LiveServer) -> None:
    token = _token(live_server)
    assert post(live_server, token, "/api/sync/push", "{not json").status_code == 422
    extra = {"device_id": DEVICE, "mutations": [], "admin": True}
    assert post(live_server, token, "/api/sync/push", extra).status_code == 422
    flood = {"device_id": DEVICE, "mutations": [category(i + 1, i) for i in range(1001)]}
    assert post(live_server, token, "/api/sync/push", flood).status_code == 422
    cursor = {"device_id": DEVICE, "cursor": '{"global": "DROP TABLE"}'}
    assert post(live_server, token, "/api/sync/pull", cursor).status_code == 400
    assert pulled_ids(live_server, token) == []


def test_attachments_are_checked_by_hash_and_size(live_server: LiveServer) -> None:
    import hashlib

    token = _token(live_server)
    headers = {"Authorization": f"Bearer {token}"}
    data = b"a photo of a rack"
    sha = hashlib.sha256(data).hexdigest()
    url = f"{live_server.url}/api/attachments/{sha}"
    assert requests.head(url, headers=headers, timeout=10).status_code == 404
    assert requests.put(url, data=b"something else", headers=headers, timeout=10).status_code == 422
    assert requests.put(url, data=data, headers=headers, timeout=10).status_code == 201
    assert requests.head(url, headers=headers, timeout=10).status_code == 200
    assert requests.get(url, headers=headers, timeout=10).content == data
    huge = b"x" * (live_server.settings.max_attachment_bytes + 1)
    huge_url = f"{live_server.url}/api/attachments/{hashlib.sha256(huge).hexdigest()}"
    assert requests.put(huge_url, data=huge, headers=headers, timeout=30).status_code == 413


def test_a_large_attachment_goes_up_in_parts_that_survive_a_dropped_connection(live_server: LiveServer) -> None:
    import hashlib

    token = _token(live_server)
    headers = {"Authorization": f"Bearer {token}"}
    data = bytes(range(256)) * 1200  # 307,200 bytes
    sha = hashlib.sha256(data).hexdigest()
    parts = f"{live_server.url}/api/attachments/{sha}/parts"

    def put(offset: int, part: bytes, total: int = len(data)) -> requests.Response:
        return requests.put(f"{parts}?offset={offset}&total={total}", data=part, headers=headers, timeout=10)

    assert requests.get(parts, headers=headers, timeout=10).json() == {"received": 0}
    assert put(0, data[:100_000]).status_code == 202
    # The connection dropped here; the device asks where the upload stands and goes on from there.
    assert requests.get(parts, headers=headers, timeout=10).json() == {"received": 100_000}
    again = put(0, data[:100_000])  # a part sent twice (its answer was lost) is not appended twice
    assert again.status_code == 416 and again.json()["detail"]["received"] == 100_000
    assert put(100_000, data[100_000:200_000]).status_code == 202
    assert requests.head(f"{live_server.url}/api/attachments/{sha}", headers=headers, timeout=10).status_code == 404
    done = put(200_000, data[200_000:])
    assert done.status_code == 201 and done.json() == {"received": len(data), "created": True}
    assert requests.get(f"{live_server.url}/api/attachments/{sha}", headers=headers, timeout=10).content == data
    assert requests.get(parts, headers=headers, timeout=10).json() == {"received": 0}  # nothing left behind
    # The last part's answer was lost and the part is sent again: done already, not a fresh start from 0.
    assert put(200_000, data[200_000:]).json() == {"received": len(data), "created": False}
    assert not list((live_server.settings.blobs_dir / ".partial").glob("*/*"))
    assert put(0, b"").status_code == 422  # an empty part
    assert requests.get(f"{parts[:-6]}%0A/parts", headers=headers, timeout=10).status_code == 404  # not a hash
    # Content that does not match its hash is refused when the last part arrives, and the upload starts again.
    other = hashlib.sha256(b"other").hexdigest()
    wrong = f"{live_server.url}/api/attachments/{other}/parts"
    assert requests.put(f"{wrong}?offset=0&total=6", data=b"abc", headers=headers, timeout=10).status_code == 202
    assert requests.put(f"{wrong}?offset=3&total=6", data=b"def", headers=headers, timeout=10).status_code == 422
    assert requests.get(wrong, headers=headers, timeout=10).json() == {"received": 0}
    too_big = live_server.settings.max_attachment_bytes + 1
    assert put(0, b"x", total=too_big).status_code == 413
    assert put(0, data[:10], total=5).status_code == 422  # a part longer than the upload
    # An upload its device never came back to is cleared by the purge once it is old enough.
    from datetime import timedelta

    from sqlalchemy import update

    from models.base import utcnow
    from server.db import make_session_factory
    from server.models import UploadSession
    from server.storage import purge_partials

    assert put(0, data[:1000]).status_code == 202
    store = live_server.app.state.blob_store
    with make_session_factory(live_server.engine)() as session:
        assert purge_partials(session, store, older_than_seconds=3600) == 0
        (partial,) = (live_server.settings.blobs_dir / ".partial").glob("*/*")
        session.execute(update(UploadSession).values(updated_at=utcnow() - timedelta(hours=2)))
        session.commit()
        assert purge_partials(session, store, older_than_seconds=3600) == 1
    assert not partial.exists()
    assert requests.get(parts, headers=headers, timeout=10).json() == {"received": 0}


def test_a_second_overlapping_sync_of_one_device_gets_409(live_server: LiveServer) -> None:
    token = _token(live_server)
    body = {"device_id": DEVICE, "cursor": ""}
    assert post(live_server, token, "/api/sync/pull", body, run="run-first-1").status_code == 200
    assert post(live_server, token, "/api/sync/pull", body, run="run-second").status_code == 409
    headers = {"Authorization": f"Bearer {token}", SYNC_SESSION_HEADER: "run-first-1"}
    assert requests.post(f"{live_server.url}/api/sync/done/{DEVICE}", headers=headers, timeout=10).status_code == 204
    assert post(live_server, token, "/api/sync/pull", body, run="run-second").status_code == 200
