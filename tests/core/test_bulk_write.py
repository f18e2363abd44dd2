"""The fast paths of a bulk write give exactly what the plain paths give: the journal text, the search index, the
inner parts of identifiers, and an import written without cleaning its rows a second time."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.asset_query import AssetFilter, count_assets, query_assets
from app.assets import create_asset
from app.bulk import create_assets_bulk
from app.catalog import ensure_default_categories, find_category
from app.db import Workspace, open_workspace
from app.errors import ValidationError
from app.importing import ImportFailed, ImportOptions, apply_import, preview_import, rows_from_dicts
from app.importing.mapping import suggest_for
from app.importing.value_mapping import propose
from app.journal import encode_plain, encode_snapshot, history, snapshot, to_plain, write_stamp
from app.projects import create_client, create_location, create_project, create_site, find_project
from app.search import INNER_MARK, INNER_MIN, indexed_in_one_pass, inner_parts, rebuild_index
from app.structure import update_client
from app.sync.bulk_insert import BackgroundWriter, as_one_statement, prepare_rows
from models import Asset, AssetStatus, Location, LocationKind, WorkspaceMeta
from models.base import Base

_WORD = re.compile(r"\w+", re.UNICODE)


def _inner_parts_one_by_one(*identifiers: str) -> str:
    """The inner parts as the first version made them (before the one-word shortcut), to compare against."""
    tails: list[str] = []
    for text_ in identifiers:
        for identifier in text_.split():
            for word in _WORD.finditer(identifier):
                for start in range(word.start() + 1, word.end() - INNER_MIN + 1):
                    tails.append(INNER_MARK + identifier[start:])
    return " ".join(tails)


@pytest.mark.parametrize(
    "identifiers",
    [
        ("CZC90105",),
        ("NWD-001000", "CL000001000", "cl-001000 10.0.3.232", "AA:BB:CC:DD:EE:FF"),
        ("LON-WS-0042-B", "", "snake_case_host", "ÄÖÜ-Straße7", "x"),
        ("  two  spaces ", "fe80::1ff:fe23:4567:890a", "00-1A-2B-3C-4D-5E", "²³¹ ٣٤٥٦"),
        ("", "", "", ""),
    ],
)
def test_inner_parts_are_the_same_as_made_word_by_word(identifiers: tuple[str, ...]) -> None:
    assert inner_parts(*identifiers) == _inner_parts_one_by_one(*identifiers)


def test_the_journal_text_of_a_bulk_row_reads_back_as_the_standard_encoders() -> None:
    record: dict[str, Any] = {
        "asset_tag": "AC-0001",
        "status": AssetStatus.IN_SERVICE,
        "tagged_at": datetime(2026, 12, 1, 8, 30, 5, 123456, tzinfo=UTC),
        "created_at": datetime(2026, 12, 1, 8, 30),
        "purchase_date": date(2024, 2, 29),
        "purchase_cost": 1234.5,
        "managed": True,
        "critical": False,
        "notes": 'Zoë "quoted"\nline two \\ \u2028 \x01',
        "custom_fields": {"ram_gb": 16, "bought": date(2024, 1, 2), "size": 1e16, "tiny": 1e-7},
        "location_id": None,
        "attention": ["missing:RAM", "label-pending"],
        "unused": "not journaled",
    }
    fields = sorted(set(record) - {"unused"})
    fast = encode_snapshot(record, fields)
    standard = encode_plain({name: to_plain(record[name]) for name in fields})
    assert json.loads(fast) == json.loads(standard)
    assert list(json.loads(fast)) == fields  # keys sorted, as the standard encoder writes them
    # A value orjson does not know goes through the standard encoder instead of failing.
    odd = {"custom_fields": {"counter": 2**70}, "asset_tag": "AC-0002"}  # beyond orjson's 64 bits
    assert encode_snapshot(odd, ["asset_tag", "custom_fields"]) == encode_plain(odd)


def _acme(ws: Workspace) -> tuple[str, str]:
    """Client Acme (tags AC- and five digits), its onboarding project and the room HQ / Lab: (client, project)."""
    with ws.transaction() as s:
        ensure_default_categories(s)
        client = create_client(s, code="ACME", name="Acme", tag_prefix="AC-", tag_digits=5, actor="lead")
        project = create_project(s, client_id=client.id, code="ACME-ONB", name="Acme onboarding", actor="lead")
        site = create_site(s, client_id=client.id, name="HQ", actor="lead")
        create_location(s, site_id=site.id, kind=LocationKind.ROOM, name="Lab", actor="lead")
        return client.id, project.id


@pytest.fixture
def project_id(workspace: Workspace) -> str:
    return _acme(workspace)[1]


def _search(ws: Workspace, words: str) -> list[str]:
    with ws.session() as s:
        return sorted(r.asset_tag for r in query_assets(s, AssetFilter(text=words), limit=5000))


def test_assets_written_in_bulk_are_found_like_assets_saved_one_by_one(workspace: Workspace, project_id: str) -> None:
    with workspace.transaction() as s:
        create_asset(s, project_id=project_id, values={"tag": "AC-00001", "serial": "CZC90105XQ"}, actor="t")
        rows = [
            {"tag": f"AC-{n:05d}", "serial": f"SN{n:07d}", "hostname": f"acme-ws-{n:04d}", "location": "Lab",
             "model": "OptiPlex 7010", "user": "Zoë Field"}
            for n in range(2, 2503)
        ]  # fmt: skip
        create_assets_bulk(s, project_id=project_id, rows=rows, actor="t", chunk=700)  # 4 chunks, the last short
        create_asset(s, project_id=project_id, values={"tag": "AC-09999", "serial": "LATE12345"}, actor="t")
    assert _search(workspace, "90105") == ["AC-00001"]
    assert _search(workspace, "0001234") == ["AC-01234"]  # inside a serial written in bulk
    assert _search(workspace, "ws-2502") == ["AC-02502"]  # the last row of the last chunk
    assert _search(workspace, "E12345") == ["AC-09999"]  # the insert trigger works again after the bulk write
    with workspace.session() as s:
        assert count_assets(s, AssetFilter(text="zoe optiplex lab")) == 2501
        assert s.get(WorkspaceMeta, "search_deferred") is None
        indexed = s.scalar(text("SELECT count(*) FROM asset_search WHERE asset_search MATCH 'optiplex'"))
        assert indexed == 2501  # each document indexed once: no row twice, none left out
    with workspace.transaction() as s:  # the index rebuilt from the documents answers the same
        rebuild_index(s)
    assert _search(workspace, "0001234") == ["AC-01234"]
    with workspace.session() as s:
        assert count_assets(s, AssetFilter(text="zoe optiplex lab")) == 2501


def test_a_failed_bulk_write_leaves_the_index_trigger_working(workspace: Workspace, project_id: str) -> None:
    rows = [{"tag": f"AC-{n:05d}"} for n in range(1, 301)]
    with pytest.raises(KeyboardInterrupt), workspace.transaction() as s:

        def cancel(done: int, total: int) -> None:
            raise KeyboardInterrupt

        create_assets_bulk(s, project_id=project_id, rows=rows, actor="t", chunk=100, progress=cancel)
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Asset)) == 0
        assert s.get(WorkspaceMeta, "search_deferred") is None
    # Even a caller that catches the failure and commits keeps the index whole.
    with workspace.transaction() as s, pytest.raises(RuntimeError), indexed_in_one_pass(s):
        create_asset(s, project_id=project_id, values={"tag": "AC-00007", "serial": "KEEP7777"}, actor="t")
        raise RuntimeError("stop")
    with workspace.session() as s:
        assert s.get(WorkspaceMeta, "search_deferred") is None
    assert _search(workspace, "7777") == ["AC-00007"]
    with workspace.transaction() as s:
        create_asset(s, project_id=project_id, values={"tag": "AC-00008", "serial": "NEXT8888"}, actor="t")
    assert _search(workspace, "8888") == ["AC-00008"]


def test_a_failing_statement_in_the_background_writer_is_raised_as_sqlalchemys(
    workspace: Workspace, project_id: str
) -> None:
    with workspace.transaction() as s:
        create_asset(s, project_id=project_id, values={"tag": "AC-00001"}, actor="t")
    with workspace.session() as s:
        existing = s.scalars(select(Asset)).one()
        row = {c.key: getattr(existing, c.key) for c in Asset.__table__.columns}
        prepared = prepare_rows(s, Base.metadata.tables["assets"], [row])  # the same id again
        assert prepared is not None
        with pytest.raises(IntegrityError, match="UNIQUE"), BackgroundWriter(s) as writer:
            writer.write([prepared])
        s.rollback()
        assert s.scalar(select(func.count()).select_from(Asset)) == 1  # the session is usable after


_AWKWARD: list[tuple[Any, ...]] = [
    ("a", 'Zoë "quoted"\nline two \\ \u2028 \x01 ٣٤٥ 漢字', 0.1, 1, None),
    ("b", "", 1234.56, 2**62, 1e-7),
    ("c", "  spaces kept  ", -0.5, True, 1e16),
    ("d", "null", 3.0, False, "2026-12-01 08:30:05.123456"),
    ("e", "[1, 2]", 123456789.01, -(2**63), '{"k": "v"}'),
]


def _table(db: sqlite3.Connection, name: str) -> list[tuple[Any, ...]]:
    return db.execute(
        f"SELECT k, t, typeof(t), r, typeof(r), i, typeof(i), x, typeof(x) FROM {name} ORDER BY k"
    ).fetchall()


def test_rows_written_by_one_json_statement_are_those_executemany_writes() -> None:
    db = sqlite3.connect(":memory:")
    for name in ("by_rows", "by_json"):
        db.execute(f"CREATE TABLE {name} (k TEXT PRIMARY KEY, t TEXT NOT NULL, r FLOAT, i INTEGER, x)")
    insert = "INSERT INTO {} (k, t, r, i, x) VALUES (?, ?, ?, ?, ?)"
    db.executemany(insert.format("by_rows"), _AWKWARD)
    statement, parameters = as_one_statement(insert.format("by_json"), _AWKWARD)
    assert "json_each" in statement and len(parameters) == 1
    db.executemany(statement, parameters)
    assert _table(db, "by_json") == _table(db, "by_rows")
    # An upsert keeps its ON CONFLICT clause: the rows written again replace the text and keep the rest.
    upsert = insert + " ON CONFLICT(k) DO UPDATE SET t = excluded.t"
    again = [(k, f"{t} again", r, i, x) for k, t, r, i, x in _AWKWARD]
    db.executemany(upsert.format("by_rows"), again)
    statement, parameters = as_one_statement(upsert.format("by_json"), again)
    assert "json_each" in statement
    db.executemany(statement, parameters)
    assert _table(db, "by_json") == _table(db, "by_rows")
    assert db.execute("SELECT count(*) FROM by_json WHERE t LIKE '% again'").fetchone() == (5,)


@pytest.mark.parametrize(
    "rows",
    [
        [("a", b"bytes", 1.0, 1, None), ("b", "", 1.0, 1, None)],  # a BLOB
        [("a", "", 1.0, 2**64, None), ("b", "", 1.0, 1, None)],  # beyond 64 bits
        [("a", "", 1.0, 1, datetime(2026, 12, 1)), ("b", "", 1.0, 1, None)],  # a value the driver would adapt
        [("a", "", 1.0, 1, None)],  # one row: nothing to gain
    ],
)
def test_rows_json_cannot_carry_as_they_are_stay_for_executemany(rows: list[tuple[Any, ...]]) -> None:
    statement = "INSERT INTO t (k, t, r, i, x) VALUES (?, ?, ?, ?, ?)"
    assert as_one_statement(statement, rows) == (statement, rows)


def test_a_rejected_row_stops_a_strict_write_of_checked_rows(workspace: Workspace, project_id: str) -> None:
    rows = [{"asset_tag": f"AC-{n:05d}", "serial": f"SN{n:07d}"} for n in range(1, 3001)]
    rows[2400] = {"asset_tag": "AC-00007"}  # a tag already in the list, found while earlier chunks are written
    with pytest.raises(ValidationError) as caught, workspace.transaction() as s:
        create_assets_bulk(s, project_id=project_id, rows=rows, actor="t", strict=True, checked=True, chunk=500)
    assert caught.value.errors == {"row 2401: asset_tag": "Tag AC-00007 appears twice (also in row 7)."}
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Asset)) == 0
        assert s.get(WorkspaceMeta, "search_deferred") is None
    with workspace.transaction() as s:  # the same rows without the bad one go in whole
        del rows[2400]
        result = create_assets_bulk(s, project_id=project_id, rows=rows, actor="t", strict=True, checked=True)
    assert len(result.created) == 2999
    assert _search(workspace, "SN0002999") == ["AC-02999"]


def test_a_bulk_write_is_copied_into_the_database_file_after_its_commit(
    workspace: Workspace, project_id: str, tmp_path: Path
) -> None:
    rows = [{"tag": f"AC-{n:05d}", "serial": f"SN{n:07d}"} for n in range(1, 3001)]
    with workspace.transaction() as s:
        create_assets_bulk(s, project_id=project_id, rows=rows, actor="t")
        assert s.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0  # the commit leaves the WAL
    with workspace.session() as s:  # the connection back from the pool checkpoints as usual again
        assert s.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        assert s.scalar(select(func.count()).select_from(Asset)) == 3000
    workspace.close()  # waits for the background checkpoint
    alone = tmp_path / "file-alone.sqlite"
    shutil.copyfile(workspace.path, alone)  # the database file without its WAL holds every row
    copy = sqlite3.connect(alone)
    try:
        assert copy.execute("SELECT count(*) FROM assets").fetchone() == (3000,)
        assert copy.execute("PRAGMA quick_check").fetchone() == ("ok",)
    finally:
        copy.close()


LIST: list[dict[str, Any]] = [
    {"Asset Tag": f"AC-{n:05d}", "Serial": f"s/n: cz{n:06d}", "Category": "Laptop" if n % 2 else "Desktop",
     "Status": "Ready to Deploy" if n % 3 else "In use", "Location": "HQ / Lab" if n % 4 else "HQ / Store room",
     "Host": f"ACME-{n:03d}.", "IP": f"010.0.0.{n}", "Purchased": "2024-03-0" + str(1 + n % 9), "Warranty": "36",
     "Cost": "1,299.00", "Notes": "  spare   charger " if n % 5 == 0 else ""}
    for n in range(1, 61)
]  # fmt: skip


def _import(ws: Workspace, *, stale: bool) -> None:
    headers, rows = rows_from_dicts(LIST)
    with ws.session() as s:
        project = find_project(s, "ACME-ONB")
        mapping = suggest_for(s, headers)
        proposal = propose(s, project.client_id, headers, rows, mapping, None)
        options = ImportOptions(values=proposal.values, client_tags=proposal.client_tags)
        preview = preview_import(s, project.id, headers, rows, mapping, options)
    assert preview.stamp and not preview.rejected, [r.message for r in preview.rejected[:3]]
    with ws.session() as s:
        assert write_stamp(s) == preview.stamp  # nothing written since: the trusted path applies unless told
    if stale:
        preview.stamp = "stale"  # as if something had been written since: every row is cleaned again
    with ws.transaction() as s:
        apply_import(s, preview, actor="t")


def _assets(ws: Workspace) -> list[dict[str, Any]]:
    with ws.session() as s:
        rows = []
        for asset in s.scalars(select(Asset).order_by(Asset.asset_tag)):
            data = snapshot(asset)
            category = find_category(s, asset.category_id).code if asset.category_id else None
            location = s.get(Location, asset.location_id) if asset.location_id else None
            data.update(id=None, project_id=None, client_id=None, tagged_at=None, site_id=None, category_id=category,
                        location_id=location.path if location else None)  # fmt: skip
            created = history(s, "asset", asset.id)[0]
            assert created.new_value == snapshot(asset)  # the journal holds what the table holds
            rows.append(data)
        return rows


def test_an_import_written_from_its_preview_equals_one_cleaned_again(tmp_path: Path) -> None:
    trusted, recleaned = open_workspace(tmp_path / "trusted"), open_workspace(tmp_path / "recleaned")
    try:
        _acme(trusted)
        _acme(recleaned)
        _import(trusted, stale=False)
        _import(recleaned, stale=True)
        assert _assets(trusted) == _assets(recleaned)
        assert len(_assets(trusted)) == 60
    finally:
        trusted.close()
        recleaned.close()


def test_a_write_since_the_preview_makes_the_import_check_its_rows_again(workspace: Workspace) -> None:
    client_id, project_id = _acme(workspace)
    headers, rows = rows_from_dicts([{"Asset Tag": "AC-00001", "Category": "laptop"}])
    with workspace.session() as s:
        preview = preview_import(s, project_id, headers, rows, suggest_for(s, headers))
        before = write_stamp(s)
    assert preview.stamp == before
    with workspace.transaction() as s:  # the client's prefix changes after the preview was made
        update_client(s, client_id, name="Acme", code="ACME", tag_prefix="NEW-", tag_digits=5, actor="lead")
    with workspace.session() as s:
        assert write_stamp(s) != before
    with pytest.raises(ImportFailed, match="NEW-"), workspace.transaction() as s:
        apply_import(s, preview, actor="t")
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Asset)) == 0
