"""Purged tombstones: a pull whose cursor is below a space's purge floor gets 410; one at or above it does not."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from models.wire import SYNC_SESSION_HEADER, PullResponse
from server import cli as server_cli
from server.models import Record, Space
from tests.server.server_harness import SECRET, LiveServer, seed_tenant_via_device

DEVICE = "01a20000-0000-7000-8000-0000000000a1"
DELETER = "01a20000-0000-7000-8000-0000000000a2"


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", SYNC_SESSION_HEADER: "run-purge-0001"}


def _pull(
    server: LiveServer, token: str, cursor: str, reset: list[str] | None = None, limit: int = 2000
) -> requests.Response:
    body = {"device_id": DEVICE, "cursor": cursor, "limit": limit, "reset": reset or []}
    return requests.post(f"{server.url}/api/sync/pull", json=body, headers=_headers(token), timeout=10)


def _delete(server: LiveServer, token: str, mutation_id: int, entity: str, entity_id: str) -> None:
    mutation = {
        "mutation_id": mutation_id, "prev_id": mutation_id - 1, "entity": entity, "entity_id": entity_id,
        "op": "delete", "base_version": 10_000, "at": datetime.now(UTC).isoformat(), "fields": {},
    }  # fmt: skip
    body = {"device_id": DELETER, "mutations": [mutation]}
    headers = {**_headers(token), SYNC_SESSION_HEADER: "run-purge-0002"}
    answer = requests.post(f"{server.url}/api/sync/push", json=body, headers=headers, timeout=10)
    assert answer.status_code == 200 and answer.json()["applied"] == 1, answer.text


def _purge(server: LiveServer, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("CLOSEOUT_SERVER_SECRET_KEY", SECRET)
    monkeypatch.setenv("CLOSEOUT_SERVER_DATABASE_URL", server.settings.database_url)
    return server_cli.main(["--data-dir", str(server.settings.data_dir), "purge-tombstones", *args])


def _floor(server: LiveServer, space_id: str) -> int:
    with server.engine.connect() as con:
        return int(con.scalar(select(Space.purge_floor).where(Space.id == space_id)) or 0)


def _exists(server: LiveServer, record_id: str) -> bool:
    with server.engine.connect() as con:
        return con.scalar(select(Record.id).where(Record.id == record_id)) is not None


def test_a_cursor_below_the_purge_floor_gets_410_and_one_at_or_above_it_does_not(
    live_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    live_server.add_user("cora", "coordinator")
    ids = seed_tenant_via_device(live_server, tmp_path / "cora", "cora", "ACME")
    space = ids["client"]
    token = requests.post(
        f"{live_server.url}/api/auth/login", json={"username": "cora", "password": "password-123"}, timeout=10
    ).json()["token"]
    before = PullResponse.model_validate_json(_pull(live_server, token, "").content)
    assert ids["asset"] in {row.id for row in before.rows}

    _delete(live_server, token, 1, "asset", ids["asset"])
    # The asset's attachment still refers to it: the tombstone stays even when old enough.
    assert _purge(live_server, monkeypatch, "--older-than", "0") == 0
    assert "kept 1 old tombstones" in capsys.readouterr().out
    assert _exists(live_server, ids["asset"]) and _floor(live_server, space) == 0
    attachment = next(row.id for row in before.rows if row.entity == "attachment")
    _delete(live_server, token, 2, "attachment", attachment)
    after_deletes = PullResponse.model_validate_json(_pull(live_server, token, before.cursor).content)
    assert {row.id for row in after_deletes.rows if row.deleted_at is not None} == {ids["asset"], attachment}

    # The default retention (180 days) keeps tombstones made just now.
    assert _purge(live_server, monkeypatch) == 0
    assert _exists(live_server, ids["asset"]) and _floor(live_server, space) == 0
    assert _purge(live_server, monkeypatch, "--older-than", "0") == 0
    assert "purged 2 tombstones" in capsys.readouterr().out
    assert not _exists(live_server, ids["asset"]) and not _exists(live_server, attachment)
    assert _exists(live_server, ids["project"])  # live records stay
    floor = _floor(live_server, space)
    assert floor == max(row.version for row in after_deletes.rows)

    # Below the floor: 410, with a JSON body naming the space.
    expired = _pull(live_server, token, before.cursor)
    assert expired.status_code == 410
    body = expired.json()
    assert body["error"] == "cursor_expired" and body["spaces"] == [space] and "replacement" in body["message"]
    # At the floor (it saw every purged delete), and from the start: no 410.
    assert _pull(live_server, token, after_deletes.cursor).status_code == 200
    fresh = _pull(live_server, token, "")
    assert fresh.status_code == 200
    fresh_ids = {row.id for row in PullResponse.model_validate_json(fresh.content).rows}
    assert ids["project"] in fresh_ids and ids["asset"] not in fresh_ids
    # The old cursor with the space reset: the whole space again, without the purged records.
    replaced = _pull(live_server, token, before.cursor, reset=[space])
    assert replaced.status_code == 200
    again = PullResponse.model_validate_json(replaced.content)
    assert {row.id for row in again.rows} == fresh_ids
    assert _pull(live_server, token, again.cursor).status_code == 200
    # A pull from the start paged one row at a time passes partial cursors below the floor: no 410 either.
    cursor, paged = "", set()
    for _page in range(100):
        answer = _pull(live_server, token, cursor, limit=1)
        assert answer.status_code == 200, answer.text
        page = PullResponse.model_validate_json(answer.content)
        paged |= {row.id for row in page.rows}
        cursor = page.cursor
        if not page.has_more:
            break
    assert paged == fresh_ids and not page.has_more
