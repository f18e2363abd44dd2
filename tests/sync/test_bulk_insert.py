"""The many-row INSERT used to apply a pull stores byte for byte what SQLAlchemy's own INSERT stores."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, insert, text
from sqlalchemy.exc import StatementError

from app.db import open_workspace
from app.sync.bulk_insert import insert_rows
from models import Base
from models.enums import AssetStatus

WHEN = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
SHARED: list[str] = []


def _asset(n: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": f"asset-{n}", "client_id": "c", "project_id": "p", "asset_tag": f"T-{n}", "category_id": None,
        "status": AssetStatus.IN_SERVICE, "managed": True, "critical": False, "purchase_date": date(2024, 1, 2),
        "warranty_end": None, "notes": "Zürich ☃ 'quoted'", "custom_fields": {"rack": 4, "empty": None},
        "tagged_at": WHEN, "attention": SHARED, "needs_attention": False, "created_at": WHEN,
        "updated_at": datetime.now(UTC), "deleted_at": None, "server_version": n,
    }  # fmt: skip
    row.update(values)
    return row


def _stored(home: Path, table_name: str, rows: list[dict[str, Any]], *, fast: bool) -> list[tuple[Any, ...]]:
    ws = open_workspace(home)
    try:
        with ws.session() as s, s.begin():
            s.execute(text("PRAGMA defer_foreign_keys = ON"))  # the parents are not there; nothing is committed
            table: Table = Base.metadata.tables[table_name]
            if fast:
                insert_rows(s, table, rows)
            else:
                s.execute(insert(table), rows)
            stored = [tuple(row) for row in s.execute(text(f"SELECT * FROM {table_name} ORDER BY rowid"))]
            s.rollback()
            return stored
    finally:
        ws.close()


@pytest.mark.parametrize(
    ("table_name", "rows"),
    [
        ("assets", [_asset(1), _asset(2, status=AssetStatus.RETIRED, critical=True, deleted_at=WHEN), _asset(3)]),
        # Columns left out take their defaults (text "", flags, status), as SQLAlchemy fills them in.
        ("assets", [{k: v for k, v in _asset(n).items() if k not in ("notes", "status", "managed")} for n in (1, 2)]),
        (
            "change_sets",
            [
                {
                    "id": n,
                    "entity": "asset",
                    "entity_id": f"a{n}",
                    "op": "create",
                    "actor": "sync",
                    "device_id": "",
                    "hlc": "",
                    "at": WHEN,
                    "origin": "remote",
                    "pushed_at": WHEN,
                    "base_version": n,
                }
                for n in (1, 2, 3)
            ],
        ),
        (
            "sync_staged_rows",
            [{"entity": "asset", "entity_id": f"a{n}", "version": n, "payload": "{}"} for n in (1, 2)],
        ),
    ],
)
def test_bulk_insert_stores_exactly_what_sqlalchemy_stores(
    tmp_path: Path, table_name: str, rows: list[dict[str, Any]]
) -> None:
    expected = _stored(tmp_path / "orm", table_name, rows, fast=False)
    assert len(expected) == len(rows)
    assert _stored(tmp_path / "fast", table_name, rows, fast=True) == expected


def test_a_missing_column_with_a_computed_default_takes_the_ordinary_insert(tmp_path: Path) -> None:
    rows = [{k: v for k, v in _asset(n).items() if k != "custom_fields"} for n in (1, 2)]  # default: a new dict
    stored = _stored(tmp_path / "fast", "assets", rows, fast=True)
    assert stored == _stored(tmp_path / "orm", "assets", rows, fast=False)
    assert len(stored) == 2


@pytest.mark.parametrize("fast", [False, True])
def test_a_value_the_column_type_refuses_is_refused_either_way(tmp_path: Path, fast: bool) -> None:
    naive = datetime(2024, 1, 1, 12, 0)  # UTCDateTime stores only aware times
    with pytest.raises((ValueError, StatementError), match="naive datetimes"):
        _stored(tmp_path / "ws", "assets", [_asset(1, tagged_at=naive)], fast=fast)
