"""The journal is both the history people read and the outbox sync pushes: nothing writes around it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import Workspace
from app.journal import (
    decode,
    encode,
    history,
    mark_pushed,
    next_hlc,
    pending_change_sets,
    pending_count,
    record_create,
    record_delete,
    record_restore,
    record_update,
)
from models import Change, ChangeSet, Client, Contact


def test_values_keep_their_type_through_the_journal() -> None:
    from datetime import UTC, date, datetime

    from models import AssetStatus

    assert decode(encode(AssetStatus.SPARE)) == "spare"
    assert decode(encode(date(2026, 1, 2))) == "2026-01-02"
    assert decode(encode(datetime(2026, 1, 2, 3, 4, tzinfo=UTC))) == "2026-01-02T03:04:00+00:00"
    assert decode(encode({"b": 1, "a": [True, None]})) == {"a": [True, None], "b": 1}
    assert encode(None) is None and encode("") == '""'


def test_each_write_is_one_change_set_with_a_sequential_mutation_id(workspace: Workspace) -> None:
    with workspace.transaction() as s:
        client = Client(code="ACME", name="Acme")
        record_create(s, client, "lead")
        record_update(s, client, {"name": "Acme Corp", "notes": "VIP"}, "sam")
        record_update(s, client, {"name": "Acme Corp"}, "sam")  # no change: no change set
        record_delete(s, client, "sam")
        record_restore(s, client, "lead")
        client_id = client.id
    with workspace.session() as s:
        sets = list(s.scalars(select(ChangeSet).order_by(ChangeSet.id)))
        assert [c.op for c in sets] == ["create", "update", "delete", "update"]
        assert [c.id for c in sets] == sorted(c.id for c in sets)
        assert {c.device_id for c in sets} == {workspace.device_id}
        assert all(c.origin == "local" and c.pushed_at is None for c in sets)
        hlcs = [c.hlc for c in sets]
        assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)
        entries = history(s, "client", client_id)
        assert [(e.op, e.field) for e in entries] == [
            ("create", "*"),
            ("update", "name"),
            ("update", "notes"),
            ("delete", "deleted_at"),
            ("update", "deleted_at"),
        ]
        assert (entries[1].old_value, entries[1].new_value, entries[1].actor) == ("Acme", "Acme Corp", "sam")


def test_the_outbox_drains_as_the_server_acknowledges(workspace: Workspace) -> None:
    with workspace.transaction() as s:
        for n in range(5):
            record_create(s, Client(code=f"C{n}", name=f"Client {n}"), "lead")
    with workspace.transaction() as s:
        assert pending_count(s) == 5
        first_two = pending_change_sets(s, limit=2)
        assert len(first_two) == 2
        mark_pushed(s, [cs.id for cs in first_two])
    with workspace.session() as s:
        assert pending_count(s) == 3
        rest = pending_change_sets(s)
        assert [cs.id for cs in rest] == sorted(cs.id for cs in rest)
        assert first_two[1].id < rest[0].id


def test_the_clock_never_goes_backwards_even_when_the_wall_clock_does(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.journal

    with workspace.transaction() as s:
        first = next_hlc(s)
        monkeypatch.setattr(app.journal.time, "time_ns", lambda: 1_000_000)  # 1970: a wrong laptop clock
        second = next_hlc(s)
        third = next_hlc(s)
    assert first < second < third
    assert second.split(".")[0] == first.split(".")[0]


def test_a_rolled_back_write_leaves_no_journal(workspace: Workspace) -> None:
    try:
        with workspace.transaction() as s:
            record_create(s, Contact(client_id="missing-client", name="Nobody"), "lead")
    except Exception:
        pass
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(ChangeSet)) == 0
        assert s.scalar(select(func.count()).select_from(Change)) == 0
