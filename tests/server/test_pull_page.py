"""A pull page is built as text from the stored JSON: it must read back as exactly the records the server holds."""

from __future__ import annotations

from datetime import timedelta

import requests
from sqlalchemy import select

from models.base import utcnow
from models.ids import new_id
from models.wire import SYNC_SESSION_HEADER, PullResponse
from server.db import make_session_factory
from server.models import Record, Space
from server.sync import to_wire
from tests.server.server_harness import LiveServer

DEVICE = "01a20000-0000-7000-8000-0000000000e1"


def _seed(server: LiveServer) -> list[str]:
    """Records with awkward data: quotes, backslashes, non-Latin text, nesting, nulls, a tombstone."""
    now = utcnow()
    awkward = [
        {"name": 'He said "hi" \\ bye', "notes": "Zürich — 東京 — ☃", "custom_fields": {"a": [1, 2.5, None, True]}},
        {"name": "", "notes": None, "custom_fields": {}, "position": 7},
        {"name": "line\nbreak\ttab", "nested": {"deep": {"deeper": ["x", {"y": False}]}}},
    ]
    ids = []
    with make_session_factory(server.engine)() as session, session.begin():
        session.add(Space(id="global", version=len(awkward)))
        for version, data in enumerate(awkward, start=1):
            record_id = new_id()
            ids.append(record_id)
            session.add(
                Record(
                    id=record_id, entity="category", space_id="global", version=version, data=data,
                    field_meta={}, created_at=now - timedelta(days=version), updated_at=now,
                    deleted_at=now if version == 2 else None,
                )
            )  # fmt: skip
    return ids


def test_a_pull_page_reads_back_as_the_stored_records(live_server: LiveServer) -> None:
    ids = _seed(live_server)
    live_server.add_user("root", "admin")
    token = requests.post(
        f"{live_server.url}/api/auth/login", json={"username": "root", "password": "password-123"}, timeout=10
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}", SYNC_SESSION_HEADER: "run-page-0001"}
    pages: list[PullResponse] = []
    cursor = ""
    while True:
        response = requests.post(
            f"{live_server.url}/api/sync/pull", json={"device_id": DEVICE, "cursor": cursor, "limit": 2},
            headers=headers, timeout=10,
        )  # fmt: skip
        assert response.status_code == 200
        page = PullResponse.model_validate_json(response.content)  # the client's own check
        pages.append(page)
        cursor = page.cursor
        if not page.has_more:
            break
    assert [len(p.rows) for p in pages] == [2, 1]
    assert pages[-1].last_mutation_id == 0
    pulled = [row for page in pages for row in page.rows]
    assert [row.id for row in pulled] == ids
    with make_session_factory(live_server.engine)() as session:
        stored = {r.id: to_wire(r) for r in session.scalars(select(Record))}
    for row in pulled:
        assert row.model_dump() == stored[row.id].model_dump()
