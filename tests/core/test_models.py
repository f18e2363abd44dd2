"""The domain model: device-made UUIDv7 ids, UTC timestamps, and a schema that holds the whole closeout."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.db import Workspace
from app.journal import record_create
from models import Base, Client, new_id
from models.base import UTCDateTime
from models.ids import id_timestamp_ms


def test_ids_are_rfc9562_version_7_and_sort_in_creation_order() -> None:
    ids = [new_id() for _ in range(5000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122


def test_id_carries_its_creation_time() -> None:
    before = int(datetime.now(UTC).timestamp() * 1000)
    made = id_timestamp_ms(new_id())
    after = int(datetime.now(UTC).timestamp() * 1000)
    assert before <= made <= after + 1


def test_naive_datetimes_are_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), None)  # type: ignore[arg-type]


@given(st.datetimes(timezones=st.just(UTC)))
def test_timestamps_come_back_in_utc(value: datetime) -> None:
    stored = UTCDateTime().process_bind_param(value, None)  # type: ignore[arg-type]
    assert stored is not None
    back = UTCDateTime().process_result_value(stored.replace(tzinfo=None), None)  # type: ignore[arg-type]
    assert back == value
    assert back is not None and back.tzinfo is UTC


def test_schema_covers_the_whole_closeout() -> None:
    tables = set(Base.metadata.tables)
    for name in (
        "clients", "contacts", "projects", "project_technicians", "sites", "locations", "categories",
        "field_definitions", "assets", "attachments", "knowledge_transfers", "activation_calls",
        "action_items", "signoffs", "change_sets", "changes", "conflicts", "workspace_meta",
    ):  # fmt: skip
        assert name in tables


def test_a_record_round_trips_through_a_real_workspace(workspace: Workspace) -> None:
    with workspace.transaction() as s:
        client = Client(code="ACME", name="Acmé Corp — Zürich", tag_prefix="AC-")
        record_create(s, client, "tester")
        client_id = client.id
    with workspace.session() as s:
        loaded = s.get(Client, client_id)
        assert loaded is not None
        assert loaded.name == "Acmé Corp — Zürich"
        assert loaded.created_at.tzinfo is UTC
        assert loaded.deleted_at is None
        assert loaded.server_version == 0
