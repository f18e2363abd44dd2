"""A revoked grant comes back from a pull as the ids to drop; the signed cursor cannot be edited to list others."""

from __future__ import annotations

import json
from pathlib import Path

import requests
from sqlalchemy import select

from models.wire import SYNC_SESSION_HEADER, PullResponse
from server.db import make_session_factory
from server.models import Grant, Record, User
from tests.server.server_harness import LiveServer, seed_tenant_via_device

DEVICE = "01a20000-0000-7000-8000-0000000000f7"


def _pull(server: LiveServer, token: str, cursor: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", SYNC_SESSION_HEADER: "run-revoke-01"}
    body = {"device_id": DEVICE, "cursor": cursor, "limit": 1000}
    return requests.post(f"{server.url}/api/sync/pull", json=body, headers=headers, timeout=10)


def test_a_pull_after_a_revoke_lists_the_records_to_drop_and_refuses_an_edited_cursor(
    live_server: LiveServer, tmp_path: Path
) -> None:
    live_server.add_user("cora", "coordinator")
    live_server.add_user("tom", "technician")
    ids = seed_tenant_via_device(live_server, tmp_path / "cora", "cora", "ACME")
    live_server.grant("tom", "project", ids["project"])
    token = requests.post(
        f"{live_server.url}/api/auth/login", json={"username": "tom", "password": "password-123"}, timeout=10
    ).json()["token"]
    first = PullResponse.model_validate_json(_pull(live_server, token, "").content)
    seen = {row.id for row in first.rows}
    assert {ids["client"], ids["project"], ids["asset"]} <= seen and first.removed == []

    # An edited cursor (here: claiming a project tom never had) is refused, not believed.
    mac, body = first.cursor.split(".", 1)
    view = json.loads(body)
    view[ids["client"]][1] = [*view[ids["client"]][1], "01a20000-0000-7000-8000-00000000dead"]
    forged = f"{mac}.{json.dumps(view, separators=(',', ':'), sort_keys=True)}"
    assert _pull(live_server, token, forged).status_code == 400

    with make_session_factory(live_server.engine)() as session, session.begin():
        tom = session.scalar(select(User).where(User.name == "tom"))
        assert tom is not None
        session.delete(session.scalar(select(Grant).where(Grant.user_id == tom.id)))
    after = PullResponse.model_validate_json(_pull(live_server, token, first.cursor).content)
    assert after.rows == [] or all(row.entity in ("category", "field_definition") for row in after.rows)
    assert {(r.entity, r.id) for r in after.removed} == {
        (row.entity, row.id) for row in first.rows if row.id in _space(live_server, ids["client"])
    }
    # Once dropped, the space is gone from the cursor: the next pull lists nothing again.
    assert PullResponse.model_validate_json(_pull(live_server, token, after.cursor).content).removed == []


def _space(server: LiveServer, space_id: str) -> set[str]:
    with server.engine.connect() as con:
        return set(con.scalars(select(Record.id).where(Record.space_id == space_id)))
