"""The context of one import: the columns by target, how each is read, the client's assets by id, tag, serial,
previous tag and MAC, and the day/month order of each date column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.importing.cells import DateOrder, decide_date_order
from app.importing.client_tags import TagSequence
from app.importing.mapping import DATE_FIELDS, import_targets
from app.importing.refs import NameIndex
from app.importing.results import ImportOptions
from app.journal import CUSTOM_PREFIX
from app.projects import ensure_open, get_project
from models import Asset, Client, FieldType


class ImportPlan:
    """The per-import context: mapping by target, date orders, the client's assets by id, tag and serial."""

    def __init__(
        self,
        session: Session,
        project_id: str,
        headers: Sequence[str],
        mapping: Mapping[str, str],
        options: ImportOptions,
    ):
        self.project = get_project(session, project_id)
        ensure_open(self.project)
        client = session.get(Client, self.project.client_id)
        assert client is not None
        self.client = client
        self.targets = {t.key: t for t in import_targets(session)}
        self.columns = {key: headers.index(h) for h, key in mapping.items() if key and h in headers}
        unknown = [key for key in self.columns if key not in self.targets]
        if unknown:
            raise ValidationError({k: f"“{k}” is not a field Closeout knows." for k in unknown})
        self.refs = NameIndex(session, client.id)
        self.by_id: dict[str, tuple[str, str]] = {}
        self.by_tag: dict[str, str] = {}
        self.by_serial: dict[str, list[str]] = {}
        self.by_previous: dict[str, str] = {}
        self.by_mac: dict[str, str] = {}
        for asset_id, project, tag, serial, previous, mac in session.execute(
            select(
                Asset.id, Asset.project_id, Asset.asset_tag, Asset.serial, Asset.previous_tag, Asset.mac_address
            ).where(Asset.client_id == client.id, Asset.deleted_at.is_(None))
        ):
            self.by_id[asset_id] = (project, tag)
            self.by_tag[tag] = asset_id
            if serial:
                self.by_serial.setdefault(serial, []).append(asset_id)
            if previous:
                self.by_previous.setdefault(previous, asset_id)
            if mac:
                self.by_mac.setdefault(mac, asset_id)
        self.values = options.values
        self.client_tags = options.client_tags
        self.any_tag = options.client_tags is not None and options.client_tags.any_scheme
        self.tags = TagSequence(session, client, self.by_tag)
        self.given_tags: set[str] = set()
        #: The column that finds assets: a damaged cell there rejects the row, elsewhere it is only flagged.
        self.match_key = next((k for k in ("asset_tag", "serial") if k in self.columns), "")

        self.value_keys = [k for k in self.columns if self.values is not None and any(
            c.field == k for c in self.values.choices
        )]  # fmt: skip
        #: (target, cell text) → the date read and its problem or remark: a column's dates are read once each.
        self.dates: dict[tuple[str, str], tuple[date | None, str]] = {}
        #: Category id → the keys of its configuration fields (asked for every row of the file).
        self.custom_keys: dict[str | None, frozenset[str]] = {}
        #: (target, column index, "date" | "text" | "other") for every mapped column.
        self.readers = [
            (key, index, "date" if self.is_date(key) else "text" if self.is_text(key) else "other")
            for key, index in self.columns.items()
        ]

    def is_date(self, key: str) -> bool:
        return key in DATE_FIELDS or self.targets[key].kind == FieldType.DATE

    def is_text(self, key: str) -> bool:
        if key.startswith(CUSTOM_PREFIX):
            return self.targets[key].kind == FieldType.TEXT
        return key not in DATE_FIELDS and key not in ("managed", "critical", "purchase_cost")


def decide_date_orders(
    plan: ImportPlan, headers: Sequence[str], rows: Sequence[tuple[int, Sequence[Any]]], options: ImportOptions
) -> tuple[dict[str, DateOrder], list[str]]:
    orders: dict[str, DateOrder] = {}
    notes: list[str] = []
    for key, index in plan.columns.items():
        if not plan.is_date(key):
            continue
        header = headers[index]
        chosen = options.date_orders.get(header, DateOrder.AUTO)
        if chosen != DateOrder.AUTO:
            orders[key] = chosen
            continue
        order, assumed = decide_date_order(cells[index] for _, cells in rows if index < len(cells))
        orders[key] = order
        if assumed:
            notes.append(
                f"Dates in “{header}” could be day/month or month/day; they were read as {order.label.lower()}. "
                "Change the date order of that column if that is wrong."
            )
    return orders, notes
